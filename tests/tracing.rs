//! Tracing: a span per operation, an event per retry, no secret. In a test
//! binary of its own: tracing caches callsite interest process-wide, so a
//! test running in parallel without a subscriber would hide the events.

use kafka_mirror_test_support as support;

use support::list;
use support::scripted::{Reply, Scripted};

fn ok() -> Reply {
    Reply::json(200, list("KafkaLinkDataList", vec![]))
}

async fn list_links(c: &kafka_mirror::confluent::Client) -> Result<(), kafka_mirror::Error> {
    c.list_links().cluster_id("c").send().await.map(|_| ())
}

/// Collects what tracing writes.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(start_paused = true)]
async fn tracing_has_a_span_per_operation_an_event_per_retry_and_no_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = Scripted::start(vec![Reply::status(429).header("retry-after", "1")], ok()).await;
    let http = kafka_mirror::client::http_client_builder()
        .unwrap()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let c = kafka_mirror::confluent::Client::builder(s.url())
        .basic_auth("KEY-NOT-TO-LOG", "SECRET-NOT-TO-LOG")
        .http_client(http)
        .build()
        .unwrap();
    list_links(&c).await.unwrap();

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("kafka_mirror.request{operation=\"list_links\" method=GET"),
        "{log}"
    );
    assert!(
        log.contains("reason=429 rate limited attempt=1 wait_ms=1000") && log.contains("retrying"),
        "{log}"
    );
    assert!(log.contains("attempts=2"), "{log}");
    for secret in [
        "KEY-NOT-TO-LOG",
        "SECRET-NOT-TO-LOG",
        "Basic ",
        "authorization",
    ] {
        assert!(!log.contains(secret), "{secret} in {log}");
    }
}
