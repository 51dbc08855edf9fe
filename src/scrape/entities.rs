//! HTML character references, decoded lazily when text is read: numeric (`&#7853;`, `&#x1EAD;`,
//! with the HTML standard's windows-1252 remap of `&#128;`–`&#159;`) and every named reference of
//! the standard (2,231 names, `&amp;` to `&zwnj;`, including the two-code-point ones such as
//! `&NotEqualTilde;`).
//!
//! The table is html5ever's own (`markup5ever::data::NAMED_ENTITIES`, a perfect-hash map already
//! compiled into the program for the selector path), so the two parsers decode alike. Text
//! without `&` is returned untouched, which keeps the common case free.

use markup5ever::data::{C1_REPLACEMENTS, NAMED_ENTITIES};

/// A decoded reference: one or two characters.
pub(crate) type Decoded = (char, Option<char>);

/// Decodes the entities of an attribute value or a short text.
pub(crate) fn decode(raw: &str) -> String {
    if !raw.contains('&') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (d, used) = decode_entity(rest);
        match d {
            Some((a, b)) => {
                out.push(a);
                if let Some(b) = b {
                    out.push(b);
                }
            }
            None => out.push('&'),
        }
        rest = rest.get(used..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Decodes text that may have been escaped twice (`&amp;#226;` in a meta tag that a CMS escaped
/// once more): decodes again while the result still holds a complete character reference,
/// at most three times.
pub(crate) fn decode_fully(raw: &str) -> String {
    let mut s = decode(raw);
    for _ in 0..2 {
        if !has_reference(&s) {
            break;
        }
        s = decode(&s);
    }
    s
}

/// True when `s` holds a complete character reference (`&#226;`, `&#xE2;`, `&acirc;`).
pub(crate) fn has_reference(s: &str) -> bool {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        let tail = &rest[i..];
        if let (Some(_), used) = decode_entity(tail) {
            if tail.as_bytes().get(used - 1) == Some(&b';') {
                return true;
            }
        }
        rest = &rest[i + 1..];
    }
    false
}

/// Decodes the entity at the start of `s` (which begins with `&`): the characters and the bytes
/// used, or `None` and 1 when it is not a character reference.
pub(crate) fn decode_entity(s: &str) -> (Option<Decoded>, usize) {
    let bytes = s.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        return numeric(s);
    }
    let mut end = 1;
    while end < bytes.len() && end < 40 && bytes[end].is_ascii_alphanumeric() {
        end += 1;
    }
    if end == 1 {
        return (None, 1);
    }
    let has_semi = bytes.get(end) == Some(&b';');
    let key = if has_semi { &s[1..=end] } else { &s[1..end] };
    match NAMED_ENTITIES.get(key) {
        // Prefix entries of the table map to (0, 0): not a reference.
        Some(&(a, b)) if a != 0 => {
            let Some(a) = char::from_u32(a) else {
                return (None, 1);
            };
            let b = if b == 0 { None } else { char::from_u32(b) };
            (Some((a, b)), if has_semi { end + 1 } else { end })
        }
        _ => (None, 1),
    }
}

/// `&#NNN;` and `&#xHHH;`, with the HTML standard's replacements.
fn numeric(s: &str) -> (Option<Decoded>, usize) {
    let bytes = s.as_bytes();
    let (hex, start) = match bytes.get(2) {
        Some(b'x') | Some(b'X') => (true, 3),
        _ => (false, 2),
    };
    let mut end = start;
    while end < bytes.len()
        && end - start < 8
        && (if hex {
            bytes[end].is_ascii_hexdigit()
        } else {
            bytes[end].is_ascii_digit()
        })
    {
        end += 1;
    }
    if end == start {
        return (None, 1);
    }
    let code = u32::from_str_radix(&s[start..end], if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
    let used = if bytes.get(end) == Some(&b';') {
        end + 1
    } else {
        end
    };
    let c = match code {
        0x80..=0x9F => C1_REPLACEMENTS[(code - 0x80) as usize]
            .or_else(|| char::from_u32(code))
            .unwrap_or('\u{FFFD}'),
        0 => '\u{FFFD}',
        _ => char::from_u32(code).unwrap_or('\u{FFFD}'),
    };
    (Some((c, None)), used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_references_and_windows_1252_remap() {
        assert_eq!(
            decode("Thu ng&#226;n s&#225;ch t&#259;ng"),
            "Thu ngân sách tăng"
        );
        assert_eq!(decode("&#x1EAD;&#X1ead;"), "ậậ");
        assert_eq!(
            decode("&#128;&#133;&#145;&#146;&#147;&#148;&#150;&#151;"),
            "€…‘’“”–—"
        );
        assert_eq!(
            decode("&#130;&#131;&#137;&#138;&#140;&#153;&#159;"),
            "‚ƒ‰ŠŒ™Ÿ"
        );
        // The five unassigned windows-1252 positions stay C1 controls, as the standard says.
        assert_eq!(decode("&#129;"), "\u{81}");
        assert_eq!(decode("&#0;&#x110000;"), "\u{FFFD}\u{FFFD}");
    }

    #[test]
    fn every_named_reference_of_the_standard() {
        assert_eq!(decode("&amp;&lt;&gt;&quot;&apos;"), "&<>\"'");
        assert_eq!(decode("&Abreve;&abreve;&utilde;&ohorn;"), "Ăăũ&ohorn;");
        assert_eq!(decode("&dstrok;&Dstrok;&ecirc;&ocirc;"), "đĐêô");
        assert_eq!(decode("&hellip;&ndash;&mdash;&laquo;&raquo;"), "…–—«»");
        assert_eq!(decode("&NotEqualTilde;"), "\u{2242}\u{338}");
        assert_eq!(decode("&fjlig;&zwnj;&ThinSpace;"), "fj\u{200c}\u{2009}");
        // Legacy names without the semicolon, as browsers read them.
        assert_eq!(decode("&amp &copy 2025 &eacute"), "& © 2025 é");
        // Not references.
        assert_eq!(decode("&bogus; & &; AT&T"), "&bogus; & &; AT&T");
    }

    #[test]
    fn double_escaped_metadata() {
        assert_eq!(
            decode_fully("Thu ng&amp;#226;n s&amp;#225;ch"),
            "Thu ngân sách"
        );
        assert_eq!(decode_fully("A &amp;amp; B"), "A & B");
        assert_eq!(decode_fully("R&amp;D"), "R&D");
        assert!(!has_reference("R&D và AT&T"));
        assert!(has_reference("ng&#226;n"));
    }
}
