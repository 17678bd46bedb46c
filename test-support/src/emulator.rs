//! Clients for an emulator, as the emulator's tests use them.

use kafka_mirror::retry::RetryPolicy;
use kafka_mirror_emulator::Emulator;

/// A Confluent client for `e` with no timers of its own (for paused-clock
/// tests: no idle pool) and no retries, so each answer is seen as sent.
pub fn client(e: &Emulator) -> kafka_mirror::confluent::Client {
    let (u, s) = e.credentials().unwrap();
    kafka_mirror::confluent::Client::builder(e.base_url())
        .basic_auth(u, s)
        .http_client(http())
        .retry(RetryPolicy::none())
        // Each answer as the emulator gives it: no retry, and no adaptive
        // rate limit slowing the client after a 429.
        .no_rate_limit()
        .build()
        .unwrap()
}

/// An Instaclustr client for `e`, as [`client`] but with the default retries.
pub fn instaclustr_client(e: &Emulator) -> kafka_mirror::instaclustr::Client {
    let (u, s) = e.credentials().unwrap();
    kafka_mirror::instaclustr::Client::builder(e.base_url())
        .basic_auth(u, s)
        .http_client(http())
        .build()
        .unwrap()
}

/// A reqwest client with no idle pool.
pub fn http() -> reqwest::Client {
    kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

/// Each mirror topic of `link` on `cluster`, with its status now.
pub async fn statuses(
    c: &kafka_mirror::confluent::Client,
    cluster: &str,
    link: &str,
) -> std::collections::BTreeMap<String, kafka_mirror::confluent::types::MirrorTopicStatus> {
    c.list_mirror_topics()
        .cluster_id(cluster)
        .link_name(link)
        .collect_up_to(100)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.mirror_topic_name, t.mirror_status))
        .collect()
}

/// A runbook's journal the test reads while the runbook writes it.
#[derive(Clone, Default)]
pub struct Journal(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Journal {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Journal {
    /// What was written so far.
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// Each line, as JSON.
    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.text()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}
