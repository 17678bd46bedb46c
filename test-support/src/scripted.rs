//! A scripted HTTP/1.1 server on raw TCP: it answers from a list of replies,
//! can cut a connection after reading a request, and records when requests
//! arrive on the test's (paused) tokio clock. It has no timers of its own,
//! so it never makes a paused clock jump.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Status, extra headers, body.
    Answer(u16, Vec<(String, String)>, String),
    /// Read the request, then close the connection without answering.
    Cut,
    /// Status and the start of a body: the headers announce more than is
    /// sent before the connection closes.
    CutBody(u16, String),
}

impl Reply {
    pub fn status(code: u16) -> Self {
        Reply::Answer(code, Vec::new(), String::new())
    }
    pub fn json(code: u16, body: serde_json::Value) -> Self {
        Reply::Answer(
            code,
            vec![("content-type".into(), "application/json".into())],
            body.to_string(),
        )
    }
    pub fn text(code: u16, content_type: &str, body: &str) -> Self {
        Reply::Answer(
            code,
            vec![("content-type".into(), content_type.into())],
            body.to_string(),
        )
    }
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Answer(_, h, _) = &mut self {
            h.push((name.into(), value.into()));
        }
        self
    }
}

#[derive(Default)]
struct State {
    script: VecDeque<Reply>,
    arrivals: Vec<(Instant, String)>,
}

/// The server; replies run out to `fallback`.
#[derive(Clone)]
pub struct Scripted {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Scripted {
    pub async fn start(script: Vec<Reply>, fallback: Reply) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            script: script.into(),
            arrivals: Vec::new(),
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let (state, fallback) = (shared.clone(), fallback.clone());
                tokio::spawn(async move { serve(socket, state, fallback).await });
            }
        });
        Self { url, state }
    }

    /// Adds replies to the end of the script (for replies that name the
    /// server's own URL).
    pub fn push(&self, replies: impl IntoIterator<Item = Reply>) {
        self.state.lock().unwrap().script.extend(replies);
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests received so far.
    pub fn hits(&self) -> usize {
        self.state.lock().unwrap().arrivals.len()
    }

    /// `METHOD path` of each request, in arrival order.
    pub fn requests(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .arrivals
            .iter()
            .map(|(_, r)| r.clone())
            .collect()
    }

    /// Arrival times on the test's clock.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.state
            .lock()
            .unwrap()
            .arrivals
            .iter()
            .map(|(t, _)| *t)
            .collect()
    }
}

async fn serve(mut socket: TcpStream, state: Arc<Mutex<State>>, fallback: Reply) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = socket.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    while buf.len() < head_end + length {
        let Ok(n) = socket.read(&mut chunk).await else {
            return;
        };
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let request_line: String = head
        .lines()
        .next()
        .unwrap_or_default()
        .split(' ')
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    let reply = {
        let mut s = state.lock().unwrap();
        s.arrivals.push((Instant::now(), request_line));
        s.script.pop_front().unwrap_or(fallback)
    };
    match reply {
        Reply::Cut => {
            let _ = socket.shutdown().await;
        }
        Reply::CutBody(code, body) => {
            let out = format!(
                "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len() + 100
            );
            let _ = socket.write_all(out.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
        Reply::Answer(code, headers, body) => {
            let mut out = format!(
                "HTTP/1.1 {code} X\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            let _ = socket.write_all(out.as_bytes()).await;
            let _ = socket.shutdown().await;
        }
    }
}
