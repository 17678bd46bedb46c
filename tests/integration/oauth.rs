//! Refreshable bearer tokens: the OAuth client-credentials grant against a
//! local token endpoint that records what it is sent, and a local API that
//! records every header it gets. Tests that wait run on tokio's paused
//! clock, with HTTP clients that have no timers of their own.

use kafka_mirror_test_support as support;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kafka_mirror::auth::{
    AccessToken, ClientAuthentication, OAuthClientCredentials, TokenProvider,
};
use kafka_mirror::error::AuthError;
use kafka_mirror::retry::RetryPolicy;
use kafka_mirror::{ConfigError, Error};
use serde_json::json;
use support::list;

const CLIENT_ID: &str = "0oa-client";
const CLIENT_SECRET: &str = "s3cr3t-Value~x";
const POOL: &str = "pool-AbCd";

/// One request as a server got it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Every header value and the body, for "does this secret appear".
    fn everything(&self) -> String {
        let headers: Vec<String> = self
            .headers
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap_or("")))
            .collect();
        format!(
            "{} {}\n{}\n{}",
            self.method,
            self.uri,
            headers.join("\n"),
            self.body
        )
    }
}

type Handler = Arc<dyn Fn(&Seen, u32) -> Response + Send + Sync>;

/// A local HTTP server answering with `handler(request, n)` (n counts from
/// 1) and recording every request.
#[derive(Clone)]
struct Server {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(handler: impl Fn(&Seen, u32) -> Response + Send + Sync + 'static) -> Self {
        let handler: Handler = Arc::new(handler);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let count = Arc::new(AtomicU32::new(0));
        let (s, c) = (seen.clone(), count.clone());
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let (handler, seen, count) = (handler.clone(), s.clone(), c.clone());
                async move {
                    let request = Seen {
                        method,
                        uri,
                        headers,
                        body: String::from_utf8_lossy(&body).into_owned(),
                    };
                    let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                    seen.lock().unwrap().push(request.clone());
                    handler(&request, n)
                }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    fn hits(&self) -> usize {
        self.seen.lock().unwrap().len()
    }
}

fn json_response(status: u16, body: serde_json::Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A token endpoint issuing `t1`, `t2`, ... valid for `lifetime`.
async fn token_endpoint(lifetime: Duration) -> Server {
    Server::start(move |_, n| {
        json_response(
            200,
            json!({"access_token": format!("t{n}"), "token_type": "Bearer", "expires_in": lifetime.as_secs()}),
        )
    })
    .await
}

/// An API answering every request with an empty link list, and 401 (40101)
/// to the bearer tokens in `refused`.
async fn api(refused: &'static [&'static str]) -> Server {
    Server::start(move |r, _| {
        let auth = r.header("authorization").unwrap_or("");
        if refused.iter().any(|t| auth == format!("Bearer {t}")) {
            return json_response(
                401,
                json!({"error_code": 40101, "message": "The access token has expired"}),
            );
        }
        json_response(200, list("KafkaLinkDataList", vec![]))
    })
    .await
}

/// An HTTP client with no timers (no timeout, no idle pool), for paused clocks.
fn http() -> reqwest::Client {
    kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

fn credentials(token_url: &str) -> OAuthClientCredentials {
    OAuthClientCredentials::new(
        format!("{token_url}/oauth2/token"),
        CLIENT_ID,
        CLIENT_SECRET,
    )
    .http_client(http())
}

fn client(api: &Server, creds: OAuthClientCredentials) -> kafka_mirror::confluent::Client {
    kafka_mirror::confluent::Client::builder(&api.url)
        .oauth_client_credentials(creds)
        .identity_pool_id(POOL)
        .http_client(http())
        .no_rate_limit()
        .build()
        .unwrap()
}

async fn list_links(c: &kafka_mirror::confluent::Client) -> Result<(), Error> {
    c.list_links().cluster_id("lkc-1").send().await.map(|_| ())
}

#[tokio::test]
async fn oauth_token_request_is_a_form_post_with_basic_client_authentication() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    let api = api(&[]).await;
    let c = client(
        &api,
        credentials(&idp.url)
            .scope("api://kafka/.default")
            .audience("confluent"),
    );
    for _ in 0..3 {
        list_links(&c).await.unwrap();
    }
    let token_requests = idp.seen();
    assert_eq!(token_requests.len(), 1, "one token for three calls");
    let t = &token_requests[0];
    assert_eq!(t.method, Method::POST);
    assert_eq!(t.uri.path(), "/oauth2/token");
    assert_eq!(
        t.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(t.header("accept"), Some("application/json"));
    // base64("0oa-client:s3cr3t-Value~x"): unreserved characters unescaped.
    assert_eq!(
        t.header("authorization"),
        Some("Basic MG9hLWNsaWVudDpzM2NyM3QtVmFsdWV+eA==")
    );
    assert_eq!(
        t.body,
        "grant_type=client_credentials&scope=api%3A%2F%2Fkafka%2F.default&audience=confluent"
    );
    for r in api.seen() {
        assert_eq!(r.header("authorization"), Some("Bearer t1"));
        assert_eq!(r.header("confluent-identity-pool-id"), Some(POOL));
        assert_eq!(r.uri.path(), "/kafka/v3/clusters/lkc-1/links");
    }
    assert_eq!(api.hits(), 3);
}

#[tokio::test]
async fn oauth_client_secret_goes_in_the_form_body_when_asked() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    let api = api(&[]).await;
    let c = client(
        &api,
        credentials(&idp.url).client_authentication(ClientAuthentication::FormBody),
    );
    list_links(&c).await.unwrap();
    let t = &idp.seen()[0];
    assert_eq!(t.header("authorization"), None);
    assert_eq!(
        t.body,
        "grant_type=client_credentials&client_id=0oa-client&client_secret=s3cr3t-Value%7Ex"
    );
}

#[tokio::test]
async fn oauth_token_is_fetched_once_for_100_concurrent_calls() {
    // A slow token endpoint: every call arrives before the token does.
    let idp = Server::start(|_, n| {
        std::thread::sleep(Duration::from_millis(200));
        json_response(
            200,
            json!({"access_token": format!("t{n}"), "token_type": "Bearer", "expires_in": 900}),
        )
    })
    .await;
    let api = api(&[]).await;
    let c = client(&api, credentials(&idp.url));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { list_links(&c).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(idp.hits(), 1);
    assert_eq!(api.hits(), 100);
    assert!(
        api.seen()
            .iter()
            .all(|r| r.header("authorization") == Some("Bearer t1"))
    );
}

#[tokio::test(start_paused = true)]
async fn oauth_a_call_after_expiry_triggers_exactly_one_refresh() {
    let idp = token_endpoint(Duration::from_secs(900)).await;
    let api = api(&[]).await;
    let c = client(&api, credentials(&idp.url));
    list_links(&c).await.unwrap();
    // 900 s tokens are refreshed 3 minutes before expiry: at 720 s.
    tokio::time::advance(Duration::from_secs(719)).await;
    list_links(&c).await.unwrap();
    assert_eq!(idp.hits(), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { list_links(&c).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(idp.hits(), 2, "one refresh for 20 calls after the margin");
    let tokens: Vec<_> = api
        .seen()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_string())
        .collect();
    assert_eq!(tokens[..2], ["Bearer t1", "Bearer t1"]);
    assert!(tokens[2..].iter().all(|t| t == "Bearer t2"), "{tokens:?}");
}

#[tokio::test]
async fn oauth_401_40101_refreshes_once_and_sends_the_post_again() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    // t1 was revoked on the service's side before it expired.
    let api = api(&["t1"]).await;
    let c = client(&api, credentials(&idp.url));
    let body = kafka_mirror::confluent::types::AlterMirrorsRequestData {
        mirror_topic_names: vec!["orders".into()],
        mirror_topic_name_pattern: None,
    };
    // The list API answers a list, which does not decode as the promote
    // answer's type; what matters is what was sent.
    let _ = c
        .promote_mirror_topics()
        .cluster_id("lkc-1")
        .link_name("dr")
        .body(body)
        .send()
        .await;
    let sent = api.seen();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|r| r.method == Method::POST));
    assert_eq!(sent[0].header("authorization"), Some("Bearer t1"));
    assert_eq!(sent[1].header("authorization"), Some("Bearer t2"));
    assert_eq!(sent[0].body, sent[1].body);
    assert_eq!(sent[1].body, r#"{"mirror_topic_names":["orders"]}"#);
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn oauth_a_second_401_is_returned_without_another_refresh() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    let api = api(&["t1", "t2", "t3"]).await;
    let c = client(&api, credentials(&idp.url));
    let e = list_links(&c).await.unwrap_err();
    assert!(e.is_unauthorized(), "{e}");
    assert_eq!(e.error_code(), Some(40101));
    assert_eq!(api.hits(), 2);
    assert_eq!(idp.hits(), 2);
}

#[tokio::test]
async fn oauth_a_401_with_another_error_code_is_not_retried() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    let api = Server::start(|_, _| {
        json_response(
            401,
            json!({"error_code": 40102, "message": "API key disabled"}),
        )
    })
    .await;
    let c = client(&api, credentials(&idp.url));
    let e = list_links(&c).await.unwrap_err();
    assert_eq!(e.error_code(), Some(40102), "{e}");
    assert_eq!((api.hits(), idp.hits()), (1, 1));
}

#[tokio::test]
async fn oauth_token_endpoint_errors_are_typed_with_its_message_and_no_secret() {
    let api = api(&[]).await;
    let cases: Vec<(Response, &str)> = vec![
        (
            json_response(
                401,
                json!({"error": "invalid_client", "error_description": format!("Client authentication failed for secret {CLIENT_SECRET}")}),
            ),
            "answered 401 Unauthorized: invalid_client: Client authentication failed for secret *** (1 attempt in",
        ),
        (
            (
                StatusCode::OK,
                [("content-type", "text/html")],
                "<html><body>Sign in</body></html>",
            )
                .into_response(),
            "answered 200 OK with a body that is not a token response: <html><body>Sign in</body></html> (1 attempt in",
        ),
        (
            json_response(200, json!({"access_token": "t", "token_type": "Bearer"})),
            "answered 200 OK without `expires_in`: a token of unknown lifetime cannot be refreshed in time",
        ),
    ];
    for (answer, expected) in cases {
        let answer = Arc::new(Mutex::new(Some(answer)));
        let idp = Server::start(move |_, _| {
            answer
                .lock()
                .unwrap()
                .take()
                .unwrap_or_else(|| StatusCode::GONE.into_response())
        })
        .await;
        let c = client(&api, credentials(&idp.url));
        let e = list_links(&c).await.unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "cannot get an access token: the token endpoint {}/oauth2/token ",
                idp.url
            )),
            "{text}"
        );
        assert!(text.contains(expected), "{text}");
        assert!(!text.contains(CLIENT_SECRET), "{text}");
        assert!(!format!("{e:?}").contains(CLIENT_SECRET));
        let Error::Auth(auth) = &e else {
            panic!("not Error::Auth: {e:?}")
        };
        assert_eq!(
            auth.token_endpoint(),
            Some(format!("{}/oauth2/token", idp.url).as_str())
        );
        assert_eq!(idp.hits(), 1, "4xx and bad tokens are not retried");
    }
    assert_eq!(api.hits(), 0, "nothing reached the API without a token");
}

#[tokio::test]
async fn oauth_invalid_client_keeps_the_oauth_error_code() {
    let idp = Server::start(|_, _| {
        json_response(
            400,
            json!({"error": "invalid_scope", "error_description": "Unknown scope"}),
        )
    })
    .await;
    let api = api(&[]).await;
    let e = list_links(&client(&api, credentials(&idp.url)))
        .await
        .unwrap_err();
    let Error::Auth(auth) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(auth.oauth_error(), Some("invalid_scope"));
    assert_eq!(auth.status(), Some(StatusCode::BAD_REQUEST));
}

#[tokio::test(start_paused = true)]
async fn oauth_token_request_is_retried_like_an_api_call() {
    // 503 twice (a gateway page), then a token.
    let idp = Server::start(|_, n| {
        if n <= 2 {
            (StatusCode::SERVICE_UNAVAILABLE, "<html>down</html>").into_response()
        } else {
            json_response(
                200,
                json!({"access_token": "t", "token_type": "Bearer", "expires_in": 60}),
            )
        }
    })
    .await;
    let api = api(&[]).await;
    list_links(&client(&api, credentials(&idp.url)))
        .await
        .unwrap();
    assert_eq!(idp.hits(), 3);
    assert_eq!(api.hits(), 1);
}

#[tokio::test(start_paused = true)]
async fn oauth_the_deadline_bounds_the_token_request() {
    let idp = Server::start(|_, _| {
        (StatusCode::SERVICE_UNAVAILABLE, "<html>down</html>").into_response()
    })
    .await;
    let api = api(&[]).await;
    let c = kafka_mirror::confluent::Client::builder(&api.url)
        .oauth_client_credentials(credentials(&idp.url))
        .http_client(http())
        .retry(
            RetryPolicy::default()
                .max_attempts(100)
                .deadline(Duration::from_secs(5)),
        )
        .build()
        .unwrap();
    let start = tokio::time::Instant::now();
    let e = list_links(&c).await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::Deadline {
                in_flight: false,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(start.elapsed() <= Duration::from_secs(5));
    assert!(idp.hits() >= 2);
    assert_eq!(api.hits(), 0);
}

#[tokio::test]
async fn oauth_secret_never_reaches_the_api_and_the_token_never_reaches_another_origin() {
    let idp = token_endpoint(Duration::from_secs(3600)).await;
    let elsewhere = api(&[]).await;
    let next = format!(
        "{}/kafka/v3/clusters/lkc-1/links?page_token=2",
        elsewhere.url
    );
    let api = Server::start(move |_, _| {
        json_response(
            200,
            json!({"kind": "KafkaLinkDataList", "metadata": {"self": "", "next": next}, "data": []}),
        )
    })
    .await;
    let c = client(&api, credentials(&idp.url));
    use futures_util::TryStreamExt;
    let e = c
        .list_links()
        .cluster_id("lkc-1")
        .stream()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Pagination(_)), "{e:?}");
    assert_eq!(
        elsewhere.hits(),
        0,
        "the cross-origin next was not followed"
    );
    for r in api.seen() {
        let all = r.everything();
        assert!(
            !all.contains(CLIENT_SECRET) && !all.contains("Basic"),
            "{all}"
        );
        assert_eq!(r.header("authorization"), Some("Bearer t1"));
    }
    for r in idp.seen() {
        assert!(
            !r.everything().contains("Bearer"),
            "no token goes to the IdP"
        );
    }
}

#[tokio::test]
async fn oauth_token_url_must_be_https_unless_loopback() {
    let build = |url: &str| {
        kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
            .oauth_client_credentials(OAuthClientCredentials::new(url, CLIENT_ID, CLIENT_SECRET))
            .build()
            .map(|_| ())
    };
    assert_eq!(
        build("http://idp.example.com/oauth2/token").unwrap_err(),
        ConfigError::InsecureHttp {
            host: "idp.example.com".into()
        }
    );
    assert!(build("https://idp.example.com/oauth2/token").is_ok());
    assert!(build("http://127.0.0.1:9/oauth2/token").is_ok());
    let e = build("idp.example.com/token").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("invalid OAuth token URL `idp.example.com/token`"),
        "{e}"
    );
    let e = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
        .oauth_client_credentials(OAuthClientCredentials::new(
            "https://idp.example.com/t",
            CLIENT_ID,
            " ",
        ))
        .build()
        .unwrap_err();
    assert_eq!(e, ConfigError::EmptyCredential("OAuth client secret"));
    // With the opt-out, plain http to another host is allowed.
    assert!(
        kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
            .oauth_client_credentials(OAuthClientCredentials::new(
                "http://idp.internal/t",
                CLIENT_ID,
                CLIENT_SECRET
            ))
            .danger_allow_insecure_http()
            .build()
            .is_ok()
    );
}

#[tokio::test]
async fn oauth_debug_output_shows_no_secret() {
    let creds = OAuthClientCredentials::new(
        "https://idp.example.com/token?tenant=secret-tenant-key",
        CLIENT_ID,
        CLIENT_SECRET,
    );
    let builder = kafka_mirror::confluent::Client::builder("https://pkc-1.confluent.cloud")
        .oauth_client_credentials(creds.clone())
        .identity_pool_id(POOL);
    for shown in [format!("{creds:?}"), format!("{builder:?}")] {
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
        assert!(!shown.contains("secret-tenant-key"), "{shown}");
        assert!(shown.contains("https://idp.example.com/token"), "{shown}");
    }
    let client = builder.build().unwrap();
    assert!(!format!("{client:?}").contains(CLIENT_SECRET));
}

/// A provider of the user's own: counts its calls.
struct Counting(AtomicU32);

impl TokenProvider for Counting {
    async fn token(&self) -> Result<AccessToken, AuthError> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        if n == 3 {
            return Err(AuthError::provider("the vault is sealed"));
        }
        Ok(AccessToken::new(format!("t{n}"), Duration::from_secs(600)))
    }
}

#[tokio::test(start_paused = true)]
async fn token_provider_of_your_own_is_cached_refreshed_and_its_errors_typed() {
    let api = api(&[]).await;
    let provider = Arc::new(Counting(AtomicU32::new(0)));
    struct Shared(Arc<Counting>);
    impl TokenProvider for Shared {
        async fn token(&self) -> Result<AccessToken, AuthError> {
            self.0.token().await
        }
    }
    let c = kafka_mirror::confluent::Client::builder(&api.url)
        .token_provider(Shared(provider.clone()))
        .token_refresh_margin(Duration::from_secs(60))
        .http_client(http())
        .build()
        .unwrap();
    list_links(&c).await.unwrap();
    tokio::time::advance(Duration::from_secs(539)).await;
    list_links(&c).await.unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 1);
    tokio::time::advance(Duration::from_secs(2)).await;
    list_links(&c).await.unwrap();
    assert_eq!(provider.0.load(Ordering::SeqCst), 2);
    // Without a pool, none is sent (Confluent Platform).
    assert!(
        api.seen()
            .iter()
            .all(|r| r.header("confluent-identity-pool-id").is_none())
    );
    // The third call fails; t2 expires at 1141 s.
    tokio::time::advance(Duration::from_secs(600)).await;
    let e = list_links(&c).await.unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot get an access token: the token provider failed: the vault is sealed"
    );
    assert_eq!(api.hits(), 3);
}

#[tokio::test]
async fn oauth_an_endless_token_answer_is_cut_off() {
    let idp = Server::start(|_, _| {
        json_response(
            200,
            json!({"access_token": "x".repeat(2 * 1024 * 1024), "expires_in": 60}),
        )
    })
    .await;
    let api = api(&[]).await;
    let e = list_links(&client(&api, credentials(&idp.url)))
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("with more than 1024 KiB, which is not a token"),
        "{e}"
    );
    assert_eq!(api.hits(), 0);
}

#[tokio::test(start_paused = true)]
async fn oauth_throttled_token_requests_do_not_count_against_max_attempts() {
    // 429, 429, 503, then a token: with max_attempts(2), the two 429s are
    // throttling retries and the 503 is the first counted failure.
    let idp = Server::start(|_, n| match n {
        1 | 2 => (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response(),
        3 => (StatusCode::SERVICE_UNAVAILABLE, "").into_response(),
        _ => json_response(
            200,
            json!({"access_token": "t", "token_type": "Bearer", "expires_in": 60}),
        ),
    })
    .await;
    let api = api(&[]).await;
    let c = kafka_mirror::confluent::Client::builder(&api.url)
        .oauth_client_credentials(credentials(&idp.url))
        .http_client(http())
        .retry(RetryPolicy::default().max_attempts(2))
        .no_rate_limit()
        .build()
        .unwrap();
    list_links(&c).await.unwrap();
    assert_eq!(idp.hits(), 4);
}

#[tokio::test]
async fn oauth_error_answers_without_an_oauth_body_say_what_they_were() {
    let api = api(&[]).await;
    for (answer, expected) in [
        (
            StatusCode::UNAUTHORIZED.into_response(),
            "answered 401 Unauthorized with an empty body (1 attempt",
        ),
        (
            (StatusCode::FORBIDDEN, "<html>Access denied</html>").into_response(),
            "answered 403 Forbidden with a body that is not an OAuth error: <html>Access denied</html> (1 attempt",
        ),
    ] {
        let answer = Arc::new(Mutex::new(Some(answer)));
        let idp = Server::start(move |_, _| {
            answer
                .lock()
                .unwrap()
                .take()
                .unwrap_or_else(|| StatusCode::GONE.into_response())
        })
        .await;
        let e = list_links(&client(&api, credentials(&idp.url)))
            .await
            .unwrap_err();
        assert!(e.to_string().contains(expected), "{e}");
    }
}

#[tokio::test]
async fn oauth_a_large_token_answer_up_to_one_mib_is_read() {
    // A token answer of exactly 1 MiB: the largest accepted.
    let frame = |token: &str| {
        json!({"access_token": token, "token_type": "Bearer", "expires_in": 60}).to_string()
    };
    let padding = 1024 * 1024 - frame("").len();
    let body = frame(&"x".repeat(padding));
    assert_eq!(body.len(), 1024 * 1024);
    let idp = Server::start(move |_, _| {
        (
            StatusCode::OK,
            [("content-type", "application/json")],
            body.clone(),
        )
            .into_response()
    })
    .await;
    let api = api(&[]).await;
    // The token is read and used; the API server may well refuse a header
    // that large, which is not the token endpoint's error.
    let result = list_links(&client(&api, credentials(&idp.url))).await;
    assert!(!matches!(result, Err(Error::Auth(_))), "{result:?}");
}

#[tokio::test(start_paused = true)]
async fn oauth_a_lifetime_of_years_is_capped_at_one_year() {
    let idp = token_endpoint(Duration::from_secs(3 * 365 * 86_400)).await;
    let api = api(&[]).await;
    let c = client(&api, credentials(&idp.url));
    list_links(&c).await.unwrap();
    // Two days later the token is still fresh (the cap is a year, minus the
    // 3-minute margin).
    tokio::time::advance(Duration::from_secs(2 * 86_400)).await;
    list_links(&c).await.unwrap();
    assert_eq!(idp.hits(), 1);
    tokio::time::advance(Duration::from_secs(365 * 86_400)).await;
    list_links(&c).await.unwrap();
    assert_eq!(idp.hits(), 2);
}
