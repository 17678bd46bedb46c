//! Lazy pagination through `metadata.next`.

use kafka_mirror_test_support as support;

use std::time::Duration;

use futures_util::{StreamExt, TryStreamExt};
use httpmock::MockServer;
use kafka_mirror::Error;
use kafka_mirror::confluent::types::MirrorTopicStatus;
use kafka_mirror::paginate::PaginationError;
use serde_json::{Value, json};
use support::scripted::{Reply, Scripted};
use support::*;

const PATH: &str = "/kafka/v3/clusters/c/links/-/mirrors";

fn page(topics: &[&str], next: Value) -> Value {
    let mut p = list(
        "KafkaMirrorDataList",
        topics.iter().map(|t| mirror(t, "ACTIVE")).collect(),
    );
    p["metadata"]["next"] = next;
    p
}

fn names(items: &[kafka_mirror::confluent::types::ListMirrorTopicsResponseData]) -> Vec<&str> {
    items.iter().map(|t| t.mirror_topic_name.as_str()).collect()
}

/// Serves page `i` (1-based) of `n` at `?page_token=i` (page 1 with no token).
async fn five_linked_pages(server: &MockServer) -> Vec<httpmock::Mock<'_>> {
    let mut mocks = Vec::new();
    for i in 1..=5 {
        let next = if i < 5 {
            json!(server.url(format!("{PATH}?page_token={}", i + 1)))
        } else {
            Value::Null
        };
        let body = page(&[&format!("t{i}a"), &format!("t{i}b")], next);
        let m = server
            .mock_async(|when, then| {
                let when = when.method("GET").path(PATH).header("authorization", BASIC);
                if i == 1 {
                    when.query_param_missing("page_token");
                } else {
                    when.query_param("page_token", i.to_string());
                }
                then.status(200).json_body(body);
            })
            .await;
        mocks.push(m);
    }
    mocks
}

#[tokio::test]
async fn five_pages_linked_by_absolute_urls() {
    let server = MockServer::start_async().await;
    let mocks = five_linked_pages(&server).await;
    let items: Vec<_> = confluent(&server)
        .list_all_mirror_topics()
        .cluster_id("c")
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        names(&items),
        [
            "t1a", "t1b", "t2a", "t2b", "t3a", "t3b", "t4a", "t4b", "t5a", "t5b"
        ]
    );
    for m in mocks {
        assert_eq!(m.calls_async().await, 1);
    }
}

#[tokio::test]
async fn pages_and_limits() {
    let server = MockServer::start_async().await;
    let mocks = five_linked_pages(&server).await;
    let c = confluent(&server);
    let pages: Vec<_> = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .pages()
        .max_pages(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(mocks[2].calls_async().await, 0, "no third page was fetched");
    let three = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .collect_up_to(3)
        .await
        .unwrap();
    assert_eq!(names(&three), ["t1a", "t1b", "t2a"]);
    assert_eq!(
        mocks[2].calls_async().await,
        0,
        "the page holding the third item was the last fetched"
    );
    let items: Vec<_> = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .stream()
        .max_items(5)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 5);
}

#[tokio::test]
async fn null_absent_and_empty_next_all_end_the_list() {
    for next in [Value::Null, json!(""), json!("   "), json!("absent")] {
        let server = MockServer::start_async().await;
        let mut body = page(&["only"], next.clone());
        if next == json!("absent") {
            body["metadata"].as_object_mut().unwrap().remove("next");
        }
        let m = server
            .mock_async(|when, then| {
                when.path(PATH);
                then.status(200).json_body(body);
            })
            .await;
        let items: Vec<_> = confluent(&server)
            .list_all_mirror_topics()
            .cluster_id("c")
            .stream()
            .try_collect()
            .await
            .unwrap();
        assert_eq!(names(&items), ["only"], "{next}");
        assert_eq!(m.calls_async().await, 1, "{next}");
    }
}

#[tokio::test]
async fn a_cross_origin_next_is_refused_and_nothing_reaches_that_origin() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let stolen = catch_all(&elsewhere).await;
    let next = elsewhere.url(format!("{PATH}?page_token=2"));
    server
        .mock_async(|when, then| {
            when.path(PATH);
            then.status(200).json_body(page(&["a"], json!(next)));
        })
        .await;
    let c = confluent(&server);
    let mut stream = c.list_all_mirror_topics().cluster_id("c").stream();
    assert_eq!(
        stream.try_next().await.unwrap().unwrap().mirror_topic_name,
        "a"
    );
    let err = stream.try_next().await.unwrap_err();
    assert!(
        matches!(&err, Error::Pagination(PaginationError::CrossOrigin { next: n }) if *n == next),
        "{err:?}"
    );
    assert!(stream.next().await.is_none(), "the stream ended");
    assert_eq!(stolen.calls_async().await, 0);

    // Another port on the same host is another origin too.
    let port_next = format!("http://127.0.0.1:{}{PATH}", server.address().port() + 1);
    let server2 = MockServer::start_async().await;
    server2
        .mock_async(|when, then| {
            when.path(PATH);
            then.status(200).json_body(page(&["a"], json!(port_next)));
        })
        .await;
    let err = confluent(&server2)
        .list_all_mirror_topics()
        .cluster_id("c")
        .collect_up_to(100)
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::Pagination(PaginationError::CrossOrigin { .. })
    ));
}

#[tokio::test]
async fn a_relative_next_is_resolved_against_the_base_url() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path(PATH).query_param_missing("page_token");
            then.status(200)
                .json_body(page(&["a"], json!(format!("{PATH}?page_token=2"))));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path(PATH)
                .query_param("page_token", "2")
                .header("authorization", BASIC);
            then.status(200).json_body(page(&["b"], Value::Null));
        })
        .await;
    let items = confluent(&server)
        .list_all_mirror_topics()
        .cluster_id("c")
        .collect_up_to(10)
        .await
        .unwrap();
    assert_eq!(names(&items), ["a", "b"]);
    second.assert_async().await;
}

#[tokio::test]
async fn a_next_already_fetched_is_a_loop_error() {
    let server = MockServer::start_async().await;
    let p2 = server.url(format!("{PATH}?page_token=2"));
    server
        .mock_async(|when, then| {
            when.path(PATH).query_param_missing("page_token");
            then.status(200).json_body(page(&["a"], json!(p2)));
        })
        .await;
    // Page 2 points to itself.
    let again = server
        .mock_async(|when, then| {
            when.path(PATH).query_param("page_token", "2");
            then.status(200).json_body(page(&["b"], json!(p2)));
        })
        .await;
    let c = confluent(&server);
    let mut stream = c.list_all_mirror_topics().cluster_id("c").stream();
    let mut got = Vec::new();
    let err = loop {
        match stream.next().await {
            Some(Ok(t)) => got.push(t.mirror_topic_name),
            Some(Err(e)) => break e,
            None => panic!("the loop was not detected"),
        }
    };
    assert_eq!(got, ["a", "b"]);
    assert!(
        matches!(err, Error::Pagination(PaginationError::Loop { .. })),
        "{err:?}"
    );
    assert_eq!(again.calls_async().await, 1);
}

#[tokio::test]
async fn an_error_on_page_two_surfaces_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    let p2 = server.url(format!("{PATH}?page_token=2"));
    server
        .mock_async(|when, then| {
            when.path(PATH).query_param_missing("page_token");
            then.status(200).json_body(page(&["a"], json!(p2)));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path(PATH).query_param("page_token", "2");
            then.status(500)
                .json_body(json!({"error_code": 50002, "message": "broken"}));
        })
        .await;
    let c = confluent(&server);
    let mut stream = c.list_all_mirror_topics().cluster_id("c").stream();
    assert!(stream.next().await.unwrap().is_ok());
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.error_code(), Some(50002));
    assert_eq!(err.status().unwrap(), 500);
    assert!(stream.next().await.is_none());
}

#[tokio::test]
async fn nothing_is_sent_until_polled_and_dropping_stops_it() {
    let server = MockServer::start_async().await;
    let mocks = five_linked_pages(&server).await;
    let c = confluent(&server);
    let stream = c.list_all_mirror_topics().cluster_id("c").stream();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        mocks[0].calls_async().await,
        0,
        "a stream not polled sends nothing"
    );
    let mut stream = stream;
    stream.next().await.unwrap().unwrap();
    stream.next().await.unwrap().unwrap();
    drop(stream);
    assert_eq!(mocks[0].calls_async().await, 1);
    assert_eq!(mocks[1].calls_async().await, 0, "page 2 was never needed");
}

#[tokio::test]
async fn the_first_request_carries_the_query_and_next_is_used_as_given() {
    let server = MockServer::start_async().await;
    let next = server.url(format!("{PATH}?page_token=abc%3D%3D&limit=2"));
    let first = server
        .mock_async(|when, then| {
            when.path(PATH)
                .query_param("mirror_status", "PAUSED")
                .query_param_missing("page_token");
            then.status(200).json_body(page(&["a"], json!(next)));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.path(PATH)
                .query_param("page_token", "abc==")
                .query_param("limit", "2")
                .query_param_missing("mirror_status");
            then.status(200).json_body(page(&["b"], Value::Null));
        })
        .await;
    let items = confluent(&server)
        .list_all_mirror_topics()
        .cluster_id("c")
        .mirror_status(MirrorTopicStatus::Paused)
        .collect_up_to(10)
        .await
        .unwrap();
    assert_eq!(names(&items), ["a", "b"]);
    first.assert_async().await;
    second.assert_async().await;
}

#[tokio::test(start_paused = true)]
async fn a_429_on_page_three_is_retried_and_the_stream_goes_on() {
    let s = Scripted::start(vec![], Reply::status(599)).await;
    let url = s.url().to_string();
    let next = |i: u32| json!(format!("{url}{PATH}?page_token={i}"));
    s.push([
        Reply::json(200, page(&["a"], next(2))),
        Reply::json(200, page(&["b"], next(3))),
        Reply::text(429, "text/html", HTML_429).header("retry-after", "1"),
        Reply::json(200, page(&["c"], Value::Null)),
    ]);
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let c = kafka_mirror::confluent::Client::builder(&url)
        .basic_auth(KEY, SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let items = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .collect_up_to(10)
        .await
        .unwrap();
    assert_eq!(names(&items), ["a", "b", "c"]);
    assert_eq!(
        s.requests(),
        [
            format!("GET {PATH}"),
            format!("GET {PATH}?page_token=2"),
            format!("GET {PATH}?page_token=3"),
            format!("GET {PATH}?page_token=3"),
        ]
    );
}

#[tokio::test]
async fn every_list_operation_pages() {
    // list_links, list_link_configs and list_mirror_topics too.
    let server = MockServer::start_async().await;
    let p2 = server.url("/kafka/v3/clusters/c/links?page_token=2");
    server
        .mock_async(|when, then| { when.path("/kafka/v3/clusters/c/links").query_param_missing("page_token"); then.status(200).json_body(json!({"kind": "KafkaLinkDataList", "metadata": {"self": "s", "next": p2}, "data": [link("one")]})); })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/kafka/v3/clusters/c/links")
                .query_param("page_token", "2");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![link("two")]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/kafka/v3/clusters/c/links/l/configs");
            then.status(200)
                .json_body(list("KafkaLinkConfigDataList", vec![link_config("a", "1")]));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/kafka/v3/clusters/c/links/l/mirrors");
            then.status(200).json_body(page(&["m"], Value::Null));
        })
        .await;
    let c = confluent(&server);
    let links = c
        .list_links()
        .cluster_id("c")
        .collect_up_to(10)
        .await
        .unwrap();
    assert_eq!(
        links
            .iter()
            .map(|l| l.link_name.as_str())
            .collect::<Vec<_>>(),
        ["one", "two"]
    );
    assert_eq!(
        c.list_link_configs()
            .cluster_id("c")
            .link_name("l")
            .collect_up_to(10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        c.list_mirror_topics()
            .cluster_id("c")
            .link_name("l")
            .collect_up_to(10)
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn prefetch_requests_the_next_page_while_the_current_one_is_used() {
    for prefetch in [0, 1] {
        let server = MockServer::start_async().await;
        let mocks = five_linked_pages(&server).await;
        let c = confluent(&server);
        let mut pages = c
            .list_all_mirror_topics()
            .cluster_id("c")
            .pages()
            .prefetch(prefetch);
        let first = pages.next().await.unwrap().unwrap();
        assert_eq!(names(&first.data), ["t1a", "t1b"]);
        // Give the next request time to arrive, with nothing pulling the stream.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let second_requested = mocks[1].calls_async().await;
        assert_eq!(second_requested, prefetch, "prefetch({prefetch})");
        // Never more than one page ahead.
        assert_eq!(mocks[2].calls_async().await, 0);
        let rest: Vec<_> = pages.try_collect().await.unwrap();
        assert_eq!(rest.len(), 4);
        for m in &mocks {
            m.assert_calls_async(1).await;
        }
    }
}

#[tokio::test]
async fn with_prefetch_an_error_on_the_next_page_comes_after_the_current_items() {
    let server = MockServer::start_async().await;
    let next = json!(server.url(format!("{PATH}?page_token=2")));
    server
        .mock_async(|when, then| {
            when.method("GET")
                .path(PATH)
                .query_param_missing("page_token");
            then.status(200).json_body(page(&["a", "b"], next));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method("GET").path(PATH).query_param("page_token", "2");
            then.status(400)
                .json_body(json!({"error_code": 400, "message": "bad page"}));
        })
        .await;
    let c = confluent(&server);
    let mut items = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .stream()
        .prefetch(1);
    assert_eq!(items.next().await.unwrap().unwrap().mirror_topic_name, "a");
    assert_eq!(items.next().await.unwrap().unwrap().mirror_topic_name, "b");
    let e = items.next().await.unwrap().unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(400));
    assert!(items.next().await.is_none());
}

#[tokio::test]
async fn with_prefetch_a_cross_origin_next_is_still_refused() {
    let server = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let stolen = elsewhere
        .mock_async(|_, then| {
            then.status(200);
        })
        .await;
    let next = json!(elsewhere.url(format!("{PATH}?page_token=2")));
    server
        .mock_async(|when, then| {
            when.method("GET").path(PATH);
            then.status(200).json_body(page(&["a"], next));
        })
        .await;
    let c = confluent(&server);
    let all: Vec<_> = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .pages()
        .prefetch(1)
        .collect()
        .await;
    assert_eq!(all.len(), 2);
    assert!(all[0].is_ok());
    assert!(matches!(
        all[1],
        Err(Error::Pagination(PaginationError::CrossOrigin { .. }))
    ));
    assert_eq!(stolen.calls_async().await, 0);
}

#[tokio::test]
async fn streams_debug_print_their_page_type_and_state() {
    let server = MockServer::start_async().await;
    let c = confluent(&server);
    let pages = c.list_all_mirror_topics().cluster_id("c").pages();
    let printed = format!("{pages:?}");
    assert!(printed.starts_with("Pages { page: \""), "{printed}");
    assert!(printed.contains("MirrorTopics"), "{printed}");
    let items = c
        .list_all_mirror_topics()
        .cluster_id("c")
        .stream()
        .max_items(3);
    let printed = format!("{items:?}");
    assert!(printed.starts_with("Items { page: \""), "{printed}");
    assert!(
        printed.contains("buffered: 0, left: Some(3), done: false"),
        "{printed}"
    );
}
