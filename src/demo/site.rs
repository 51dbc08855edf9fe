//! The demo's newspaper: a small site in the shape of a CMS-A provincial paper (RSS feed,
//! robots.txt, `-post<id>.html` articles with `time[datetime]`), with reports written for chiso
//! (invented figures about real places, no text from any newspaper).

/// One article of the demo site.
pub(crate) struct DemoArticle {
    pub id: u32,
    pub slug: &'static str,
    pub title: &'static str,
    pub published: &'static str,
    pub author: &'static str,
    pub sapo: &'static str,
    pub paragraphs: &'static [&'static str],
}

/// The articles, oldest first.
pub(crate) const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        id: 1001,
        slug: "huyen-thach-ha-tong-ket-nam-2022",
        title: "Huyện Thạch Hà tổng kết phát triển kinh tế - xã hội năm 2022",
        published: "2023-01-09T08:30:00",
        author: "Minh Châu",
        sapo: "(Baohatinh.vn) - Huyện Thạch Hà tổ chức hội nghị tổng kết năm 2022, đề ra nhiệm vụ năm 2023.",
        paragraphs: &[
            "Năm 2022, tổng giá trị sản xuất của huyện Thạch Hà đạt 9.120,5 tỷ đồng, tăng 8,2% so với năm 2021.",
            "Thu nhập bình quân đầu người đạt 52,4 triệu đồng/người/năm, đạt 101,5% kế hoạch.",
            "Năng suất lúa bình quân đạt 57,2 tạ/ha; sản lượng lương thực có hạt đạt 78.450 tấn.",
            "Năm 2023, huyện phấn đấu thu nhập bình quân đầu người đạt 56 triệu đồng/người/năm.",
        ],
    },
    DemoArticle {
        id: 1002,
        slug: "thach-ha-thu-ngan-sach-6-thang-2023",
        title: "Thạch Hà: thu ngân sách 6 tháng đầu năm 2023 vượt dự toán",
        published: "2023-07-12T15:10:00",
        author: "Hải Yến",
        sapo: "(Baohatinh.vn) - Thu ngân sách trên địa bàn huyện Thạch Hà tăng khá trong nửa đầu năm.",
        paragraphs: &[
            "6 tháng đầu năm 2023, thu ngân sách trên địa bàn huyện Thạch Hà đạt 215,3 tỷ đồng, đạt 61,2% dự toán.",
            "Toàn huyện có thêm 2 xã đạt chuẩn nông thôn mới nâng cao.",
        ],
    },
    DemoArticle {
        id: 1003,
        slug: "huyen-thach-ha-tong-ket-nam-2023",
        title: "Huyện Thạch Hà tổng kết năm 2023, triển khai nhiệm vụ năm 2024",
        published: "2024-01-10T09:00:00",
        author: "Minh Châu",
        sapo: "(Baohatinh.vn) - Năm 2023, huyện Thạch Hà hoàn thành 18/20 chỉ tiêu kinh tế - xã hội.",
        paragraphs: &[
            "Năm 2023, tổng giá trị sản xuất của huyện Thạch Hà đạt 9.874,1 tỷ đồng, tăng 8,3% so với năm 2022.",
            "Thu nhập bình quân đầu người đạt 56,8 triệu đồng/người/năm, đạt 101,4% kế hoạch, tăng 8,4% so với năm 2022.",
            "Năng suất lúa bình quân đạt 58,1 tạ/ha.",
            "Một số chỉ tiêu chủ yếu năm 2024: thu nhập bình quân đầu người đạt 61 triệu đồng/người/năm; tỷ lệ hộ nghèo giảm còn 2,1%.",
        ],
    },
    DemoArticle {
        id: 1004,
        slug: "thach-ha-ket-qua-nam-2024",
        title: "Huyện Thạch Hà: kinh tế năm 2024 tiếp tục tăng trưởng",
        published: "2025-01-08T10:20:00",
        author: "Quang Đức",
        sapo: "(Baohatinh.vn) - Huyện Thạch Hà đánh giá kết quả năm 2024.",
        paragraphs: &[
            "Năm 2024, tổng giá trị sản xuất của huyện Thạch Hà đạt 10.652,7 tỷ đồng, tăng 7,9% so với năm 2023.",
            "Thu nhập bình quân đầu người đạt 61,5 triệu đồng/người/năm, đạt 100,8% kế hoạch.",
            "Tỷ lệ hộ nghèo còn 2,05%.",
        ],
    },
];

/// The archive: older reports that the feed and the home page no longer list, only the monthly
/// sitemap index does; `chiso demo` backfills them so that its sample trend spans the years.
pub(crate) const ARCHIVE: &[DemoArticle] = &[
    DemoArticle {
        id: 901,
        slug: "huyen-thach-ha-tong-ket-nam-2019",
        title: "Huyện Thạch Hà tổng kết năm 2019",
        published: "2020-01-10T08:00:00",
        author: "Minh Châu",
        sapo: "(Baohatinh.vn) - Huyện Thạch Hà tổng kết công tác năm 2019.",
        paragraphs: &[
            "Năm 2019, tổng giá trị sản xuất của huyện Thạch Hà đạt 7.310,2 tỷ đồng, tăng 7,4% so với năm 2018.",
            "Thu nhập bình quân đầu người đạt 43,6 triệu đồng/người/năm, đạt 100,9% kế hoạch.",
            "Năng suất lúa bình quân đạt 55,4 tạ/ha.",
        ],
    },
    DemoArticle {
        id: 902,
        slug: "thach-ha-thu-ngan-sach-6-thang-2020",
        title: "Thạch Hà: thu ngân sách 6 tháng đầu năm 2020",
        published: "2020-07-14T14:00:00",
        author: "Hải Yến",
        sapo: "(Baohatinh.vn) - Thu ngân sách nửa đầu năm giữ được nhịp tăng.",
        paragraphs: &[
            "6 tháng đầu năm 2020, thu ngân sách trên địa bàn huyện Thạch Hà đạt 168,4 tỷ đồng, đạt 55,3% dự toán.",
        ],
    },
    DemoArticle {
        id: 903,
        slug: "huyen-thach-ha-tong-ket-nam-2020",
        title: "Huyện Thạch Hà tổng kết năm 2020",
        published: "2021-01-12T09:30:00",
        author: "Quang Đức",
        sapo: "(Baohatinh.vn) - Năm 2020, huyện Thạch Hà vượt qua khó khăn, giữ đà tăng trưởng.",
        paragraphs: &[
            "Năm 2020, tổng giá trị sản xuất của huyện Thạch Hà đạt 7.802,9 tỷ đồng, tăng 6,7% so với năm 2019.",
            "Thu nhập bình quân đầu người đạt 46,1 triệu đồng/người/năm, đạt 100,2% kế hoạch.",
            "Năng suất lúa bình quân đạt 56,0 tạ/ha.",
        ],
    },
    DemoArticle {
        id: 904,
        slug: "thach-ha-thu-ngan-sach-6-thang-2021",
        title: "Thạch Hà: thu ngân sách 6 tháng đầu năm 2021",
        published: "2021-07-13T15:00:00",
        author: "Hải Yến",
        sapo: "(Baohatinh.vn) - Thu ngân sách trên địa bàn huyện tăng so với cùng kỳ.",
        paragraphs: &[
            "6 tháng đầu năm 2021, thu ngân sách trên địa bàn huyện Thạch Hà đạt 184,9 tỷ đồng, đạt 57,8% dự toán.",
        ],
    },
    DemoArticle {
        id: 905,
        slug: "huyen-thach-ha-tong-ket-nam-2021",
        title: "Huyện Thạch Hà tổng kết năm 2021",
        published: "2022-01-11T08:45:00",
        author: "Minh Châu",
        sapo: "(Baohatinh.vn) - Huyện Thạch Hà hoàn thành phần lớn chỉ tiêu năm 2021.",
        paragraphs: &[
            "Năm 2021, tổng giá trị sản xuất của huyện Thạch Hà đạt 8.429,6 tỷ đồng, tăng 8,0% so với năm 2020.",
            "Thu nhập bình quân đầu người đạt 48,9 triệu đồng/người/năm, đạt 101,1% kế hoạch.",
            "Năng suất lúa bình quân đạt 56,6 tạ/ha.",
        ],
    },
];

/// The monthly sitemap index: one child per month that has an article, newest first, with the
/// month's newest publication time as `lastmod`.
pub(crate) fn sitemap_index(base: &str) -> String {
    let mut months: Vec<(String, &str)> = ARCHIVE
        .iter()
        .chain(ARTICLES)
        .map(|a| (month_of(a.published), a.published))
        .collect();
    months.sort();
    months.dedup_by(|later, earlier| {
        if later.0 == earlier.0 {
            earlier.1 = later.1;
            true
        } else {
            false
        }
    });
    let children: String = months
        .iter()
        .rev()
        .map(|(m, newest)| {
            format!(
                "<sitemap><loc>{base}/sitemaps/news-{m}.xml</loc><lastmod>{newest}+07:00</lastmod></sitemap>\n"
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{children}</sitemapindex>"
    )
}

/// The child sitemap of one month (`2021-1`), or `None` when no article is of that month.
pub(crate) fn sitemap_month(base: &str, month: &str) -> Option<String> {
    let urls: String = ARCHIVE
        .iter()
        .chain(ARTICLES)
        .filter(|a| month_of(a.published) == month)
        .map(|a| {
            format!(
                "<url><loc>{base}/{}-post{}.html</loc><lastmod>{}+07:00</lastmod></url>\n",
                a.slug, a.id, a.published
            )
        })
        .collect();
    (!urls.is_empty()).then(|| {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n{urls}</urlset>"
        )
    })
}

/// `2021-01-12T09:30:00` → `2021-1`, the month in the file names of the index.
fn month_of(published: &str) -> String {
    let year = published.get(..4).unwrap_or("");
    let month: u32 = published
        .get(5..7)
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    format!("{year}-{month}")
}

/// robots.txt: everything allowed but the admin area (never linked, never fetched).
pub(crate) const ROBOTS: &str = "User-agent: *\nDisallow: /admin/\n";

/// The site's home page, announcing its feed.
pub(crate) fn home(base: &str) -> String {
    let mut links = String::new();
    for a in ARTICLES.iter().rev() {
        links.push_str(&format!(
            "<li><a class=\"cms-link\" href=\"{base}/{}-post{}.html\">{}</a></li>\n",
            a.slug, a.id, a.title
        ));
    }
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>Báo Demo</title>\
         <link rel=\"alternate\" type=\"application/rss+xml\" href=\"{base}/rss/home.rss\"></head>\
         <body><ul>{links}</ul></body></html>"
    )
}

/// RSS 2.0 feed listing every article.
pub(crate) fn feed(base: &str) -> String {
    let mut items = String::new();
    for a in ARTICLES.iter().rev() {
        items.push_str(&format!(
            "<item><title>{}</title><link>{base}/{}-post{}.html</link><guid>{base}/{}-post{}.html</guid>\
             <pubDate>{}</pubDate></item>\n",
            a.title,
            a.slug,
            a.id,
            a.slug,
            a.id,
            rfc822(a.published)
        ));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel>\
         <title>Báo Demo</title><link>{base}/</link><description>Tin mới</description>\n{items}</channel></rss>"
    )
}

/// An article page in the CMS-A shape, with the noise a real page carries.
pub(crate) fn article_page(a: &DemoArticle) -> String {
    let body: String = a
        .paragraphs
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    format!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         <meta property=\"og:title\" content=\"{title}\"></head><body>\
         <header><nav><a href=\"/\">Trang chủ</a></nav></header>\
         <article><h1 class=\"article__title cms-title\">{title}</h1>\
         <time datetime=\"{published}\">{published}</time>\
         <div class=\"article__sapo cms-desc\">{sapo}</div>\
         <div class=\"article__body zce-content-body cms-body\">\n{body}\
         <figure><img src=\"/anh.jpg\"><figcaption>Quang cảnh hội nghị.</figcaption></figure>\
         <div class=\"ads_middle\">Quảng cáo</div>\
         <div class=\"related-news\"><a href=\"/khac-post9.html\">Tin liên quan</a></div>\
         </div><div class=\"article__author cms-author\">{author}</div></article>\
         <footer>Báo Demo</footer></body></html>",
        title = a.title,
        published = a.published,
        sapo = a.sapo,
        author = a.author,
    )
}

/// `2023-01-09T08:30:00` (local time) as an RFC 822 date with the +0700 offset.
fn rfc822(local: &str) -> String {
    chrono::NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M:%S")
        .ok()
        .and_then(|t| t.and_local_timezone(crate::scrape::vietnam()).single())
        .map(|t| t.to_rfc2822())
        .unwrap_or_default()
}
