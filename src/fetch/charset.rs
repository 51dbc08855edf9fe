//! Turning body bytes into NFC text: which charset, then decoding.
//!
//! The order is the one the issue asks for: the `Content-Type` header, then `<meta charset>` or
//! `http-equiv`, then a byte-order mark, then detection (valid UTF-8 is UTF-8; otherwise
//! windows-1258 when the bytes read as Vietnamese in it, else windows-1252). One correction runs
//! first: when a page declares a legacy charset but its bytes are valid UTF-8 with non-ASCII
//! characters, the declaration is wrong (a CMS template copied from elsewhere) and UTF-8 is used,
//! since legacy text that happens to be valid multi-byte UTF-8 is vanishingly rare.
//! Decoding uses `encoding_rs`; the result is normalised to NFC because windows-1258 and some
//! sites (BNews) give decomposed Vietnamese, and place-name matching needs one form.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252, WINDOWS_1258};
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// How far into the body `<meta charset>` is looked for (the HTML standard's prescan uses 1024).
const META_SCAN_BYTES: usize = 4096;

/// Which charset was used and why, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CharsetSource {
    /// The `Content-Type` header.
    Header,
    /// A `<meta>` in the document.
    Meta,
    /// A byte-order mark.
    Bom,
    /// Detection from the bytes.
    Detected,
    /// The declared charset was overridden because the bytes are clean UTF-8.
    Corrected,
}

/// Decodes a body to NFC text. `content_type` is the raw header value, if any.
pub fn decode(
    body: &[u8],
    content_type: Option<&str>,
) -> (String, &'static Encoding, CharsetSource) {
    let (encoding, source) = choose(body, content_type);
    // `decode` strips a BOM that matches (and follows a BOM that does not: a BOM is unambiguous).
    let (text, _, _) = encoding.decode(body);
    let text = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => text.into_owned(),
        _ => text.nfc().collect(),
    };
    (text, encoding, source)
}

/// Picks the encoding of a body.
pub fn choose(body: &[u8], content_type: Option<&str>) -> (&'static Encoding, CharsetSource) {
    let declared = content_type
        .and_then(charset_param)
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        .map(|e| (e, CharsetSource::Header))
        .or_else(|| meta_charset(body).map(|e| (e, CharsetSource::Meta)));
    if let Some((enc, source)) = declared {
        let enc = normalise_declared(enc);
        if enc != UTF_8 && has_non_ascii(body) && std::str::from_utf8(strip_utf8_bom(body)).is_ok()
        {
            return (UTF_8, CharsetSource::Corrected);
        }
        if enc == UTF_8
            && std::str::from_utf8(strip_utf8_bom(body)).is_err()
            && detect(body) == WINDOWS_1258
        {
            // Declared UTF-8 but the bytes read as Vietnamese in windows-1258.
            return (WINDOWS_1258, CharsetSource::Corrected);
        }
        return (enc, source);
    }
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return (enc, CharsetSource::Bom);
    }
    (detect(body), CharsetSource::Detected)
}

/// A UTF-16 label in a `<meta>` or header on a byte-oriented page means UTF-8 in practice (the
/// HTML standard says the same for `<meta>`); `x-user-defined` is not useful either.
fn normalise_declared(enc: &'static Encoding) -> &'static Encoding {
    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        UTF_8
    } else {
        enc
    }
}

fn strip_utf8_bom(body: &[u8]) -> &[u8] {
    body.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(body)
}

fn has_non_ascii(body: &[u8]) -> bool {
    body.iter().any(|b| !b.is_ascii())
}

/// The `charset=` parameter of a `Content-Type` value.
pub fn charset_param(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        if k.trim().eq_ignore_ascii_case("charset") {
            let v = v.trim().trim_matches(|c| c == '"' || c == '\'').trim();
            (!v.is_empty()).then(|| v.to_string())
        } else {
            None
        }
    })
}

/// `<meta charset="…">` or `<meta http-equiv="Content-Type" content="…; charset=…">` in the
/// first bytes of the document. A byte scan, because the document is not decoded yet.
fn meta_charset(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(META_SCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(at) = find(&lower[from..], b"<meta") {
        let start = from + at;
        let end = lower[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| start + p);
        let tag = &lower[start..end];
        if let Some(cs) = find(tag, b"charset") {
            let rest = &tag[cs + b"charset".len()..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label: Vec<u8> = rest
                    .iter()
                    .copied()
                    .take_while(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')
                    })
                    .collect();
                if let Some(enc) = Encoding::for_label(&label) {
                    return Some(enc);
                }
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// No declaration and no BOM: valid UTF-8 is UTF-8; otherwise windows-1258 when the bytes decode
/// to Vietnamese there (letters only that charset has, tone marks that compose), else windows-1252.
fn detect(body: &[u8]) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let (as_1258, _, _) = WINDOWS_1258.decode(body);
    let nfc: String = as_1258.nfc().collect();
    let mut vietnamese = 0usize;
    let mut stray_marks = 0usize;
    for c in nfc.chars() {
        if is_vietnamese_only(c) {
            vietnamese += 1;
        } else if ('\u{300}'..='\u{36F}').contains(&c) {
            stray_marks += 1;
        }
    }
    if vietnamese > 0 && vietnamese > stray_marks {
        WINDOWS_1258
    } else {
        WINDOWS_1252
    }
}

/// Letters that exist in Vietnamese but not in windows-1252, so that seeing them after a
/// windows-1258 decode is evidence for that charset.
fn is_vietnamese_only(c: char) -> bool {
    matches!(
        c,
        'ă' | 'Ă' | 'đ' | 'Đ' | 'ơ' | 'Ơ' | 'ư' | 'Ư' | 'ĩ' | 'Ĩ' | 'ũ' | 'Ũ'
    ) || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "Tổng giá trị sản phẩm đạt" as windows-1258 writes it: base letters with combining tones.
    fn cp1258_sample() -> Vec<u8> {
        let decomposed =
            "T\u{f4}\u{309}ng gia\u{301} tri\u{323} sa\u{309}n ph\u{e2}\u{309}m \u{111}a\u{323}t";
        let (bytes, _, unmappable) = WINDOWS_1258.encode(decomposed);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn header_then_meta_then_detection() {
        let utf8 = "Giá trị sản xuất".as_bytes();
        assert_eq!(
            choose(utf8, Some("text/html; charset=UTF-8")).1,
            CharsetSource::Header
        );
        let page = b"<html><head><meta charset=\"windows-1258\"></head>";
        let (enc, src) = choose(page, Some("text/html"));
        assert_eq!((enc, src), (WINDOWS_1258, CharsetSource::Meta));
        let page = b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=iso-8859-1'>";
        assert_eq!(choose(page, None), (WINDOWS_1252, CharsetSource::Meta));
        assert_eq!(choose(utf8, None), (UTF_8, CharsetSource::Detected));
    }

    #[test]
    fn wrong_declaration_with_clean_utf8_is_corrected() {
        let (text, enc, src) = decode("Hà Tĩnh".as_bytes(), Some("text/html; charset=iso-8859-1"));
        assert_eq!(
            (text.as_str(), enc, src),
            ("Hà Tĩnh", UTF_8, CharsetSource::Corrected)
        );
    }

    #[test]
    fn windows_1258_declared_and_detected_give_nfc() {
        let bytes = cp1258_sample();
        let (text, _, _) = decode(&bytes, Some("text/html; charset=windows-1258"));
        assert_eq!(text, "Tổng giá trị sản phẩm đạt");
        let (text, enc, src) = decode(&bytes, None);
        assert_eq!((enc, src), (WINDOWS_1258, CharsetSource::Detected));
        assert_eq!(text, "Tổng giá trị sản phẩm đạt");
    }

    #[test]
    fn latin1_stays_latin1_and_bom_is_honoured() {
        let (enc, _) = choose(b"caf\xe9 cr\xe8me", None);
        assert_eq!(enc, WINDOWS_1252);
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("Nghệ An".as_bytes());
        let (text, enc, src) = decode(&bom, None);
        assert_eq!(
            (text.as_str(), enc, src),
            ("Nghệ An", UTF_8, CharsetSource::Bom)
        );
    }

    #[test]
    fn nfd_input_becomes_nfc() {
        let nfd = "Nghe\u{302}\u{323} An";
        let (text, _, _) = decode(nfd.as_bytes(), Some("text/html; charset=utf-8"));
        assert_eq!(text, "Nghệ An");
    }

    #[test]
    fn charset_parameter_forms() {
        assert_eq!(
            charset_param("text/html; Charset=\"UTF-8\"").as_deref(),
            Some("UTF-8")
        );
        assert_eq!(charset_param("text/html"), None);
    }
}
