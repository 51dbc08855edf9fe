//! A minimal HTTP/1.1 server for the demo site: GET only, one request per connection.

use super::site;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Largest request head read; the demo's crawler sends far less.
const MAX_HEAD: usize = 16 * 1024;

/// Serves the demo site on `listener` until the task is dropped.
pub(crate) async fn serve(listener: TcpListener, base: String) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            continue;
        };
        let base = base.clone();
        tokio::spawn(async move {
            let mut buf = Vec::with_capacity(1024);
            let mut chunk = [0u8; 1024];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_HEAD {
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf);
            let path = head
                .lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("/")
                .to_string();
            let (status, ctype, body) = route(&path, &base);
            let resp = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.write_all(body.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}

fn route(path: &str, base: &str) -> (&'static str, &'static str, String) {
    let html = "text/html; charset=utf-8";
    match path {
        "/" => ("200 OK", html, site::home(base)),
        "/robots.txt" => ("200 OK", "text/plain", site::ROBOTS.to_string()),
        "/rss/home.rss" => ("200 OK", "application/rss+xml", site::feed(base)),
        p => match site::ARTICLES
            .iter()
            .find(|a| p == format!("/{}-post{}.html", a.slug, a.id))
        {
            Some(a) => ("200 OK", html, site::article_page(a)),
            None => ("404 Not Found", html, "<h1>404</h1>".to_string()),
        },
    }
}
