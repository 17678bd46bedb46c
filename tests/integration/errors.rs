//! Every error shape: status, vendor body parsed, raw text kept when it is
//! not JSON, helpers; and no answer, however malformed, panics.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::{Error, VendorError};
use serde_json::json;
use support::*;

async fn confluent_error(status: u16, content_type: &str, body: &str) -> Error {
    let server = MockServer::start_async().await;
    let (ct, b) = (content_type.to_string(), body.to_string());
    server
        .mock_async(move |_, then| {
            then.status(status).header("content-type", ct).body(b);
        })
        .await;
    confluent(&server)
        .list_links()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err()
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
    let url = format!("{}/kafka/v3/clusters/c/links", server_url(&e));
    let line = e.to_string();
    let (message, tally) = line.rsplit_once(" (").unwrap();
    assert_eq!(
        message,
        format!(
            "GET {url} answered 400 Bad Request (error code 40035): \
             The version of this API is not supported"
        )
    );
    assert!(
        tally.starts_with("1 attempt in ") && tally.ends_with(" s)"),
        "{line}"
    );
    assert_eq!(e.attempts(), Some(1));
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
    let e = instaclustr(&server)
        .list_mirrors()
        .cluster_id(cluster_uuid())
        .send()
        .await
        .unwrap_err();
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
    let e = instaclustr(&server)
        .list_mirrors()
        .cluster_id(cluster_uuid())
        .send()
        .await
        .unwrap_err();
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
        let e = confluent(&server)
            .list_links()
            .cluster_id("c")
            .send()
            .await
            .unwrap_err();
        let Error::Decode { body: got, .. } = &e else {
            panic!("{body:?}: {e:?}")
        };
        assert_eq!(got, body);
        assert_eq!(e.status().map(|s| s.as_u16()), Some(200));
        assert_eq!(e.attempts(), Some(1));
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
    let e = confluent(&server)
        .list_links()
        .cluster_id("c")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::UnexpectedStatus { status, .. } if status == 302),
        "{e:?}"
    );
    assert_eq!(e.attempts(), Some(1));
}

#[tokio::test]
async fn no_server_is_a_transport_error() {
    let c = kafka_mirror::confluent::Client::builder("http://127.0.0.1:9")
        .basic_auth(KEY, SECRET)
        .retry(kafka_mirror::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(!format!("{e:?}{e}").contains(SECRET));
}

/// The host and port of the mock server a request went to.
fn server_url(e: &Error) -> String {
    let url = reqwest::Url::parse(e.request().expect("sent").url()).unwrap();
    format!("http://127.0.0.1:{}", url.port().unwrap())
}

fn quick_retries(attempts: u32) -> kafka_mirror::retry::RetryPolicy {
    kafka_mirror::retry::RetryPolicy::default()
        .max_attempts(attempts)
        .max_throttled_retries(attempts - 1)
        .base_delay(std::time::Duration::from_millis(1))
        .max_delay(std::time::Duration::from_millis(2))
}

#[tokio::test]
async fn a_429_that_exhausts_retries_says_attempts_and_cause_in_one_line() {
    let server = MockServer::start_async().await;
    let page = server
        .mock_async(|_, then| {
            then.status(429)
                .header("content-type", "text/html")
                .body(HTML_429);
        })
        .await;
    let c = kafka_mirror::confluent::Client::builder(server.base_url())
        .basic_auth(KEY, SECRET)
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    page.assert_calls_async(3).await;
    assert_eq!(e.attempts(), Some(3));
    assert!(e.elapsed().is_some());
    let line = e.to_string();
    assert!(!line.contains('\n'), "{line}");
    let start = format!(
        "GET {}/kafka/v3/clusters/c/links answered 429 Too Many Requests: \
         HTML page \"Error 429 Too Many Requests\"",
        server.base_url()
    );
    assert!(line.starts_with(&start), "{line}");
    assert!(line.contains(" (3 attempts in "), "{line}");
    assert!(line.ends_with(" s)"), "{line}");
    // Only the service's own headers: nothing the SDK made up.
    let headers = e.api().unwrap().headers();
    assert!(
        headers
            .keys()
            .all(|k| !k.as_str().starts_with("x-kafka-mirror")),
        "{headers:?}"
    );
}

#[tokio::test]
async fn a_refused_connection_names_its_cause_and_attempts() {
    // Port 1 (tcpmux): nothing listens there on a test machine. A port
    // bound and dropped here could be taken by a test running beside it.
    let port = 1;
    let c = kafka_mirror::confluent::Client::builder(format!("http://127.0.0.1:{port}"))
        .basic_auth(KEY, SECRET)
        .retry(quick_retries(3))
        .build()
        .unwrap();
    let e = c
        .get_link()
        .cluster_id("c")
        .link_name("dr")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.attempts(), Some(3));
    let line = e.to_string();
    let start = format!(
        "connection refused: GET http://127.0.0.1:{port}/kafka/v3/clusters/c/links/dr (3 attempts in "
    );
    assert!(line.starts_with(&start), "{line}");
    let Error::Transport { cause, source, .. } = &e else {
        panic!("{e:?}")
    };
    assert!(source.is_connect());
    assert_eq!(cause, "connection refused");
    assert!(!e.is_timeout());
    // The chain keeps reqwest's error, and the top line does not repeat it.
    let source = std::error::Error::source(&e)
        .expect("reqwest's error")
        .to_string();
    assert!(!line.contains(&source), "{line} / {source}");
    assert!(!format!("{e:?}{e}").contains(SECRET));
}

/// A user's function: every call's error is already `kafka_mirror::Error`.
async fn link_state(
    c: &kafka_mirror::confluent::Client,
) -> Result<Option<String>, kafka_mirror::Error> {
    let link = c
        .get_link()
        .cluster_id("lkc-1")
        .link_name("dr")
        .send()
        .await?;
    Ok(link.link_state.as_ref().map(ToString::to_string))
}

#[tokio::test]
async fn question_mark_works_in_a_function_returning_the_crate_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|_, then| {
            then.status(404)
                .json_body(json!({"error_code": 40403, "message": "Link not found"}));
        })
        .await;
    let e = link_state(&confluent(&server)).await.unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.error_code(), Some(40403));
}

#[tokio::test]
async fn a_server_that_never_answers_is_a_timeout() {
    // Accepts connections and reads nothing back: the answer never comes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let c = kafka_mirror::confluent::Client::builder(format!("http://127.0.0.1:{port}"))
        .basic_auth(KEY, SECRET)
        .timeout(std::time::Duration::from_millis(200))
        .retry(kafka_mirror::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    held.abort();
    assert!(e.is_timeout(), "{e:?}");
    assert_eq!(e.attempts(), Some(1));
    let line = e.to_string();
    assert!(
        line.starts_with(&format!(
            "timed out: GET http://127.0.0.1:{port}/kafka/v3/clusters/c/links (1 attempt in "
        )),
        "{line}"
    );
}
