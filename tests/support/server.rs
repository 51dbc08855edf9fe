//! A small HTTP/1.1 server on 127.0.0.x for tests: registered routes, scripted answers, and a log
//! of every request (path, headers, arrival instant) to assert on.
//!
//! Each connection serves one request and closes, which keeps the server simple and makes every
//! request arrive on its own connection. Unregistered paths answer 404.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub delay: Option<Duration>,
    pub hang: bool,
    pub chunked: bool,
    /// Answer 304 when the request's If-None-Match / If-Modified-Since match this answer's
    /// ETag / Last-Modified headers.
    pub conditional: bool,
}

impl Resp {
    /// 200 with a body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self::status(200).body(body)
    }
    /// A status with no body.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            delay: None,
            hang: false,
            chunked: false,
            conditional: false,
        }
    }
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = Some(d);
        self
    }
    /// Read the request, then never answer.
    pub fn hang(mut self) -> Self {
        self.hang = true;
        self
    }
    /// Send the body chunked, without Content-Length.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
    pub fn conditional(mut self) -> Self {
        self.conditional = true;
        self
    }
    fn get_header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Path and query.
    pub path: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    /// Path → answers; the first is consumed while more than one remains, the last repeats.
    routes: HashMap<String, Vec<Resp>>,
    log: Vec<Recorded>,
}

/// The running server; it stops with the test's runtime.
#[derive(Clone)]
pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl TestServer {
    /// Starts on 127.0.0.1 with a free port.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1").await
    }

    /// Starts on another loopback address (127.0.0.2 is a second "host" on Linux).
    pub async fn start_on(ip: &str) -> Self {
        Self::start_at(&format!("{ip}:0")).await
    }

    /// Starts on a given address, e.g. a port a test kept free to play a server coming back.
    pub async fn start_at(addr: &str) -> Self {
        let listener = TcpListener::bind(addr).await.expect("bind test server");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    break;
                };
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, st).await;
                });
            }
        });
        Self { addr, state }
    }

    /// `http://ip:port{path}`.
    pub fn url(&self, path: &str) -> url::Url {
        url::Url::parse(&format!("http://{}{}", self.addr, path)).expect("test url")
    }

    /// The base URL string (`http://ip:port`).
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Registers one answer for a path (path and query, as requested).
    pub fn route(&self, path: &str, resp: Resp) {
        self.route_seq(path, vec![resp]);
    }

    /// Registers answers given in order; the last one repeats.
    pub fn route_seq(&self, path: &str, resps: Vec<Resp>) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), resps);
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().log.clone()
    }

    /// The requests for one path.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }
}

async fn serve(mut stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    }
    let at = Instant::now();
    let head = String::from_utf8_lossy(&buf).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or("");
    let path = request_line.split(' ').nth(1).unwrap_or("/").to_string();
    let headers: Vec<(String, String)> = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rec = Recorded {
        path: path.clone(),
        headers,
        at,
    };
    let resp = {
        let mut st = state.lock().unwrap();
        st.log.push(rec.clone());
        match st.routes.get_mut(&path) {
            Some(list) if list.len() > 1 => Some(list.remove(0)),
            Some(list) => list.first().cloned(),
            None => None,
        }
    };
    let resp = resp.unwrap_or_else(|| Resp::status(404).body("not found"));
    if let Some(d) = resp.delay {
        tokio::time::sleep(d).await;
    }
    if resp.hang {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return Ok(());
    }
    let not_modified = resp.conditional
        && {
            let etag_hit = matches!((rec.header("if-none-match"), resp.get_header("etag")), (Some(a), Some(b)) if a == b);
            let lm_hit = matches!((rec.header("if-modified-since"), resp.get_header("last-modified")), (Some(a), Some(b)) if a == b);
            etag_hit || lm_hit
        };
    let (status, body) = if not_modified {
        (304, Vec::new())
    } else {
        (resp.status, resp.body.clone())
    };
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nConnection: close\r\n",
        reason(status)
    );
    for (k, v) in &resp.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let has_length = resp
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-length"));
    if resp.chunked && status != 304 {
        out.push_str("Transfer-Encoding: chunked\r\n\r\n");
        stream.write_all(out.as_bytes()).await?;
        for piece in body.chunks(8192) {
            stream
                .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                .await?;
            stream.write_all(piece).await?;
            stream.write_all(b"\r\n").await?;
        }
        stream.write_all(b"0\r\n\r\n").await?;
    } else {
        if !has_length {
            out.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        out.push_str("\r\n");
        stream.write_all(out.as_bytes()).await?;
        if status != 304 {
            let _ = stream.write_all(&body).await;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
    Ok(())
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
