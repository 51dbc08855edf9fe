//! `chiso extract`: facts from one article or from a JSONL batch.
//!
//! Single mode prints `{"facts": [...]}` for one text (or HTML page with `--html`). Batch mode
//! (`--batch IN.jsonl`) is what benchmarks and re-processing use: it streams line by line with
//! one `Extractor` and a buffered stdout, so memory stays flat whatever the input size; a bad
//! line yields an `{"id", "error"}` line and the run goes on.

use crate::extract::{ExtractOptions, Extractor, Fact};
use anyhow::Context as _;
use clap::Args;
use serde::Serialize;
use serde_json::Value;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `chiso extract` (names fixed by EXTRACTION.md).
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Province of the source, used as context to resolve area names.
    #[arg(long, value_name = "NAME")]
    pub province: Option<String>,
    /// Publication date (YYYY-MM-DD); resolves relative periods such as "năm qua".
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub published: Option<String>,
    /// The input is an HTML page: scrape the article text first.
    #[arg(long)]
    pub html: bool,
    /// Read lines {"id", "text", "published", "province"} and write one {"id", "facts"} line each.
    #[arg(long, value_name = "IN.jsonl", conflicts_with = "file")]
    pub batch: Option<PathBuf>,
    /// The article text (or HTML with --html); `-` or nothing reads standard input.
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

/// Runs `chiso extract`.
pub fn run(args: &ExtractArgs) -> anyhow::Result<ExitCode> {
    let published = match &args.published {
        Some(s) => Some(parse_date(s).with_context(|| format!("--published {s:?}"))?),
        None => None,
    };
    let extractor = Extractor::embedded();
    if let Some(batch) = &args.batch {
        run_batch(&extractor, batch, args, published)?;
        return Ok(ExitCode::SUCCESS);
    }
    let (name, bytes) = read_input(args.file.as_deref())?;
    let input =
        String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{name}: not valid UTF-8 text"))?;
    let (title, text) = if args.html {
        article_text_from_html(&input)
    } else {
        (None, input)
    };
    let opts = ExtractOptions {
        published,
        province: args.province.clone(),
        title,
    };
    let facts = extractor.extract(&text, &opts);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    serde_json::to_writer_pretty(&mut out, &FactsOut { facts: &facts })
        .context("writing the facts")?;
    writeln!(out).context("writing the facts")?;
    out.flush().context("writing the facts")?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct FactsOut<'a> {
    facts: &'a [Fact],
}

#[derive(Serialize)]
struct BatchOut<'a> {
    id: &'a Value,
    facts: &'a [Fact],
}

#[derive(Serialize)]
struct BatchErr<'a> {
    id: &'a Value,
    error: String,
}

/// A `YYYY-MM-DD` date (an RFC 3339 timestamp is cut to its date).
fn parse_date(s: &str) -> anyhow::Result<chrono::NaiveDate> {
    let d = s.trim();
    let d = d
        .get(..10)
        .filter(|_| d.len() > 10 && d.as_bytes()[10] == b'T')
        .unwrap_or(d);
    // A month alone ("2024-01", as some archives give it) stands for the middle of the month.
    if d.len() == 7 && d.as_bytes().get(4) == Some(&b'-') {
        return chrono::NaiveDate::parse_from_str(&format!("{d}-15"), "%Y-%m-%d")
            .map_err(|e| anyhow::anyhow!("not a date YYYY-MM-DD or YYYY-MM: {e}"));
    }
    chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
        .map_err(|e| anyhow::anyhow!("not a date YYYY-MM-DD or YYYY-MM: {e}"))
}

/// Reads FILE, or standard input for `-` or nothing; returns a display name and the bytes.
fn read_input(file: Option<&Path>) -> anyhow::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    match file {
        None => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading standard input")?;
            Ok(("<stdin>".to_string(), buf))
        }
        Some(p) if p.as_os_str() == "-" => {
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("reading standard input")?;
            Ok(("<stdin>".to_string(), buf))
        }
        Some(p) => {
            let name = p.display().to_string();
            let buf = std::fs::read(p).with_context(|| format!("{name}: cannot read"))?;
            Ok((name, buf))
        }
    }
}

fn run_batch(
    extractor: &Extractor<'_>,
    path: &Path,
    args: &ExtractArgs,
    published: Option<chrono::NaiveDate>,
) -> anyhow::Result<()> {
    let name = path.display().to_string();
    let reader: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(path).with_context(|| format!("{name}: cannot open"))?;
        Box::new(BufReader::with_capacity(1 << 16, f))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut line = Vec::new();
    let mut reader = reader;
    let mut n = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{name}: read error after line {n}"))?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match batch_line(extractor, &line, args, published) {
            Ok((id, facts)) => serde_json::to_writer(
                &mut out,
                &BatchOut {
                    id: &id,
                    facts: &facts,
                },
            ),
            Err((id, e)) => serde_json::to_writer(
                &mut out,
                &BatchErr {
                    id: &id,
                    error: format!("{name}:{n}: {e}"),
                },
            ),
        }
        .context("writing output")?;
        out.write_all(b"\n").context("writing output")?;
    }
    out.flush().context("writing output")?;
    Ok(())
}

/// One batch line: its id and facts, or its id (null when unknown) and an error.
fn batch_line(
    extractor: &Extractor<'_>,
    line: &[u8],
    args: &ExtractArgs,
    published: Option<chrono::NaiveDate>,
) -> Result<(Value, Vec<Fact>), (Value, String)> {
    let v: Value =
        serde_json::from_slice(line).map_err(|e| (Value::Null, format!("bad JSON: {e}")))?;
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let fail = |msg: String| (id.clone(), msg);
    let text = match v.get("text") {
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(fail("\"text\" is not a string".into())),
        None => return Err(fail("missing \"text\"".into())),
    };
    let published = match v.get("published") {
        None | Some(Value::Null) => published,
        Some(Value::String(s)) => {
            Some(parse_date(s).map_err(|e| fail(format!("\"published\": {e}")))?)
        }
        Some(_) => return Err(fail("\"published\" is not a string".into())),
    };
    let str_field = |k: &str| -> Result<Option<String>, (Value, String)> {
        match v.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(fail(format!("\"{k}\" is not a string"))),
        }
    };
    let province = str_field("province")?.or_else(|| args.province.clone());
    let title = str_field("title")?;
    let (title, text) = if args.html {
        let (t, body) = article_text_from_html(text);
        (title.or(t), body)
    } else {
        (title, text.to_string())
    };
    let opts = ExtractOptions {
        published,
        province,
        title,
    };
    Ok((id, extractor.extract(&text, &opts)))
}

/// The article's title and text (sapo then body), scraped the way the crawler does it.
fn article_text_from_html(html: &str) -> (Option<String>, String) {
    let article = crate::scrape::scrape(html, None, None);
    let text = article.text();
    (article.title, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_text_and_title() {
        let html = "<html><head><title>T</title><script>var x=1;</script></head><body>\
            <nav><a href=\"/\">Trang chủ</a></nav><article><h1>Huyện A đạt 5 xã</h1>\
            <p>Năm 2023, huyện có <b>5</b> xã đạt chuẩn nông thôn mới, nâng tổng số xã đạt chuẩn \
            của toàn huyện lên 20 xã sau nhiều năm nỗ lực của cả hệ thống chính trị.</p>\
            <p>Thu ngân sách trên địa bàn đạt 10 tỷ đồng, vượt dự toán được giao; thu nhập bình \
            quân đầu người tiếp tục tăng so với năm trước nhờ sản xuất nông nghiệp phát triển.</p>\
            <ul><li><p>Thu 10 tỷ đồng từ đất</p></li></ul><style>p{}</style></article>\
            <footer>Báo</footer></body></html>";
        let (title, text) = article_text_from_html(html);
        assert_eq!(title.as_deref(), Some("Huyện A đạt 5 xã"));
        assert!(
            text.contains("Năm 2023, huyện có 5 xã đạt chuẩn"),
            "{text:?}"
        );
        assert!(
            text.contains("Thu ngân sách trên địa bàn đạt 10 tỷ đồng"),
            "{text:?}"
        );
        assert!(!text.contains("var x") && !text.contains("p{}"), "{text:?}");
    }

    #[test]
    fn dates() {
        assert!(parse_date("2024-01-06").is_ok());
        assert!(parse_date("2024-01-06T08:00:00+07:00").is_ok());
        assert!(parse_date("06/01/2024").is_err());
    }
}
