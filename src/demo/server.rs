//! The demo site's routes, served by the daemon's local HTTP listener (`daemon::http`).

use super::site;
use crate::daemon::http::{Handler, Response};
use std::sync::Arc;

/// The handler answering the demo site's paths under `base`.
pub(crate) fn handler(base: String) -> Handler {
    Arc::new(move |path: String| {
        let resp = route(&path, &base);
        Box::pin(async move { resp })
    })
}

fn route(path: &str, base: &str) -> Response {
    let html = "text/html; charset=utf-8";
    match path {
        "/" => Response::ok(html, site::home(base)),
        "/robots.txt" => Response::ok("text/plain", site::ROBOTS),
        "/rss/home.rss" => Response::ok("application/rss+xml", site::feed(base)),
        "/sitemap.xml" => Response::ok("application/xml", site::sitemap_index(base)),
        p if p.starts_with("/sitemaps/news-") => match p
            .strip_prefix("/sitemaps/news-")
            .and_then(|m| m.strip_suffix(".xml"))
            .and_then(|m| site::sitemap_month(base, m))
        {
            Some(xml) => Response::ok("application/xml", xml),
            None => Response::text(404, "not found\n"),
        },
        p => match site::ARTICLES
            .iter()
            .chain(site::ARCHIVE)
            .find(|a| p == format!("/{}-post{}.html", a.slug, a.id))
        {
            Some(a) => Response::ok(html, site::article_page(a)),
            None => Response::text(404, "not found\n"),
        },
    }
}
