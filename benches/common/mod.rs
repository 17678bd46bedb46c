//! What several benchmarks share: a hyper server on its own runtime thread,
//! and a server in a child process (this benchmark's binary again).
// Each benchmark uses some of these.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;

use http_body_util::Full;

/// A response of the benchmark servers; `Err` closes the connection.
pub type Answer = Result<hyper::Response<Full<bytes::Bytes>>, std::io::Error>;

/// Serves `handle` on its own runtime thread, so the client's tasks do not
/// slow the server. Returns the base URL.
pub fn start<S, F, Fut>(state: Arc<S>, handle: F) -> String
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>, hyper::Request<hyper::body::Incoming>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = Answer> + Send + 'static,
{
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            listener.set_nonblocking(true).unwrap();
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |r| handle(state.clone(), r));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    url
}

/// Runs `server` when this process is the child started by
/// [`child_server`] (the variable `env` is set), on a multi-threaded
/// runtime; otherwise `client`, on one thread, so a call's latency does not
/// depend on which core a wake-up lands on.
pub fn server_or_client<S, C>(env: &str, server: impl FnOnce() -> S, client: impl FnOnce() -> C)
where
    S: Future<Output = ()>,
    C: Future<Output = ()>,
{
    if std::env::var_os(env).is_some() {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(server());
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(client());
    }
}

/// Starts this binary again with `env` set (its server, see
/// [`server_or_client`]) and reads the URL it prints on its first line.
pub fn child_server(env: &str) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .env(env, "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line.trim().to_string())
}

/// A GET with the credentials the SDK's benchmark clients send (`k` / `s`),
/// read whole: the raw-reqwest side of the per-call comparisons.
pub async fn raw_get(http: &reqwest::Client, url: &str) -> bytes::Bytes {
    http.get(url)
        .basic_auth("k", Some("s"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
}
