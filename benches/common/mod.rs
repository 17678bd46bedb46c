//! What several benchmarks share: a hyper server on its own runtime thread.

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
