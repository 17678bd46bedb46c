//! Typed mocks for testing code that uses this crate, without an account
//! (feature `mock`, off by default: `kafka-mirror = { version = "…",
//! features = ["mock"] }` under `[dev-dependencies]`).
//!
//! Each API has typed [`httpmock`] helpers generated from the same spec as
//! the client ([`ConfluentMockExt`], [`InstaclustrV2MockExt`],
//! [`InstaclustrMockExt`]): one method per
//! operation, whose `when` matches the operation's method and path and takes
//! its parameters, and whose `then` takes the operation's typed answers.
//! Instaclustr's two APIs share method names (`get_mirror`...): with both
//! traits in scope, call `InstaclustrV2MockExt::get_mirror(&server, ..)`.
//! The functions here fake what tests need most: a multi-page list, a 429
//! with Confluent's HTML page, a 500 with the retriable code 50003, and an
//! alter action where one topic failed.
//!
//! ```
//! use httpmock::MockServer;
//! use kafka_mirror::confluent::types::AlterMirrorsRequestData;
//! use kafka_mirror::mock::{self, ConfluentMockExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let server = MockServer::start_async().await;
//! let promote = server.promote_mirror_topics(|when, then| {
//!     when.cluster_id("lkc-dr").link_name("dr");
//!     then.ok(&mock::alter_result(&["orders"], &[("payments", 400, "Topic 'payments' has already stopped its mirror")]));
//! });
//!
//! let c = mock::confluent_client(&server);
//! let answer = c
//!     .promote_mirror_topics()
//!     .cluster_id("lkc-dr")
//!     .link_name("dr")
//!     .body(AlterMirrorsRequestData { mirror_topic_names: vec!["orders".into(), "payments".into()], ..Default::default() })
//!     .send()
//!     .await
//!     .unwrap();
//! assert_eq!(answer.failed()[0].mirror_topic_name, "payments");
//! promote.assert();
//! # }
//! ```

use httpmock::{Method, Mock, MockServer};
use serde::Serialize;
use serde_json::json;

use crate::confluent::types::{
    AlterMirrorStatusResponseData, AlterMirrorStatusResponseDataList, ListLinksResponseData,
    ListMirrorTopicsResponseData, MirrorLag, MirrorTopicStatus, ResourceCollectionMetadata,
    ResourceMetadata,
};
use crate::retry::RetryPolicy;

pub use confluent::MockServerExt as ConfluentMockExt;
pub use instaclustr::MockServerExt as InstaclustrMockExt;
pub use instaclustr_v2::MockServerExt as InstaclustrV2MockExt;

crate::runtime::generated_module!(
    /// Typed httpmock helpers for the Confluent API, generated from its spec.
    pub mod confluent = "confluent_mock.rs"
);

crate::runtime::generated_module!(
    /// Typed httpmock helpers for the Instaclustr API, generated from its spec.
    pub mod instaclustr = "instaclustr_mock.rs"
);

crate::runtime::generated_module!(
    /// Typed httpmock helpers for Instaclustr's Cluster Management API v2,
    /// generated from its spec.
    pub mod instaclustr_v2 = "instaclustr_v2_mock.rs"
);

/// Credentials the clients below send; mocks may match on them.
pub const API_KEY: &str = "mock-key";
/// See [`API_KEY`].
pub const API_SECRET: &str = "mock-secret";

/// A Confluent client for `server`, with basic auth ([`API_KEY`],
/// [`API_SECRET`]) and no retries, so a test sees each answer as mocked.
pub fn confluent_client(server: &MockServer) -> crate::confluent::Client {
    crate::confluent::Client::builder(server.base_url())
        .basic_auth(API_KEY, API_SECRET)
        .retry(RetryPolicy::none())
        .build()
        .expect("a mock server's URL is a valid base URL")
}

/// An Instaclustr client for `server`, as [`confluent_client`].
pub fn instaclustr_client(server: &MockServer) -> crate::instaclustr::Client {
    crate::instaclustr::Client::builder(server.base_url())
        .basic_auth(API_KEY, API_SECRET)
        .retry(RetryPolicy::none())
        .build()
        .expect("a mock server's URL is a valid base URL")
}

/// A client of Instaclustr's v2 API for `server`, as [`confluent_client`].
pub fn instaclustr_v2_client(server: &MockServer) -> crate::instaclustr_v2::Client {
    crate::instaclustr_v2::Client::builder(server.base_url())
        .basic_auth(API_KEY, API_SECRET)
        .retry(RetryPolicy::none())
        .build()
        .expect("a mock server's URL is a valid base URL")
}

/// Serves `pages` of a Confluent list at `path` (for example
/// `/kafka/v3/clusters/lkc-1/links/-/mirrors`), linked through
/// `metadata.next` with absolute URLs on the mock server itself: the first
/// page answers a request without `page_token`, page `n` one with
/// `page_token=n`. Returns one mock per page, to assert on.
pub fn paged_list<'a, T: Serialize>(
    server: &'a MockServer,
    path: &str,
    kind: &str,
    pages: Vec<Vec<T>>,
) -> Vec<Mock<'a>> {
    let count = pages.len();
    pages
        .into_iter()
        .enumerate()
        .map(|(i, items)| {
            let n = i + 1;
            let next = (n < count).then(|| server.url(format!("{path}?page_token={}", n + 1)));
            let body = json!({
                "kind": kind,
                "metadata": {"self": server.url(path), "next": next},
                "data": items,
            });
            server.mock(|when, then| {
                let when = when.method(Method::GET).path(path);
                if n == 1 {
                    when.query_param_missing("page_token");
                } else {
                    when.query_param("page_token", n.to_string());
                }
                then.status(200)
                    .header("content-type", "application/json")
                    .json_body(body);
            })
        })
        .collect()
}

/// Confluent's 429 page (Jetty's DoSFilter), as its REST API sends it.
pub const CONFLUENT_429_HTML: &str = "<html> <head> <meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/> \
<title>Error 429 Too Many Requests</title> </head> <body> <h2>HTTP ERROR 429 Too Many Requests</h2> <table> <tr> \
<th>URI:</th> <td>/v3/clusters/my-cluster</td> </tr> <tr> <th>STATUS:</th> <td>429</td> </tr> <tr> <th>MESSAGE:</th> \
<td>Too Many Requests</td> </tr> <tr> <th>SERVLET:</th> <td>default</td> </tr> </table> </body> </html>";

/// Answers `method path` with a 429 and Confluent's HTML page.
pub fn rate_limited<'a>(server: &'a MockServer, method: Method, path: &str) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(method).path(path);
        then.status(429)
            .header("content-type", "text/html;charset=utf-8")
            .body(CONFLUENT_429_HTML);
    })
}

/// Answers `method path` with a 500 carrying the retriable Kafka error 50003.
pub fn retriable_kafka_error<'a>(server: &'a MockServer, method: Method, path: &str) -> Mock<'a> {
    server.mock(|when, then| {
        when.method(method).path(path);
        then.status(500)
            .header("content-type", "application/json")
            .json_body(json!({"error_code": 50003, "message": "This server is not the leader for that topic-partition."}));
    })
}

/// The answer of a `mirrors:*` action: `applied` topics succeeded, each of
/// `failed` carries its `(topic, error_code, error_message)`.
pub fn alter_result(
    applied: &[&str],
    failed: &[(&str, i64, &str)],
) -> AlterMirrorStatusResponseDataList {
    let item =
        |topic: &str, code: Option<i64>, message: Option<String>| AlterMirrorStatusResponseData {
            kind: "AlterMirrorsData".into(),
            metadata: ResourceMetadata {
                self_: format!("mock://mirrors/{topic}"),
                resource_name: None,
            },
            mirror_topic_name: topic.into(),
            error_code: code,
            error_message: message,
            mirror_lags: vec![MirrorLag {
                partition: 0,
                lag: 0,
                last_source_fetch_offset: 0,
            }],
            messages_truncated: None,
            partition_level_truncation_data: None,
        };
    let mut data: Vec<_> = applied.iter().map(|t| item(t, None, None)).collect();
    data.extend(
        failed
            .iter()
            .map(|(t, code, msg)| item(t, Some(*code), Some(msg.to_string()))),
    );
    AlterMirrorStatusResponseDataList {
        kind: "KafkaPromoteMirror".into(),
        metadata: ResourceCollectionMetadata {
            self_: "mock://mirrors".into(),
            next: None,
        },
        data,
    }
}

/// A mirror topic of `link` with one partition per entry of `lags`.
pub fn mirror_topic(
    link: &str,
    topic: &str,
    status: MirrorTopicStatus,
    lags: &[i64],
) -> ListMirrorTopicsResponseData {
    ListMirrorTopicsResponseData {
        kind: "KafkaMirrorData".into(),
        metadata: ResourceMetadata {
            self_: format!("mock://links/{link}/mirrors/{topic}"),
            resource_name: None,
        },
        link_name: link.into(),
        mirror_topic_name: topic.into(),
        source_topic_name: topic.into(),
        num_partitions: lags.len() as i64,
        mirror_lags: lags
            .iter()
            .enumerate()
            .map(|(p, lag)| MirrorLag {
                partition: p as i64,
                lag: *lag,
                last_source_fetch_offset: 1_000,
            })
            .collect(),
        mirror_status: status,
        mirror_topic_error: None,
        state_time_ms: 0,
        mirror_state_transition_errors: Vec::new(),
    }
}

/// A cluster link named `name`, active, mirroring `topics`.
pub fn link(name: &str, topics: &[&str]) -> ListLinksResponseData {
    ListLinksResponseData {
        kind: "KafkaLinkData".into(),
        metadata: ResourceMetadata {
            self_: format!("mock://links/{name}"),
            resource_name: None,
        },
        link_name: name.into(),
        cluster_link_id: format!("id-{name}"),
        topic_names: topics.iter().map(|t| t.to_string()).collect(),
        link_state: Some(crate::confluent::types::LinkState::Active),
        source_cluster_id: Some("lkc-source".into()),
        destination_cluster_id: None,
        remote_cluster_id: None,
        link_id: None,
        link_error: None,
        link_error_message: None,
        tasks: None,
        category_counts: None,
    }
}
