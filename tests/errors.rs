//! Every error shape: status, vendor body parsed, raw text kept when it is
//! not JSON, helpers; and no answer, however malformed, panics.

mod common;

use common::*;
use httpmock::MockServer;
use kafka_mirror::{Error, VendorError};
use serde_json::json;

async fn confluent_error(status: u16, content_type: &str, body: &str) -> Error {
    let server = MockServer::start_async().await;
    let (ct, b) = (content_type.to_string(), body.to_string());
    server
        .mock_async(move |_, then| {
            then.status(status).header("content-type", ct).body(b);
        })
        .await;
    Error::from(
        confluent(&server)
            .list_kafka_links()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err(),
    )
}

#[tokio::test]
async fn confluent_json_error_is_parsed() {
    let e = confluent_error(
        400,
        "application/json",
        r#"{"error_code":40035,"message":"The version of this API is not supported"}"#,
    )
    .await;
    assert_eq!(e.status().unwrap(), 400);
    assert_eq!(e.error_code(), Some(40035));
    let api = e.api().unwrap();
    assert_eq!(
        api.message(),
        Some("The version of this API is not supported")
    );
    assert!(matches!(api.vendor(), Some(VendorError::Confluent(c)) if c.error_code == Some(40035)));
    assert_eq!(
        e.to_string(),
        "the service answered 400 Bad Request (error code 40035): The version of this API is not supported"
    );
}

#[tokio::test]
async fn confluent_authentication_failure() {
    let e = confluent_error(
        401,
        "application/json",
        r#"{"error_code":40101,"message":"Authentication failed"}"#,
    )
    .await;
    assert!(e.is_unauthorized());
    assert_eq!(e.error_code(), Some(40101));
}

#[tokio::test]
async fn confluent_429_html_page_keeps_its_text() {
    let e = confluent_error(429, "text/html", HTML_429).await;
    assert!(e.is_rate_limited());
    let api = e.api().unwrap();
    assert_eq!(api.raw_body(), HTML_429);
    assert_eq!(api.vendor(), None);
    assert_eq!(api.headers()["content-type"], "text/html");
}

#[tokio::test]
async fn confluent_500_with_50003_and_50002() {
    for code in [50003, 50002] {
        let e = confluent_error(
            500,
            "application/json",
            &json!({"error_code": code, "message": "Kafka error"}).to_string(),
        )
        .await;
        assert_eq!(e.status().unwrap(), 500);
        assert_eq!(e.error_code(), Some(code));
    }
}

#[tokio::test]
async fn a_proxy_502_page_keeps_its_text() {
    let page = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>";
    let e = confluent_error(502, "text/html", page).await;
    assert_eq!(e.status().unwrap(), 502);
    assert_eq!(e.api().unwrap().raw_body(), page);
    assert_eq!(e.error_code(), None);
}

#[tokio::test]
async fn a_truncated_json_error_keeps_its_text() {
    let e = confluent_error(500, "application/json", r#"{"error_code":500,"mess"#).await;
    assert_eq!(e.api().unwrap().raw_body(), r#"{"error_code":500,"mess"#);
    assert_eq!(e.error_code(), None);
}

#[tokio::test]
async fn instaclustr_error_shape_is_parsed() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(400).json_body(json!({
                "status": 400, "message": "newTargetLatency too small", "errorDetails": {"field": "newTargetLatency"},
                "code": 1234, "link": "https://www.instaclustr.com/support"
            }));
        })
        .await;
    let e = Error::from(
        instaclustr(&server)
            .list_mirrors()
            .cluster_id(cluster_uuid())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(e.error_code(), Some(1234));
    let Some(VendorError::Instaclustr(i)) = e.api().unwrap().vendor() else {
        panic!("{e:?}")
    };
    assert_eq!(i.status, Some(400));
    assert_eq!(i.error_details, Some(json!({"field": "newTargetLatency"})));
    assert_eq!(
        i.link.as_deref(),
        Some("https://www.instaclustr.com/support")
    );
}

#[tokio::test]
async fn instaclustr_429_is_rate_limited() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(429).body("Too many requests");
        })
        .await;
    let e = Error::from(
        instaclustr(&server)
            .list_mirrors()
            .cluster_id(cluster_uuid())
            .send()
            .await
            .unwrap_err(),
    );
    assert!(e.is_rate_limited());
    assert_eq!(e.api().unwrap().raw_body(), "Too many requests");
}

#[tokio::test]
async fn a_success_with_html_or_truncated_json_is_a_decode_error() {
    for body in [
        "<html>maintenance</html>",
        r#"{"kind":"KafkaLinkDataList","metadata":{"#,
        "",
        "null",
        "[]",
    ] {
        let server = MockServer::start_async().await;
        let b = body.to_string();
        server
            .mock_async(move |_, then| {
                then.status(200).body(b);
            })
            .await;
        let e = Error::from(
            confluent(&server)
                .list_kafka_links()
                .cluster_id("c")
                .send()
                .await
                .unwrap_err(),
        );
        let Error::Decode { body: got, .. } = &e else {
            panic!("{body:?}: {e:?}")
        };
        assert_eq!(got, body);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_an_unexpected_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(302)
                .header("location", "http://127.0.0.1:9/steal");
        })
        .await;
    let e = Error::from(
        confluent(&server)
            .list_kafka_links()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err(),
    );
    assert!(
        matches!(e, Error::UnexpectedStatus { status } if status == 302),
        "{e:?}"
    );
}

#[tokio::test]
async fn no_server_is_a_transport_error() {
    let c = kafka_mirror::confluent::Client::builder("http://127.0.0.1:9")
        .basic_auth(KEY, SECRET)
        .retry(kafka_mirror::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = Error::from(
        c.list_kafka_links()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err(),
    );
    assert!(matches!(e, Error::Transport(_)), "{e:?}");
    assert!(!format!("{e:?}{e}").contains(SECRET));
}
