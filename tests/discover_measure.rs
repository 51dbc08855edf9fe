//! Throughput figures for the discovery parsers, printed, never asserted (DESIGN.md: timings go in
//! the README, not in tests). Run with
//! `cargo test --release --test discover_measure -- --ignored --nocapture`.

use chiso::discover::{parse_feed, parse_listing, parse_sitemap, Sitemap};
use std::io::Write;
use std::time::Instant;
use url::Url;

#[test]
#[ignore = "measurement; run by hand in release mode"]
fn measure_parsers() {
    let base = Url::parse("https://baohatinh.vn/sitemaps/news-2026-1.xml.gz").unwrap();
    let mut xml = String::from(
        "<?xml version=\"1.0\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">",
    );
    for i in 0..50_000 {
        xml.push_str(&format!("<url><loc>https://baohatinh.vn/bai-viet-so-{i}-post{}.html</loc><lastmod>2026-01-08T18:{:02}:00+07:00</lastmod></url>", 300_000 + i, i % 60));
    }
    xml.push_str("</urlset>");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(xml.as_bytes()).unwrap();
    let gz = gz.finish().unwrap();
    let t = Instant::now();
    let Sitemap::Urls(c) = parse_sitemap(&gz, &base).unwrap() else {
        panic!()
    };
    let dt = t.elapsed();
    println!(
        "sitemap: {} urls, {} KiB gzip / {} KiB xml, {:?} ({:.0} urls/s)",
        c.len(),
        gz.len() / 1024,
        xml.len() / 1024,
        dt,
        c.len() as f64 / dt.as_secs_f64()
    );

    let mut rss = String::from("<rss version=\"2.0\"><channel><title>t</title>");
    for i in 0..2_000 {
        rss.push_str(&format!("<item><title>Tin số {i} về kinh tế</title><link>https://baothanhhoa.vn/tin-{i}-{}.htm</link><pubDate>1/8/2026 6:21:00 PM</pubDate><description>Mô tả ngắn của tin số {i}</description></item>", 200_000 + i));
    }
    rss.push_str("</channel></rss>");
    let t = Instant::now();
    let c = parse_feed(rss.as_bytes(), &base).unwrap();
    let dt = t.elapsed();
    println!(
        "rss: {} items, {} KiB, {:?} ({:.0} items/s)",
        c.len(),
        rss.len() / 1024,
        dt,
        c.len() as f64 / dt.as_secs_f64()
    );

    let mut html = String::from("<html><body><ul>");
    for i in 0..3_000 {
        html.push_str(&format!(
            "<li><a href=\"/tin-{i}-a{}.html?utm_source=x\" title=\"Tin {i}\">Tin {i}</a></li>",
            190_000 + i
        ));
    }
    html.push_str("</ul><a href=\"?p=2\">2</a></body></html>");
    let page = Url::parse("https://baocantho.com.vn/thoi-su/").unwrap();
    let t = Instant::now();
    let (links, next) = parse_listing(&html, &page);
    let dt = t.elapsed();
    println!(
        "listing: {} links, {} KiB html, next={:?}, {:?}",
        links.len(),
        html.len() / 1024,
        next.map(|u| u.to_string()),
        dt
    );
}
