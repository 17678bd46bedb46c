//! Path parameters are percent-encoded and can never change the path; an
//! empty one, `.` or `..` is refused before anything is sent.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::Error;
use support::*;

async fn read_mirror_path(topic: &str) -> String {
    let server = MockServer::start_async().await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let record = seen.clone();
    server
        .mock_async(move |when, then| {
            let record = record.clone();
            when.is_true(move |req| {
                *record.lock().unwrap() = req.uri().path().to_string();
                true
            });
            then.status(200).json_body(mirror("x", "ACTIVE"));
        })
        .await;
    confluent(&server)
        .get_mirror_topic()
        .cluster_id("lkc-1")
        .link_name("dr")
        .mirror_topic_name(topic)
        .send()
        .await
        .unwrap();
    seen.lock().unwrap().clone()
}

#[tokio::test]
async fn special_characters_are_encoded_inside_their_segment() {
    let cases = [
        ("a/b", "a%2Fb"),
        ("with space", "with%20space"),
        ("100%", "100%25"),
        ("what?", "what%3F"),
        ("tag#1", "tag%231"),
        ("a/../b", "a%2F..%2Fb"),
        ("ordres-été", "ordres-%C3%A9t%C3%A9"),
    ];
    for (topic, encoded) in cases {
        let path = read_mirror_path(topic).await;
        assert_eq!(
            path,
            format!("/kafka/v3/clusters/lkc-1/links/dr/mirrors/{encoded}"),
            "topic {topic:?}"
        );
    }
}

async fn refused(cluster: &str, link: &str) -> (String, usize) {
    let server = MockServer::start_async().await;
    let any = catch_all(&server).await;
    let err = confluent(&server)
        .get_link()
        .cluster_id(cluster)
        .link_name(link)
        .send()
        .await
        .unwrap_err();
    let err = err;
    let Error::InvalidArgument(message) = err else {
        panic!("expected InvalidArgument, got {err:?}")
    };
    (message, any.calls_async().await)
}

#[tokio::test]
async fn an_empty_path_parameter_is_refused_before_sending() {
    let (message, sent) = refused("", "dr").await;
    assert!(
        message.contains("`cluster_id`") && message.contains("empty"),
        "{message}"
    );
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    for value in [".", ".."] {
        let (message, sent) = refused("lkc-1", value).await;
        assert!(
            message.contains("nothing was sent")
                && (message.contains("changes the path") || message.contains("`link_name`")),
            "{value}: {message}"
        );
        assert_eq!(sent, 0, "{value}");
    }
}

#[tokio::test]
async fn a_missing_required_parameter_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = catch_all(&server).await;
    let err = confluent(&server)
        .get_link()
        .cluster_id("lkc-1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("link_name was not initialized")),
        "{err:?}"
    );
    assert_eq!(any.calls_async().await, 0);
}
