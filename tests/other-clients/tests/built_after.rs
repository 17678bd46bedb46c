//! The user's client is built after kafka-mirror's (its own process).

use kafka_mirror_other_clients::{answering_server, kafka_mirror_client, users_own_call};

#[tokio::test]
async fn a_users_client_built_after_ours_works() {
    let url = answering_server().await;
    let _ours = kafka_mirror_client("https://pkc-1.confluent.cloud");
    assert_eq!(users_own_call(&url).await, "ok");
}

#[test]
fn a_users_client_built_without_any_runtime_or_sdk_client_builds() {
    // Nothing of kafka-mirror's has run in this test: reqwest alone.
    let built = std::panic::catch_unwind(reqwest::Client::new);
    assert!(built.is_ok(), "reqwest::Client::new() panicked");
}
