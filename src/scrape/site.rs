//! What a page says about its own site, so that the site never passes for the article: the
//! `og:site_name`/`application-name` and the host, used to cut the site-name suffix off titles
//! (`… - Báo Hà Tĩnh`, `… | VnExpress`) and to refuse the paper's name or domain as the author.

use crate::text::ascii_key;

/// The site's own names, as keys without diacritics, spaces or punctuation.
#[derive(Debug, Default, Clone)]
pub(crate) struct Site {
    keys: Vec<String>,
}

/// Lower-case ASCII letters and digits only: "Báo Hà Tĩnh" → "baohatinh".
fn squash(s: &str) -> String {
    ascii_key(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Words that open the name of a paper, a broadcaster or a portal, never of a journalist
/// (with their diacritics: "Bảo Anh" is a journalist, "Báo Nghệ An" a paper).
const OUTLET_WORDS: &[&str] = &[
    "báo ",
    "tạp chí",
    "đài ",
    "truyền hình",
    "cổng thông tin",
    "cổng ttđt",
    "trang thông tin",
    "trang tin",
    "ban biên tập",
    "tòa soạn",
    "toà soạn",
    "thông tấn",
];

impl Site {
    /// Builds the hints from `og:site_name` (or `application-name`) and the page's host.
    pub(crate) fn new(site_name: Option<&str>, host: Option<&str>) -> Site {
        let mut keys = Vec::new();
        if let Some(n) = site_name {
            let k = squash(n);
            if k.len() >= 3 {
                keys.push(k);
            }
            // A site name that is a domain ("ZNEWS.VN", "VOV.VN"): its first label too.
            let n = n.trim();
            if n.contains('.') && !n.contains(' ') {
                if let Some(label) = n.trim_start_matches("www.").split('.').next() {
                    let k = squash(label);
                    if k.len() >= 3 {
                        keys.push(k);
                    }
                }
            }
        }
        if let Some(h) = host {
            let h = h.trim_start_matches("www.").trim_start_matches("m.");
            // The registrable label: "baohatinh" of "baohatinh.vn", "baocantho" of
            // "baocantho.com.vn".
            if let Some(label) = h.split('.').find(|l| l.len() >= 4) {
                keys.push(squash(label));
            }
        }
        Site { keys }
    }

    /// True when `s` is exactly the site's own name or host label ("Báo Hà Tĩnh", "baohatinh").
    pub(crate) fn is_own_name(&self, s: &str) -> bool {
        let k = squash(s);
        self.keys.contains(&k)
    }

    /// True when `s` names the site: its own name or host, a domain, or an outlet's name.
    pub(crate) fn is_site(&self, s: &str) -> bool {
        let t = s.trim();
        if t.is_empty() {
            return false;
        }
        let lower = t.to_lowercase();
        if lower.contains("http") || lower.contains("www.") {
            return true;
        }
        // A domain: "baohatinh.vn", "VnExpress.net".
        for tld in [".vn", ".com", ".net", ".org", ".info"] {
            if lower.contains(tld) && !lower.contains(' ') {
                return true;
            }
        }
        let key = squash(t);
        if key.len() >= 3
            && self.keys.iter().any(|k| {
                *k == key
                    || (k.len() >= 6 && key.contains(k.as_str()))
                    || (key.len() >= 6 && k.contains(key.as_str()))
            })
        {
            return true;
        }
        let lower = crate::text::nfc(&lower);
        OUTLET_WORDS.iter().any(|w| lower.starts_with(w))
            || lower.ends_with(" online")
            || lower.ends_with(" điện tử")
            || matches!(key.as_str(), "admin" | "administrator" | "quantrivien")
    }

    /// Removes a trailing site name after ` - `, ` | `, ` – `, ` — `, ` :: ` or ` » `.
    pub(crate) fn strip_suffix(&self, title: &str) -> String {
        let mut t = title.trim();
        for _ in 0..2 {
            let Some((head, tail)) = split_last(t) else {
                break;
            };
            if head.chars().count() >= 10 && tail.chars().count() <= 60 && self.is_site(tail) {
                t = head.trim_end();
            } else {
                break;
            }
        }
        t.to_string()
    }
}

/// The text before and after the last title separator.
fn split_last(t: &str) -> Option<(&str, &str)> {
    [" - ", " | ", " – ", " — ", " :: ", " » ", " || "]
        .iter()
        .filter_map(|sep| t.rfind(sep).map(|i| (i, sep.len())))
        .max_by_key(|(i, _)| *i)
        .map(|(i, n)| (&t[..i], t[i + n..].trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_and_domains() {
        let s = Site::new(Some("Báo Hà Tĩnh"), Some("baohatinh.vn"));
        assert!(s.is_site("Báo Hà Tĩnh"));
        assert!(s.is_site("baohatinh.vn"));
        assert!(s.is_site("BAOHATINH"));
        assert!(s.is_site("https://baohatinh.vn"));
        assert!(s.is_site("Báo điện tử Dân trí"));
        assert!(s.is_site("Đài Phát thanh và Truyền hình Cần Thơ"));
        assert!(!s.is_site("Thu Hà"));
        assert!(!s.is_site("Nguyễn Văn Bảo"));
        assert!(!s.is_site("P.Y"));
        assert!(!s.is_site("Bảo Anh"));
        let tn = Site::new(Some("thanhnien.vn"), None);
        assert!(tn.is_site("Thanh Niên"));
        assert!(Site::new(Some("ZNEWS.VN"), None).is_site("Znews"));
        assert!(Site::new(Some("VOV.VN"), None).is_site("VOV"));
        let t = Site::new(None, Some("www.baocantho.com.vn"));
        assert!(t.is_site("Báo Cần Thơ"));
        assert!(t.is_site("baocantho"));
    }

    #[test]
    fn title_suffixes() {
        let s = Site::new(Some("VnExpress"), Some("vnexpress.net"));
        assert_eq!(
            s.strip_suffix("Thu ngân sách tăng 12% - VnExpress Kinh doanh"),
            "Thu ngân sách tăng 12%"
        );
        assert_eq!(
            s.strip_suffix("Thu ngân sách tăng 12% | Báo Hà Tĩnh"),
            "Thu ngân sách tăng 12%"
        );
        assert_eq!(
            s.strip_suffix("Hà Tĩnh - Nghệ An hợp tác phát triển"),
            "Hà Tĩnh - Nghệ An hợp tác phát triển"
        );
        assert_eq!(
            s.strip_suffix("Giá lúa tăng - Kinh tế - baohatinh.vn"),
            "Giá lúa tăng - Kinh tế"
        );
    }
}
