//! The emulator's OAuth token endpoint, and the SDK's OAuth client against
//! it: tokens issued, refused, expired and refreshed.

use kafka_mirror_test_support::emulator as support;

use std::time::Duration;

use kafka_mirror::auth::{ClientAuthentication, OAuthClientCredentials};
use kafka_mirror::confluent::types::MirrorTopicStatus as S;
use kafka_mirror_emulator::{DEFAULT_IDENTITY_POOL, DEFAULT_OAUTH_CLIENT, Emulator};
use kafka_mirror_test_support::names;
use serde_json::Value;
use support::http;

/// A raw token request: form body and optional Basic credentials.
async fn ask(
    e: &Emulator,
    content_type: &str,
    body: &str,
    basic: Option<(&str, &str)>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut r = http()
        .post(e.token_url())
        .header("content-type", content_type)
        .body(body.to_string());
    if let Some((u, p)) = basic {
        r = r.basic_auth(u, Some(p));
    }
    let answer = r.send().await.unwrap();
    let (status, headers) = (answer.status().as_u16(), answer.headers().clone());
    let json = answer.json().await.unwrap_or(Value::Null);
    (status, headers, json)
}

const FORM: &str = "application/x-www-form-urlencoded";

#[tokio::test]
async fn oauth_emulator_token_endpoint_answers_as_rfc_6749_says() {
    let e = Emulator::start().await.unwrap();
    let (id, secret) = DEFAULT_OAUTH_CLIENT;

    let (status, headers, token) = ask(
        &e,
        FORM,
        "grant_type=client_credentials&scope=kafka",
        Some((id, secret)),
    )
    .await;
    assert_eq!(status, 200, "{token}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(token["token_type"], "Bearer");
    assert_eq!(token["expires_in"], 300);
    assert_eq!(token["scope"], "kafka");
    assert!(token["access_token"].as_str().unwrap().starts_with("emu-"));

    let (status, _, _) = ask(
        &e,
        FORM,
        &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "credentials in the form body");
    assert_eq!(e.tokens_issued(), 2);

    // Content type, body, Basic credentials, status, OAuth error code.
    type Case<'a> = (&'a str, &'a str, Option<(&'a str, &'a str)>, u16, &'a str);
    let refused: [Case; 6] = [
        (
            FORM,
            "grant_type=client_credentials",
            Some((id, "wrong")),
            401,
            "invalid_client",
        ),
        (
            FORM,
            "grant_type=client_credentials",
            None,
            401,
            "invalid_client",
        ),
        (
            FORM,
            "grant_type=password",
            Some((id, secret)),
            400,
            "unsupported_grant_type",
        ),
        (
            FORM,
            "scope=kafka",
            Some((id, secret)),
            400,
            "invalid_request",
        ),
        (
            FORM,
            &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"),
            Some((id, secret)),
            400,
            "invalid_request",
        ),
        (
            "application/json",
            "{}",
            Some((id, secret)),
            400,
            "invalid_request",
        ),
    ];
    for (content_type, body, basic, status, code) in refused {
        let (got, headers, error) = ask(&e, content_type, body, basic).await;
        assert_eq!(
            (got, error["error"].as_str()),
            (status, Some(code)),
            "{body}: {error}"
        );
        assert!(error["error_description"].is_string(), "{error}");
        if status == 401 {
            assert!(headers.contains_key("www-authenticate"));
        }
    }
    assert_eq!(e.tokens_issued(), 2);
}

fn oauth_client(e: &Emulator, pool: Option<&str>) -> kafka_mirror::confluent::Client {
    let (creds, _) = e.oauth_client_credentials().unwrap();
    let mut b = kafka_mirror::confluent::Client::builder(e.base_url())
        .oauth_client_credentials(creds.http_client(http()))
        .http_client(http())
        .no_rate_limit();
    if let Some(p) = pool {
        b = b.identity_pool_id(p);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn oauth_tokens_from_the_emulator_work_with_their_identity_pool_only() {
    let e = Emulator::builder()
        .link("lkc-dr", "dr", "lkc-primary")
        .start()
        .await
        .unwrap();
    let good = oauth_client(&e, Some(DEFAULT_IDENTITY_POOL));
    let links = good.list_links().cluster_id("lkc-dr").send().await.unwrap();
    assert_eq!(links.data.len(), 1);
    assert_eq!(e.tokens_issued(), 1);

    let no_pool = oauth_client(&e, None);
    let err = no_pool
        .list_links()
        .cluster_id("lkc-dr")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.error_code(), Some(40101), "{err}");
    // One new token after the 401, then the second 401 is returned.
    assert_eq!(err.attempts(), Some(2));
    assert_eq!(e.tokens_issued(), 3);
}

#[tokio::test]
async fn oauth_wrong_client_secret_is_an_auth_error_from_the_emulator() {
    let e = Emulator::start().await.unwrap();
    let c = kafka_mirror::confluent::Client::builder(e.base_url())
        .oauth_client_credentials(
            OAuthClientCredentials::new(e.token_url(), DEFAULT_OAUTH_CLIENT.0, "not-the-secret")
                .client_authentication(ClientAuthentication::FormBody)
                .http_client(http()),
        )
        .identity_pool_id(DEFAULT_IDENTITY_POOL)
        .build()
        .unwrap();
    let err = c.list_links().cluster_id("x").send().await.unwrap_err();
    let kafka_mirror::Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(auth.oauth_error(), Some("invalid_client"));
    assert_eq!(
        err.to_string(),
        format!(
            "cannot get an access token: the token endpoint {} answered 401 Unauthorized: invalid_client: Client authentication failed. (1 attempt in 0.0 s)",
            e.token_url()
        )
    );
    assert!(!format!("{err:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn oauth_100_concurrent_calls_through_the_emulator_share_one_token() {
    let e = Emulator::builder()
        .link("lkc-dr", "dr", "lkc-primary")
        .start()
        .await
        .unwrap();
    let c = oauth_client(&e, Some(DEFAULT_IDENTITY_POOL));
    let calls: Vec<_> = (0..100)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.list_links().cluster_id("lkc-dr").send().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(e.tokens_issued(), 1);
}

#[tokio::test(start_paused = true)]
async fn oauth_a_waiter_keeps_working_across_three_token_lifetimes() {
    let e = Emulator::builder()
        .no_oauth_clients()
        .oauth_client(
            "drill",
            "drill-secret",
            Some("pool-1"),
            Duration::from_secs(60),
        )
        .promote_delay(Duration::from_secs(200))
        .link("lkc-dr", "dr", "lkc-primary")
        .mirror("lkc-dr", "dr", "orders", &[0])
        .start()
        .await
        .unwrap();
    let c = kafka_mirror::confluent::Client::builder(e.base_url())
        .oauth_client_credentials(
            OAuthClientCredentials::new(e.token_url(), "drill", "drill-secret").http_client(http()),
        )
        .identity_pool_id("pool-1")
        .http_client(http())
        .no_rate_limit()
        .build()
        .unwrap();
    c.promote_mirror_topics()
        .cluster_id("lkc-dr")
        .link_name("dr")
        .body(names(&["orders"]))
        .send()
        .await
        .unwrap();
    let start = tokio::time::Instant::now();
    let report = c
        .wait_for_mirror_topics("lkc-dr", "dr")
        .topics(["orders"])
        .until(S::Stopped)
        .poll_interval(Duration::from_secs(5), Duration::from_secs(20))
        .timeout(Duration::from_secs(600))
        .await
        .unwrap();
    assert!(report.all_reached(), "{report:?}");
    assert!(
        start.elapsed() >= Duration::from_secs(180),
        "{:?}",
        start.elapsed()
    );
    // 60 s tokens are refreshed at half their lifetime: more than three
    // lifetimes took at least six tokens, and no call was refused.
    assert!(e.tokens_issued() >= 6, "{}", e.tokens_issued());
}
