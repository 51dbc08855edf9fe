//! The local HTTP listener for the daemon's endpoints (`/healthz`, `/metrics`, `/feed.atom`), the
//! web pages and API (`web`, in `chiso run` and `chiso serve`) and the demo site: hyper's HTTP/1.1
//! server, GET and HEAD only, one request per connection, routed by an axum [`Router`].
//!
//! Hardened against clients that hold connections: the request head must arrive within
//! [`Limits::header_read_timeout`] (a slowloris client is cut off), a response must be written
//! within [`Limits::write_timeout`] of its first byte (a client that stops reading is cut off), at
//! most [`Limits::max_connections`] connections are served at once (the next ones wait in the
//! kernel's accept queue until one ends), and accept errors (out of file descriptors) pause the
//! accept loop, doubling from 10 ms to 1 s, instead of spinning.

use axum::body::Body;
use axum::http::Uri;
use axum::Router;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::time::Sleep;

/// Largest request head read (hyper's read buffer).
const MAX_HEAD: usize = 16 * 1024;

/// The listener's limits. The daemon and the demo use [`Limits::default`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a client has to send the whole request head, from the connection's start.
    pub header_read_timeout: Duration,
    /// Time the response has to be written, from its first byte to the end.
    pub write_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(10),
            max_connections: 64,
        }
    }
}

/// A response of the listener.
#[derive(Debug, Clone)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// `Content-Type` header.
    pub content_type: &'static str,
    /// Body.
    pub body: Vec<u8>,
}

impl Response {
    /// A 200 response.
    pub fn ok(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            content_type,
            body: body.into(),
        }
    }

    /// A plain-text response with any status.
    pub fn text(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.into(),
        }
    }
}

/// Answers one request path (with its query, if any).
pub type Handler =
    Arc<dyn Fn(String) -> Pin<Box<dyn Future<Output = Response> + Send>> + Send + Sync>;

/// Serves `handler` on `listener` with the default [`Limits`] until `stop` turns true.
pub async fn serve(listener: TcpListener, handler: Handler, stop: watch::Receiver<bool>) {
    serve_with(listener, handler, stop, Limits::default()).await
}

/// Serves `handler` on `listener` with `limits` until `stop` turns true.
pub async fn serve_with(
    listener: TcpListener,
    handler: Handler,
    stop: watch::Receiver<bool>,
    limits: Limits,
) {
    serve_router(
        listener,
        with_fallback(Router::new(), handler),
        stop,
        limits,
    )
    .await
}

/// `router`, with `handler` answering every path it has no route for.
pub fn with_fallback(router: Router, handler: Handler) -> Router {
    router.fallback(move |uri: Uri| {
        let handler = Arc::clone(&handler);
        async move {
            let target = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
            into_response(handler(target).await)
        }
    })
}

fn into_response(resp: Response) -> hyper::Response<Body> {
    let mut out = hyper::Response::new(Body::from(resp.body));
    *out.status_mut() =
        StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    out.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(resp.content_type));
    out
}

/// Serves `router` on `listener` with `limits` until `stop` turns true. Connections already
/// accepted finish by themselves (their timeouts bound them).
pub async fn serve_router(
    listener: TcpListener,
    router: Router,
    mut stop: watch::Receiver<bool>,
    limits: Limits,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .keep_alive(false)
        .max_buf_size(MAX_HEAD);
    let mut backoff = Backoff::default();
    loop {
        // A connection slot first: beyond the cap, clients wait in the accept queue.
        let permit = tokio::select! {
            p = Arc::clone(&permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = stop.wait_for(|s| *s) => return,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.wait_for(|s| *s) => return,
        };
        let sock = match accepted {
            Ok((sock, _)) => {
                backoff.reset();
                sock
            }
            Err(e) => {
                let pause = backoff.next_pause();
                tracing::warn!("listener: accept failed ({e}); pausing {pause:?}");
                drop(permit);
                tokio::select! {
                    _ = tokio::time::sleep(pause) => {}
                    _ = stop.wait_for(|s| *s) => return,
                }
                continue;
            }
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let router = router.clone();
            async move { Ok::<_, Infallible>(answer(router, req).await) }
        });
        let io = TokioIo::new(WriteDeadline::new(sock, limits.write_timeout));
        let conn = http.serve_connection(io, service);
        tokio::spawn(async move {
            // Errors here are the client's (timeouts, resets, malformed requests).
            let _ = conn.await;
            // The socket is closed before the slot is given back.
            drop(permit);
        });
    }
}

async fn answer(mut router: Router, req: Request<Incoming>) -> hyper::Response<Body> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return into_response(Response::text(405, "GET only\n"));
    }
    // hyper sets Content-Length and leaves the body out of HEAD answers.
    match tower_service::Service::call(&mut router, req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}

/// Pauses after consecutive accept errors: 10 ms doubled per error, capped at 1 s.
#[derive(Debug, Default)]
struct Backoff {
    errors: u32,
}

impl Backoff {
    fn next_pause(&mut self) -> Duration {
        let pause = Duration::from_millis(10u64 << self.errors.min(7)).min(Duration::from_secs(1));
        self.errors = self.errors.saturating_add(1);
        pause
    }

    fn reset(&mut self) {
        self.errors = 0;
    }
}

/// A socket whose writes fail with `TimedOut` once `limit` has passed since the first write: the
/// whole response must be out by then. Reads pass through (hyper times the request head).
struct WriteDeadline<S> {
    inner: S,
    limit: Duration,
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> WriteDeadline<S> {
    fn new(inner: S, limit: Duration) -> Self {
        Self {
            inner,
            limit,
            deadline: None,
        }
    }

    /// Errors once the deadline passed; `start` arms it at the first write. Polling the timer
    /// registers the task, so a write stuck in `Pending` is woken at the deadline.
    fn check(&mut self, cx: &mut Context<'_>, start: bool) -> io::Result<()> {
        if self.deadline.is_none() && start {
            self.deadline = Some(Box::pin(tokio::time::sleep(self.limit)));
        }
        match self.deadline.as_mut().map(|d| d.as_mut().poll(cx)) {
            Some(Poll::Ready(())) => Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "response write timeout",
            )),
            _ => Ok(()),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for WriteDeadline<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for WriteDeadline<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check(cx, true)?;
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        this.check(cx, true)?;
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check(cx, false)?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        this.check(cx, false)?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream};
    use std::time::Instant;

    /// Bound for anything a test waits for: generous, the machine may be busy.
    const PATIENCE: Duration = Duration::from_secs(60);

    fn echo() -> Handler {
        Arc::new(|path: String| {
            Box::pin(async move {
                match path.as_str() {
                    "/missing" => Response::text(404, "not found\n"),
                    _ => Response::ok("text/plain", format!("path {path}\n")),
                }
            })
        })
    }

    /// Starts a listener with `limits` on a free local port.
    async fn start(limits: Limits) -> (SocketAddr, watch::Sender<bool>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = watch::channel(false);
        tokio::spawn(serve_with(listener, echo(), rx, limits));
        (addr, tx)
    }

    /// Sends `request` and reads the answer until the server closes the connection.
    fn exchange(addr: SocketAddr, request: &str) -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(PATIENCE)).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        String::from_utf8_lossy(&out).into_owned()
    }

    fn small_limits() -> Limits {
        Limits {
            header_read_timeout: Duration::from_millis(500),
            write_timeout: Duration::from_secs(2),
            max_connections: 2,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn answers_get_head_and_refuses_other_methods() {
        let (addr, _stop) = start(Limits::default()).await;
        let (get, head, post, missing) = tokio::task::spawn_blocking(move || {
            (
                exchange(addr, "GET /healthz?x=1 HTTP/1.1\r\nHost: a\r\n\r\n"),
                exchange(addr, "HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n"),
                exchange(
                    addr,
                    "POST /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n",
                ),
                exchange(addr, "GET /missing HTTP/1.0\r\n\r\n"),
            )
        })
        .await
        .unwrap();
        assert!(get.starts_with("HTTP/1.1 200 OK\r\n"), "{get}");
        assert!(get.contains("content-type: text/plain\r\n"), "{get}");
        assert!(get.contains("content-length: 18\r\n"), "{get}");
        assert!(get.ends_with("\r\n\r\npath /healthz?x=1\n"), "{get}");
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.contains("content-length: 14\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "HEAD has no body: {head}");
        assert!(
            post.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
            "{post}"
        );
        assert!(post.ends_with("GET only\n"), "{post}");
        assert!(missing.contains(" 404 Not Found\r\n"), "{missing}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_head_over_16_kib_is_refused() {
        let (addr, _stop) = start(Limits::default()).await;
        let answer = tokio::task::spawn_blocking(move || {
            let pad = "a".repeat(MAX_HEAD + 1024);
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(PATIENCE)).unwrap();
            // The server may hang up before it read everything: a failed write is fine.
            let _ = s.write_all(format!("GET /big HTTP/1.1\r\nX-Pad: {pad}\r\n\r\n").as_bytes());
            let mut out = Vec::new();
            let _ = s.read_to_end(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        })
        .await
        .unwrap();
        assert!(!answer.contains("path /big"), "{answer}");
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_slowloris_client_is_cut_off() {
        let (addr, _stop) = start(small_limits()).await;
        let (received, closed) = tokio::task::spawn_blocking(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_millis(100)))
                .unwrap();
            let start = Instant::now();
            let mut received = Vec::new();
            let mut buf = [0u8; 512];
            // One header byte at a time, never ending the head, until the server hangs up.
            while start.elapsed() < PATIENCE {
                if s.write_all(b"a").is_err() {
                    return (received, true);
                }
                match s.read(&mut buf) {
                    Ok(0) => return (received, true),
                    Ok(n) => received.extend_from_slice(&buf[..n]),
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return (received, true),
                }
            }
            (received, false)
        })
        .await
        .unwrap();
        assert!(closed, "the slow client was never cut off");
        let text = String::from_utf8_lossy(&received);
        assert!(
            !text.contains(" 200 "),
            "a request never completed was answered: {text}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn idle_connections_beyond_the_cap_do_not_block_a_request_for_good() {
        let limits = small_limits();
        let (addr, _stop) = start(limits).await;
        let (answer, first_idle_closed) = tokio::task::spawn_blocking(move || {
            // Twice the cap plus one of connections that never send a byte.
            let idle: Vec<TcpStream> = (0..2 * limits.max_connections + 1)
                .map(|_| TcpStream::connect(addr).unwrap())
                .collect();
            let answer = exchange(addr, "GET /late HTTP/1.1\r\nHost: a\r\n\r\n");
            // The request waited for a slot: the oldest idle connection, accepted first, has
            // already been closed by the server.
            idle[0].set_nonblocking(true).unwrap();
            let first_idle_closed = matches!((&idle[0]).read(&mut [0u8; 16]), Ok(0));
            (answer, first_idle_closed)
        })
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with("path /late\n"), "{answer}");
        assert!(first_idle_closed, "the request was served beyond the cap");
    }

    #[tokio::test]
    async fn a_response_nobody_reads_is_abandoned_at_the_write_deadline() {
        // A pipe that holds 64 bytes and whose other end never reads.
        let (near, _far) = tokio::io::duplex(64);
        let mut w = WriteDeadline::new(near, Duration::from_millis(200));
        let write = tokio::io::AsyncWriteExt::write_all(&mut w, &[b'x'; 4096]);
        let err = tokio::time::timeout(PATIENCE, write)
            .await
            .expect("the write deadline never fired")
            .expect_err("4 KB went into a 64-byte pipe nobody reads");
        assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    }

    #[test]
    fn accept_errors_back_off_up_to_a_second_and_reset() {
        let mut b = Backoff::default();
        let pauses: Vec<u64> = (0..10).map(|_| b.next_pause().as_millis() as u64).collect();
        assert_eq!(pauses, [10, 20, 40, 80, 160, 320, 640, 1000, 1000, 1000]);
        b.reset();
        assert_eq!(b.next_pause(), Duration::from_millis(10));
    }
}
