//! Client configuration: typed errors before any request, secrets kept out
//! of Debug and errors, credentials sent only to the configured origin.

use kafka_mirror_test_support as support;

use httpmock::MockServer;
use kafka_mirror::ConfigError;
use kafka_mirror::confluent::Client;
use support::*;

#[test]
fn bad_base_urls_are_config_errors() {
    for (url, reason) in [
        ("not a url", "relative URL"),
        ("ftp://host", "http or https"),
        ("https://key:secret@host", "basic_auth"),
        ("https://host/?x=1", "query"),
    ] {
        let e = Client::builder(url).build().unwrap_err();
        assert!(
            matches!(&e, ConfigError::InvalidBaseUrl { reason: r, .. } if r.contains(reason)),
            "{url}: {e:?}"
        );
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}

#[test]
fn credentials_over_plain_http_need_loopback_or_an_explicit_opt_in() {
    let e = Client::builder("http://pkc.example.com")
        .basic_auth(KEY, SECRET)
        .build()
        .unwrap_err();
    assert_eq!(
        e,
        ConfigError::InsecureHttp {
            host: "pkc.example.com".into()
        }
    );
    assert!(
        Client::builder("http://pkc.example.com")
            .basic_auth(KEY, SECRET)
            .danger_allow_insecure_http()
            .build()
            .is_ok()
    );
    assert!(
        Client::builder("http://localhost:8090")
            .basic_auth(KEY, SECRET)
            .build()
            .is_ok()
    );
    assert!(
        Client::builder("http://127.0.0.1:8090")
            .basic_auth(KEY, SECRET)
            .build()
            .is_ok()
    );
    // Without credentials (Confluent Platform) plain http is fine anywhere.
    assert!(
        Client::builder("http://cp-rest.internal:8090")
            .build()
            .is_ok()
    );
}

#[test]
fn empty_credentials_and_a_pool_without_a_token_are_refused() {
    assert_eq!(
        Client::builder("https://h")
            .basic_auth("", SECRET)
            .build()
            .unwrap_err(),
        ConfigError::EmptyCredential("user name / API key")
    );
    assert_eq!(
        Client::builder("https://h")
            .basic_auth(KEY, " ")
            .build()
            .unwrap_err(),
        ConfigError::EmptyCredential("password / API secret")
    );
    assert_eq!(
        Client::builder("https://h")
            .bearer_token("")
            .build()
            .unwrap_err(),
        ConfigError::EmptyCredential("bearer token")
    );
    assert!(matches!(
        Client::builder("https://h")
            .basic_auth(KEY, SECRET)
            .identity_pool_id("pool")
            .build()
            .unwrap_err(),
        ConfigError::Incomplete(_)
    ));
}

#[test]
fn a_credential_that_cannot_be_a_header_is_refused_without_showing_it() {
    // Basic credentials are Base64, which any header carries.
    let cases = [
        (
            Client::builder("https://h").bearer_token("tok\r\nen-LEAK"),
            "bearer token",
        ),
        (
            Client::builder("https://h")
                .bearer_token("token")
                .identity_pool_id("pool\n-LEAK"),
            "identity pool id",
        ),
    ];
    for (builder, what) in cases {
        let e = builder.build().unwrap_err();
        assert_eq!(e, ConfigError::InvalidHeaderValue(what));
        let text = format!("{e} {e:?}");
        assert!(!text.contains("LEAK"), "{text}");
        assert_eq!(
            e.to_string(),
            format!("the {what} contains characters not allowed in an HTTP header")
        );
    }
}

#[test]
fn secrets_do_not_appear_in_debug() {
    let builder = Client::builder("https://h").basic_auth("KEY-ID-42", "TOP-SECRET");
    let shown = format!("{builder:?}");
    assert!(
        !shown.contains("KEY-ID-42") && !shown.contains("TOP-SECRET"),
        "{shown}"
    );
    let client = builder.build().unwrap();
    let shown = format!("{client:?}");
    assert!(
        !shown.contains("TOP-SECRET") && !shown.contains("KEY-ID-42"),
        "{shown}"
    );
    // What it does show: where it sends, whether with credentials, its limit.
    assert!(
        shown.contains(r#"base: "https://h/", authenticated: true"#),
        "{shown}"
    );
    assert!(shown.contains("rate_limit: Some(20)"), "{shown}");
    let anonymous = Client::builder("https://h").build().unwrap();
    assert!(
        format!("{anonymous:?}").contains("authenticated: false"),
        "{anonymous:?}"
    );
    let bearer = Client::builder("https://h")
        .bearer_token("tok-SECRET")
        .identity_pool_id("pool-1")
        .build()
        .unwrap();
    assert!(!format!("{bearer:?}").contains("tok-SECRET"));
}

#[tokio::test]
async fn credentials_do_not_follow_a_redirect_to_another_host() {
    // A user's own reqwest client may follow redirects; the credentials must
    // still not reach the other host.
    let evil = MockServer::start_async().await;
    let stolen = evil
        .mock_async(|when, then| {
            when.header_exists("authorization");
            then.status(200);
        })
        .await;
    let clean = evil
        .mock_async(|when, then| {
            when.header_missing("authorization");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![]));
        })
        .await;
    let server = MockServer::start_async().await;
    let target = format!(
        "http://localhost:{}/kafka/v3/clusters/c/links",
        evil.address().port()
    );
    server
        .mock_async(move |_, then| {
            then.status(307).header("location", target);
        })
        .await;
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .unwrap();
    let c = Client::builder(server.base_url())
        .basic_auth(KEY, SECRET)
        .http_client(http)
        .build()
        .unwrap();
    let _ = c.list_links().cluster_id("c").send().await;
    assert_eq!(stolen.calls_async().await, 0);
    assert_eq!(clean.calls_async().await, 1);
}

#[tokio::test]
async fn a_trailing_slash_or_a_path_prefix_in_the_base_url_is_kept_right() {
    let server = MockServer::start_async().await;
    let m = server
        .mock_async(|when, then| {
            when.path("/gateway/kafka/v3/clusters/c/links");
            then.status(200)
                .json_body(list("KafkaLinkDataList", vec![]));
        })
        .await;
    let c = Client::builder(format!("{}/gateway/", server.base_url()))
        .basic_auth(KEY, SECRET)
        .build()
        .unwrap();
    c.list_links().cluster_id("c").send().await.unwrap();
    m.assert_async().await;
}

#[tokio::test]
async fn the_default_https_client_needs_no_process_wide_tls_provider() {
    // A plain TCP server: the TLS handshake fails, as it would against a
    // server that is not speaking TLS. What matters is that building the
    // client and attempting TLS goes through this crate's own rustls
    // configuration (ring, system roots) and ends in a typed error.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = socket.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let c = Client::builder(format!("https://127.0.0.1:{port}"))
        .basic_auth(KEY, SECRET)
        .retry(kafka_mirror::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = c.list_links().cluster_id("c").send().await.unwrap_err();
    server.abort();
    assert!(matches!(e, kafka_mirror::Error::Transport { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains(&format!("GET https://127.0.0.1:{port}/")),
        "{e}"
    );
    assert!(!format!("{e:?}{e}").contains(SECRET));
}
