//! Starting Stoplight Prism for the contract tests.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A Prism mock server, stopped when dropped.
pub struct Prism {
    child: Child,
    pub url: String,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The SDK's folder (with `openapi/` and `tests/contract/`): the package
/// whose tests run (cargo sets `CARGO_MANIFEST_DIR` for them), or its
/// parent for the emulator's tests. Read when the test runs, not where this
/// crate was built: `.ci/package.sh` runs the SDK's packaged tests with it.
fn root() -> PathBuf {
    let here = PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("tests run by cargo know their package"),
    );
    if here.join("openapi").is_dir() {
        here
    } else {
        here.parent()
            .expect("the emulator package sits in the workspace")
            .to_path_buf()
    }
}

fn prism_bin() -> PathBuf {
    let bin = root().join("tests/contract/node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Stoplight Prism is not installed, so the contract tests cannot run.\n\
         Install it (needs Node.js 18+ and npm) with:\n\n    npm ci --prefix tests/contract\n\n\
         then run the tests again. `.ci/run` does this itself."
    );
    bin
}

/// The API folder's files merged into one document, written for Prism.
fn merged_spec(api: &str) -> PathBuf {
    let dir = root().join("openapi").join(api);
    let loaded = kafka_mirror_codegen::load::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = std::env::temp_dir().join(format!(
        "kafka-mirror-contract-{}-{api}.json",
        std::process::id()
    ));
    std::fs::write(&path, serde_json::to_vec(&loaded.doc).unwrap()).unwrap();
    path
}

/// Prism serving `api`'s spec as a mock.
pub fn start_prism(api: &str) -> Prism {
    start(api, &["mock"])
}

/// Prism validating the traffic between a client and `upstream` against `api`'s spec.
pub fn start_proxy(api: &str, upstream: &str) -> Prism {
    start(api, &["proxy", upstream])
}

fn start(api: &str, mode: &[&str]) -> Prism {
    let bin = prism_bin();
    let spec = merged_spec(api);
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // `prism mock <spec>` or `prism proxy <spec> <upstream>`, then options.
    let child = Command::new(bin)
        .arg(mode[0])
        .arg(&spec)
        .args(&mode[1..])
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--errors",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("Prism starts");
    let prism = Prism {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(90);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "Prism did not start listening on port {port} within 90 s"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    prism
}

/// Asserts an answer: a success without violation, decoded.
pub fn check<T, E: std::fmt::Debug>(
    name: &str,
    result: Result<kafka_mirror::ResponseValue<T>, E>,
    failures: &mut Vec<String>,
) {
    match result {
        Ok(r) => {
            if let Some(v) = r.headers().get("sl-violations") {
                failures.push(format!("{name}: Prism reported {v:?}"));
            }
        }
        Err(e) => failures.push(format!("{name}: {e:?}")),
    }
}

/// What Prism answered to a request built by hand: its status, its
/// `sl-violations` header and its body.
pub struct Refusal {
    pub status: reqwest::StatusCode,
    pub violations: String,
    pub body: String,
}

/// Sends `body` with `method` to `url` with Basic credentials, as a client
/// that ignores the spec would (to show that the contract check can fail).
pub async fn send_by_hand(method: reqwest::Method, url: &str, body: serde_json::Value) -> Refusal {
    let answer = kafka_mirror::client::http_client_builder()
        .unwrap()
        .build()
        .unwrap()
        .request(method, url)
        .basic_auth("user", Some("key"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let violations = answer
        .headers()
        .get("sl-violations")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = answer.text().await.unwrap_or_default();
    Refusal {
        status,
        violations,
        body,
    }
}
