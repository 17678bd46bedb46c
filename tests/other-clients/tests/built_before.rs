//! The user's client is built before kafka-mirror's (its own process, so
//! nothing another test did is installed).

use kafka_mirror_other_clients::{answering_server, kafka_mirror_client, users_own_call};

#[tokio::test]
async fn a_users_client_built_first_works_and_so_does_ours() {
    let url = answering_server().await;
    assert_eq!(users_own_call(&url).await, "ok");
    let _ours = kafka_mirror_client("https://pkc-1.confluent.cloud");
    assert_eq!(users_own_call(&url).await, "ok");
    // A builder with TLS settings, as a user's code often has.
    let https = reqwest::Client::builder().https_only(true).build();
    assert!(https.is_ok(), "{https:?}");
}
