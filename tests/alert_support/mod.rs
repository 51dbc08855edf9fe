//! Loopback receivers for the alert tests: an HTTP server that records webhook requests and
//! answers as told (succeed, fail N times, always fail, stall), and a small SMTP server whose
//! received mail is parsed (RFC 2047 subject, base64 / quoted-printable body).

#![allow(dead_code)]

use base64::Engine;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// How the HTTP receiver answers requests whose path starts with a prefix.
#[derive(Debug, Clone, PartialEq)]
pub enum Behavior {
    /// 200 OK.
    Ok,
    /// `status` for the first `n` requests, then 200.
    FailTimes(u32, u16),
    /// `status` forever.
    AlwaysFail(u16),
    /// Reads the request, never answers (until the behavior changes or the client goes away).
    Stall,
}

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    /// Request method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Headers, names in lower case.
    pub headers: HashMap<String, String>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// Whether the receiver answered 2xx (acknowledged it).
    pub acked: bool,
}

impl Request {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
    /// A header by lower-case name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Request>,
    behaviors: Vec<(String, Behavior)>,
    seen: HashMap<String, u32>,
}

/// A recording HTTP/1.1 server on 127.0.0.1.
#[derive(Clone)]
pub struct HttpReceiver {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl HttpReceiver {
    /// Starts the server on a free port (on the current tokio runtime).
    pub async fn start() -> HttpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State::default()));
        let st = state.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve_http(sock, st.clone()));
            }
        });
        HttpReceiver {
            base: format!("http://{addr}"),
            state,
        }
    }

    /// Sets how requests under `prefix` are answered (the longest matching prefix wins).
    pub fn set(&self, prefix: &str, behavior: Behavior) {
        let mut st = self.state.lock().unwrap();
        st.behaviors.retain(|(p, _)| p != prefix);
        st.behaviors.push((prefix.to_string(), behavior));
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Requests under a path prefix.
    pub fn under(&self, prefix: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.starts_with(prefix))
            .collect()
    }
}

fn behavior_for(st: &State, path: &str) -> Behavior {
    st.behaviors
        .iter()
        .filter(|(p, _)| path.starts_with(p.as_str()))
        .max_by_key(|(p, _)| p.len())
        .map(|(_, b)| b.clone())
        .unwrap_or(Behavior::Ok)
}

async fn serve_http(sock: tokio::net::TcpStream, state: Arc<Mutex<State>>) {
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    loop {
        let mut line = String::new();
        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = HashMap::new();
        loop {
            let mut h = String::new();
            if rd.read_line(&mut h).await.unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
            }
        }
        let len: usize = headers
            .get("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0u8; len];
        if rd.read_exact(&mut body).await.is_err() {
            return;
        }
        // Decide the answer; count this request under its path.
        let (status, idx) = {
            let mut st = state.lock().unwrap();
            let b = behavior_for(&st, &path);
            let n = st.seen.entry(path.clone()).or_insert(0);
            *n += 1;
            let n = *n;
            let status = match b {
                Behavior::Ok => Some(200),
                Behavior::FailTimes(k, s) => Some(if n <= k { s } else { 200 }),
                Behavior::AlwaysFail(s) => Some(s),
                Behavior::Stall => None,
            };
            st.requests.push(Request {
                method,
                path: path.clone(),
                headers,
                body,
                acked: false,
            });
            (status, st.requests.len() - 1)
        };
        let status = match status {
            Some(s) => s,
            None => {
                // Stall until told otherwise, then answer 200 if the client is still there; a
                // client that went away (killed) never counts as acknowledged.
                loop {
                    // `biased`: a closed connection is noticed before the end of the stall, so
                    // an answer is never counted for a client that was already killed.
                    tokio::select! {
                        biased;
                        r = rd.fill_buf() => match r {
                            Ok([]) | Err(_) => return,
                            Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
                        },
                        _ = tokio::time::sleep(std::time::Duration::from_millis(50)) => {
                            let st = state.lock().unwrap();
                            if behavior_for(&st, &path) != Behavior::Stall {
                                break 200;
                            }
                        }
                    }
                }
            }
        };
        let text = if status == 200 { "ok" } else { "nope" };
        let resp = format!(
            "HTTP/1.1 {status} X\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n\r\n{text}",
            text.len()
        );
        if wr.write_all(resp.as_bytes()).await.is_err() || wr.flush().await.is_err() {
            return;
        }
        if status == 200 {
            state.lock().unwrap().requests[idx].acked = true;
        }
    }
}

/// A mail as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// `MAIL FROM` address.
    pub from: String,
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// Headers (unfolded, names in lower case, values raw).
    pub headers: HashMap<String, String>,
    /// Subject, RFC 2047 decoded.
    pub subject: String,
    /// Body, transfer-decoded, as UTF-8.
    pub body: String,
}

/// A plain SMTP server (no TLS, no AUTH) that keeps every mail.
#[derive(Clone)]
pub struct SmtpReceiver {
    /// Port on 127.0.0.1.
    pub port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpReceiver {
    /// Starts the server on a free port.
    pub async fn start() -> SmtpReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let m = mails.clone();
        tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve_smtp(sock, m.clone()));
            }
        });
        SmtpReceiver { port, mails }
    }

    /// Mails received so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

async fn serve_smtp(sock: tokio::net::TcpStream, mails: Arc<Mutex<Vec<Mail>>>) {
    let (rd, mut wr) = sock.into_split();
    let mut rd = BufReader::new(rd);
    let _ = wr.write_all(b"220 localhost test ESMTP\r\n").await;
    let mut from = String::new();
    let mut to = Vec::new();
    loop {
        let mut line = String::new();
        if rd.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let cmd = line.trim_end().to_string();
        let upper = cmd.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            b"250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if upper.starts_with("HELO") || upper.starts_with("RSET") || upper == "NOOP" {
            b"250 OK\r\n"
        } else if upper.starts_with("MAIL FROM:") {
            from = angle(&cmd[10..]);
            to.clear();
            b"250 OK\r\n"
        } else if upper.starts_with("RCPT TO:") {
            to.push(angle(&cmd[8..]));
            b"250 OK\r\n"
        } else if upper == "DATA" {
            let _ = wr.write_all(b"354 go ahead\r\n").await;
            let mut data = Vec::new();
            loop {
                let mut l = Vec::new();
                if rd.read_until(b'\n', &mut l).await.unwrap_or(0) == 0 {
                    return;
                }
                if l == b".\r\n" || l == b".\n" {
                    break;
                }
                let l = if l.starts_with(b"..") {
                    &l[1..]
                } else {
                    &l[..]
                };
                data.extend_from_slice(l);
            }
            mails
                .lock()
                .unwrap()
                .push(parse_mail(&from, &to, &String::from_utf8_lossy(&data)));
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = wr.write_all(b"221 bye\r\n").await;
            return;
        } else {
            b"502 not implemented\r\n"
        };
        if wr.write_all(reply).await.is_err() {
            return;
        }
    }
}

fn angle(s: &str) -> String {
    let s = s.trim();
    let s = s.split_whitespace().next().unwrap_or(s);
    s.trim_start_matches('<').trim_end_matches('>').to_string()
}

/// Parses a received message: unfolds headers, decodes the subject and the body.
pub fn parse_mail(from: &str, to: &[String], data: &str) -> Mail {
    let data = data.replace("\r\n", "\n");
    let (head, body) = data.split_once("\n\n").unwrap_or((&data, ""));
    let mut headers: HashMap<String, String> = HashMap::new();
    let mut last: Option<String> = None;
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(k) = &last {
                if let Some(v) = headers.get_mut(k) {
                    v.push_str(line);
                }
            }
        } else if let Some((k, v)) = line.split_once(':') {
            let k = k.trim().to_ascii_lowercase();
            headers.insert(k.clone(), v.trim().to_string());
            last = Some(k);
        }
    }
    let subject = decode_rfc2047(headers.get("subject").map(String::as_str).unwrap_or(""));
    let cte = headers
        .get("content-transfer-encoding")
        .map(|s| s.to_ascii_lowercase())
        .unwrap_or_default();
    let body = match cte.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .expect("base64 body"),
            )
            .expect("UTF-8 body")
        }
        "quoted-printable" => {
            String::from_utf8(decode_qp(body.as_bytes(), false)).expect("UTF-8 body")
        }
        _ => body.to_string(),
    };
    Mail {
        from: from.to_string(),
        to: to.to_vec(),
        headers,
        subject,
        body,
    }
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?...?=`, `=?utf-8?q?...?=`); white space between
/// two encoded words is dropped, as the RFC says.
pub fn decode_rfc2047(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    let mut pending_space = String::new();
    let mut prev_encoded = false;
    while !rest.is_empty() {
        if let Some(start) = rest.find("=?") {
            let before = &rest[..start];
            let after = &rest[start + 2..];
            let parts: Vec<&str> = after.splitn(3, '?').collect();
            if parts.len() == 3 {
                if let Some(end) = parts[2].find("?=") {
                    let enc = parts[1].to_ascii_lowercase();
                    let text = &parts[2][..end];
                    let bytes = if enc == "b" {
                        base64::engine::general_purpose::STANDARD
                            .decode(text)
                            .expect("base64 word")
                    } else {
                        decode_qp(text.as_bytes(), true)
                    };
                    if !(prev_encoded && before.trim().is_empty()) {
                        out.push_str(&pending_space);
                        out.push_str(before);
                    }
                    pending_space.clear();
                    out.push_str(&String::from_utf8(bytes).expect("UTF-8 word"));
                    prev_encoded = true;
                    let consumed = start + 2 + parts[0].len() + parts[1].len() + 2 + end + 2;
                    rest = &rest[consumed..];
                    continue;
                }
            }
        }
        out.push_str(&pending_space);
        out.push_str(rest);
        break;
    }
    out
}

fn decode_qp(b: &[u8], underscore_space: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'=' if i + 1 < b.len() && (b[i + 1] == b'\n' || b[i + 1] == b'\r') => {
                // Soft line break.
                i += 1;
                while i < b.len() && (b[i] == b'\r' || b[i] == b'\n') {
                    i += 1;
                    if b[i - 1] == b'\n' {
                        break;
                    }
                }
            }
            b'=' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => out.push(v),
                    Err(_) => out.extend_from_slice(&b[i..i + 3]),
                }
                i += 3;
            }
            b'_' if underscore_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

pub mod fixtures;
