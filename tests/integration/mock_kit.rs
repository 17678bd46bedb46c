//! The `mock` feature's typed helpers, for both APIs.

use httpmock::MockServer;
use kafka_mirror::instaclustr::types::{GetAllMirrorsResponse, GetAllMirrorsResponseItem};
use kafka_mirror::mock::{self, ConfluentMockExt, InstaclustrMockExt};

#[tokio::test]
async fn instaclustr_typed_mocks_match_parameters_and_answer_typed_values() {
    let server = MockServer::start_async().await;
    let cluster =
        kafka_mirror::instaclustr::Uuid::parse_str("0c7067d6-c70a-11ea-87d0-0242ac130003").unwrap();
    let m = server.list_mirrors(|when, then| {
        when.cluster_id(&cluster);
        then.ok(&GetAllMirrorsResponse {
            mirrors: vec![GetAllMirrorsResponseItem {
                id: Some("m1".into()),
                connector_name: None,
                topics_regex: Some(".*".into()),
            }],
        });
    });
    let answer = mock::instaclustr_client(&server)
        .list_mirrors()
        .cluster_id(cluster)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.mirrors[0].id.as_deref(), Some("m1"));
    m.assert();
    // Another cluster does not match the mock.
    let other = kafka_mirror::instaclustr::Uuid::nil();
    assert!(
        mock::instaclustr_client(&server)
            .list_mirrors()
            .cluster_id(other)
            .send()
            .await
            .is_err()
    );
}

#[tokio::test]
async fn paged_list_links_pages_through_the_mock_server_itself() {
    let server = MockServer::start_async().await;
    let pages = mock::paged_list(
        &server,
        "/kafka/v3/clusters/c/links",
        "KafkaLinkDataList",
        vec![
            vec![mock::link("a", &[])],
            vec![mock::link("b", &[])],
            vec![mock::link("c", &["t"])],
        ],
    );
    let links = mock::confluent_client(&server)
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
        ["a", "b", "c"]
    );
    for p in pages {
        assert_eq!(p.calls(), 1);
    }
}

#[tokio::test]
async fn typed_error_answers() {
    let server = MockServer::start_async().await;
    server.get_link(|when, then| {
        when.cluster_id("c").link_name("gone");
        then.client_error(
            404,
            &kafka_mirror::ConfluentError {
                error_code: Some(40403),
                message: Some("Link not found".into()),
            },
        );
    });
    let e = mock::confluent_client(&server)
        .get_link()
        .cluster_id("c")
        .link_name("gone")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_not_found());
    assert_eq!(e.error_code(), Some(40403));
}

#[tokio::test]
async fn instaclustr_v2_mocks_are_typed_too() {
    use kafka_mirror::instaclustr_v2::Uuid;
    use kafka_mirror::instaclustr_v2::types::{KafkaConnectMirrorV2, MirrorStatus};
    use kafka_mirror::mock::InstaclustrV2MockExt;

    let server = httpmock::MockServer::start_async().await;
    let id = Uuid::new_v4();
    let mut mirror =
        KafkaConnectMirrorV2::from_managed_cluster(Uuid::nil(), Uuid::nil(), "west", ".*");
    mirror.id = Some(id);
    mirror.status = Some(MirrorStatus::InSync);
    // Both Instaclustr traits are in scope here, and both have `get_mirror`:
    // the qualified call says which API is mocked.
    let get = InstaclustrV2MockExt::get_mirror(&server, |when, then| {
        when.mirror_id(&id);
        then.ok(&mirror);
    });
    let got = kafka_mirror::mock::instaclustr_v2_client(&server)
        .get_mirror()
        .mirror_id(id)
        .send()
        .await
        .unwrap();
    get.assert();
    assert_eq!(got.status, Some(MirrorStatus::InSync));
    assert_eq!(got.source_cluster[0].alias, "west");
}
