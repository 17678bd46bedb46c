//! A user's crate that depends on kafka-mirror and on reqwest itself (with
//! no TLS feature of its own). Its tests check that the user's own
//! `reqwest::Client`s build and work whether they are made before or after
//! kafka-mirror's client: cargo unifies kafka-mirror's reqwest features
//! into the user's reqwest, and those features must not leave it unable to
//! build a client (as `rustls-no-provider` did: "No rustls crypto provider
//! is configured").

/// Serves one plain HTTP answer per connection on loopback; returns the
/// URL.
pub async fn answering_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
                .await;
        }
    });
    url
}

/// A user's plain client: `reqwest::Client::new()`, used for one GET.
pub async fn users_own_call(url: &str) -> String {
    let client = reqwest::Client::new();
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// kafka-mirror's client, built with its defaults.
pub fn kafka_mirror_client(url: &str) -> kafka_mirror::confluent::Client {
    kafka_mirror::confluent::Client::builder(url)
        .build()
        .unwrap()
}
