//! The generated clients have this crate's surface, not progenitor's
//! (see `codegen/src/surface.rs`): read from the code the build generated.

const CONFLUENT: &str = include_str!(concat!(env!("OUT_DIR"), "/confluent.rs"));
const INSTACLUSTR: &str = include_str!(concat!(env!("OUT_DIR"), "/instaclustr.rs"));

/// The code with every run of whitespace as one space (line breaks depend
/// on the pretty-printer).
fn flat(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn confluent_methods_have_rust_names_and_keep_their_operation_ids_as_aliases() {
    for (id, name) in [
        ("listKafkaLinks", "list_links"),
        ("getKafkaLinkConfigs", "get_link_config"),
        ("updateKafkaLinkConfigBatch", "alter_link_configs"),
        ("listKafkaMirrorTopicsUnderLink", "list_mirror_topics"),
        ("listKafkaMirrorTopics", "list_all_mirror_topics"),
        ("readKafkaMirrorTopic", "get_mirror_topic"),
        ("updateKafkaMirrorTopicsPromote", "promote_mirror_topics"),
        (
            "updateKafkaMirrorTopicsTruncateAndRestoreMirror",
            "truncate_and_restore_mirror_topics",
        ),
    ] {
        let expected = format!("#[doc(alias = \"{id}\")] pub fn {name}( &self, )");
        let compact = format!("#[doc(alias = \"{id}\")] pub fn {name}(&self)");
        let code = flat(CONFLUENT);
        assert!(
            code.contains(&expected) || code.contains(&compact),
            "{compact}"
        );
    }
    assert!(!CONFLUENT.contains("fn update_kafka_mirror_topics_promote"));
}

#[test]
fn instaclustr_methods_keep_their_names() {
    let code = flat(INSTACLUSTR);
    for (id, name) in [
        ("listMirrors", "list_mirrors"),
        ("createMirror", "create_mirror"),
        ("getMirror", "get_mirror"),
        ("deleteMirror", "delete_mirror"),
        ("updateMirrorTargetLatency", "update_mirror_target_latency"),
    ] {
        let alias = format!("#[doc(alias = \"{id}\")] pub fn {name}(");
        assert!(code.contains(&alias), "{alias}");
    }
}

#[test]
fn send_returns_the_crate_error_and_progenitors_is_private() {
    for code in [CONFLUENT, INSTACLUSTR] {
        let raw = code.matches("pub(crate) async fn send_raw(").count();
        let wrapped = code
            .matches("let raw = self.send_raw(&mut record).await;")
            .count();
        let through_transport = code.matches("crate::transport::exec(").count();
        assert!(raw > 0 && raw == wrapped, "{raw} send_raw, {wrapped} send");
        assert_eq!(raw, through_transport, "every send_raw calls the transport");
        assert!(!code.contains("client.exec("));
        assert!(!code.contains("pub async fn send_raw"));
    }
}

#[test]
fn constructors_are_crate_private_and_no_api_version_header_is_sent() {
    for code in [CONFLUENT, INSTACLUSTR] {
        assert!(code.contains("pub(crate) fn new_with_client("));
        assert!(!code.contains("pub fn new_with_client("));
        assert!(!code.contains("\"api-version\""));
    }
}

#[test]
fn setters_carry_the_spec_descriptions() {
    assert!(CONFLUENT.contains("///The link name\n        pub fn link_name<V>"));
    assert!(CONFLUENT.contains("///Create a cluster link\n        pub fn body<V>"));
    assert!(
        INSTACLUSTR.contains("pub fn cluster_id<V>"),
        "Instaclustr setters exist"
    );
}
