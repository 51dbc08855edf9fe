//! The real-page regression set: one hand-written page in the shape of each Vietnamese CMS family
//! met while studying real sites (national papers shaped like VnExpress, Tuổi Trẻ, Dân trí and
//! Znews, a government portal portlet, a radio-TV site, the VietLong CMS of Báo Phú Thọ, the
//! Quảng Ninh / Hưng Yên template, Báo Lai Châu's `post-info` layout, Báo Bắc Ninh's `.bbg` CMS),
//! each with the traps those families set: metadata titles with raw or double-escaped character
//! references and site-name suffixes, the paper's name as the author, a midnight or date-only
//! machine date beside the visible time, a lead marked up as `h2`, `p.description`,
//! `div.summary-news`, `p.the-article-summary` (not repeating og:description) or bold
//! text, related-news blocks, comments, captions and share widgets around the body.
//!
//! Every page is scored field by field the way the held-out set is (title exact, published to
//! the minute, author, sapo, body start, body end, body length within 15 %, no boilerplate),
//! with the generic extractor and, where the shipped configuration has a source of that family,
//! with its selectors. All checks must pass; the tally is printed.

use chiso::scrape::{scrape, Article, Selectors};
use std::path::Path;

struct Expect {
    fixture: &'static str,
    html: &'static str,
    /// The shipped source whose selectors are tried on the page too.
    source: Option<&'static str>,
    title: &'static str,
    published: &'static str,
    author: &'static str,
    sapo: &'static str,
    body: &'static [&'static str],
    noise: &'static [&'static str],
}

const PAGES: &[Expect] = &[
    Expect {
        fixture: "vnexpress_like",
        html: include_str!("fixtures/scrape/vnexpress_like.html"),
        source: None,
        title: "Thu ngân sách Hà Tĩnh năm 2025 tăng 18%",
        published: "2025-01-06T14:30:00+07:00",
        author: "Hoài Thu",
        sapo: "Năm 2025, tổng thu ngân sách nhà nước trên địa bàn tỉnh Hà Tĩnh đạt 21.450 tỷ đồng, tăng 18% so với năm trước và vượt 24% dự toán.",
        body: &[
            "Theo báo cáo của Sở Tài chính Hà Tĩnh công bố sáng 6/1, thu nội địa năm 2025 đạt 9.870 tỷ đồng, chiếm 46% tổng thu, tăng 11% so với năm 2024. Thu từ doanh nghiệp có vốn đầu tư nước ngoài đóng góp 3.210 tỷ đồng, chủ yếu từ khu kinh tế Vũng Áng.",
            "Thu thuế xuất nhập khẩu đạt 11.580 tỷ đồng, tăng 24%, nhờ sản lượng thép và nguyên liệu nhập khẩu qua cảng tăng mạnh. Thu tiền sử dụng đất đạt 1.940 tỷ đồng, bằng 97% dự toán, do thị trường bất động sản phục hồi chậm ở một số địa phương.",
            "Chi ngân sách địa phương năm 2025 ước đạt 19.300 tỷ đồng, trong đó chi đầu tư phát triển 7.450 tỷ đồng, tập trung cho giao thông, thủy lợi và hạ tầng khu kinh tế.",
            "Năm 2026, Hà Tĩnh đặt mục tiêu thu ngân sách 22.600 tỷ đồng, tăng khoảng 8%.",
        ],
        noise: &[
            "Ảnh: Đức Hùng",
            "Tin liên quan",
            "Nghệ An thu ngân sách",
            "Quảng Trị công bố",
            "Ý kiến",
            "Minh Quang",
            "Copy link",
            "Xem nhiều",
            "&#",
            "Hoài Thu",
        ],
    },
    Expect {
        fixture: "tuoitre_like",
        html: include_str!("fixtures/scrape/tuoitre_like.html"),
        source: None,
        title: "Đồng bằng sông Cửu Long xuất khẩu gạo đạt 4,6 tỉ USD",
        published: "2025-01-06T09:05:00+07:00",
        author: "CHÍ QUỐC",
        sapo: "Năm 2025, các tỉnh Đồng bằng sông Cửu Long xuất khẩu 7,8 triệu tấn gạo, thu về 4,6 tỉ USD, tăng 9% về lượng so với năm trước.",
        body: &[
            "Theo Sở Công Thương Cần Thơ, riêng thành phố Cần Thơ sau sắp xếp đã xuất khẩu 1,2 triệu tấn gạo, kim ngạch 710 triệu USD. An Giang đứng thứ hai với 1,05 triệu tấn, trị giá 620 triệu USD.",
            "Giá gạo xuất khẩu bình quân năm 2025 đạt 590 USD/tấn, giảm 6% so với năm 2024 do nguồn cung thế giới tăng. Dù vậy, các doanh nghiệp vẫn ký được nhiều hợp đồng với thị trường Philippines, Indonesia và châu Phi.",
            "Năm 2026, ngành nông nghiệp các tỉnh đặt mục tiêu xuất khẩu 8 triệu tấn gạo, trong đó gạo thơm và gạo đặc sản chiếm trên 70%.",
        ],
        noise: &[
            "Ảnh: CHÍ QUỐC",
            "Giá lúa tăng mạnh",
            "Bình luận",
            "thương lái",
            "Tin cùng chuyên mục",
            "cá tra",
            "Chia sẻ",
            "xuất khẩu gạo\n",
        ],
    },
    Expect {
        fixture: "dantri_like",
        html: include_str!("fixtures/scrape/dantri_like.html"),
        source: None,
        title: "Nghệ An: Giải ngân vốn đầu tư công đạt 96% kế hoạch",
        published: "2025-02-03T07:45:00+07:00",
        author: "Hoàng Lam",
        sapo: "Đến hết tháng 1/2025, Nghệ An giải ngân 9.870 tỷ đồng vốn đầu tư công, đạt 96% kế hoạch, thuộc nhóm cao nhất cả nước.",
        body: &[
            "Theo UBND tỉnh Nghệ An, tổng kế hoạch vốn đầu tư công năm 2024 được kéo dài thời gian giải ngân đến hết tháng 1/2025 là 10.280 tỷ đồng. Trong đó, vốn ngân sách địa phương giải ngân đạt 98%, vốn ngân sách trung ương đạt 93%.",
            "Một số dự án lớn giải ngân nhanh gồm đường ven biển Nghi Sơn - Cửa Lò, đường nối Vinh - cửa khẩu Thanh Thủy và bệnh viện ung bướu. Các dự án này chiếm khoảng 35% tổng vốn đã giải ngân.",
            "Năm 2025, Nghệ An được giao 11.500 tỷ đồng vốn đầu tư công và đặt mục tiêu giải ngân 100% kế hoạch trước ngày 31/1/2026.",
        ],
        noise: &[
            "(Dân trí)",
            "Ảnh: Hoàng Lam",
            "Xem thêm",
            "Hà Tĩnh giải ngân",
            "Từ khóa",
            "Chia sẻ",
            "Thanh Hóa thu hút",
        ],
    },
    Expect {
        fixture: "gov_portal_portlet",
        html: include_str!("fixtures/scrape/gov_portal_portlet.html"),
        source: None,
        title: "Kinh tế - xã hội quý I năm 2025 của tỉnh tăng trưởng 7,9%",
        published: "2025-04-08T15:20:00+07:00",
        author: "Minh Trí",
        sapo: "Tổng sản phẩm trên địa bàn tỉnh (GRDP) quý I năm 2025 ước tăng 7,9% so với cùng kỳ, cao hơn mức tăng của quý I năm 2024; thu ngân sách đạt 1.560 tỷ đồng.",
        body: &[
            "Chiều 8/4, UBND tỉnh tổ chức phiên họp thường kỳ tháng 4 để đánh giá tình hình kinh tế - xã hội quý I. Theo báo cáo, khu vực công nghiệp - xây dựng tăng 11,2%, khu vực dịch vụ tăng 7,1%, khu vực nông, lâm nghiệp và thủy sản tăng 3,4%.",
            "Kim ngạch xuất khẩu quý I ước đạt 98 triệu USD, tăng 14%; tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng đạt 9.870 tỷ đồng, tăng 10,5%. Toàn tỉnh thu hút 12 dự án đầu tư mới với tổng vốn đăng ký 3.400 tỷ đồng.",
            "Chủ tịch UBND tỉnh yêu cầu các sở, ngành tập trung tháo gỡ khó khăn cho các dự án trọng điểm, phấn đấu tăng trưởng GRDP cả năm 2025 đạt từ 8% trở lên.",
        ],
        noise: &[
            "Quang cảnh phiên họp",
            "Tác giả",
            "In bài viết",
            "Các tin khác",
            "500.000 lượt khách",
            "Liên kết website",
            "Ngày đăng",
        ],
    },
    Expect {
        fixture: "radio_tv_vov_like",
        html: include_str!("fixtures/scrape/radio_tv_vov_like.html"),
        source: None,
        title: "Sơn La: Sản lượng cà phê niên vụ 2024-2025 đạt 62.000 tấn",
        published: "2025-01-06T14:30:00+07:00",
        author: "Ngọc Anh",
        sapo: "Niên vụ 2024-2025, tỉnh Sơn La thu hoạch 62.000 tấn cà phê nhân, tăng 12% so với niên vụ trước; giá trị xuất khẩu ước đạt 310 triệu USD.",
        body: &[
            "Theo Sở Nông nghiệp và Môi trường Sơn La, toàn tỉnh hiện có 22.500 ha cà phê, trong đó 19.800 ha cho sản phẩm. Năng suất bình quân đạt 3,1 tấn nhân mỗi ha, cao hơn mức bình quân cả nước.",
            "Giá cà phê nhân tại thời điểm thu hoạch dao động từ 110.000 đến 118.000 đồng mỗi kg, mức cao nhất từ trước đến nay. Nhiều hộ dân ở Mai Sơn, Thuận Châu có thu nhập trên 500 triệu đồng mỗi năm từ cây cà phê.",
            "Năm 2025, Sơn La phấn đấu nâng diện tích cà phê chế biến sâu lên 40% và xây dựng thêm 3 nhà máy chế biến cà phê đặc sản.",
        ],
        noise: &[
            "Nghe bài viết",
            "Phóng sự về mùa thu hoạch",
            "Tin liên quan",
            "30 quốc gia",
            "Chia sẻ",
            "Đọc nhiều",
            "Ngọc Anh",
            "lượt xem",
        ],
    },
    Expect {
        fixture: "vietlong_phutho",
        html: include_str!("fixtures/scrape/vietlong_phutho.html"),
        source: Some("baophutho"),
        title: "Phú Thọ: Chỉ số sản xuất công nghiệp tháng 10 tăng 14,2%",
        published: "2025-11-03T08:12:00+07:00",
        author: "Minh Hà",
        sapo: "Chỉ số sản xuất toàn ngành công nghiệp (IIP) tháng 10/2025 của tỉnh Phú Thọ ước tăng 14,2% so với cùng kỳ; tính chung 10 tháng tăng 12,6%.",
        body: &[
            "Theo Thống kê tỉnh, trong 10 tháng, ngành chế biến, chế tạo tăng 13,8% và là động lực chính của tăng trưởng công nghiệp. Một số sản phẩm tăng mạnh như linh kiện điện tử tăng 21%, quần áo may sẵn tăng 9,4%, giấy bìa các loại tăng 7,2%.",
            "Ngành sản xuất và phân phối điện tăng 8,1%; ngành cung cấp nước, hoạt động quản lý và xử lý rác thải tăng 5,3%. Chỉ số tiêu thụ ngành chế biến, chế tạo 10 tháng tăng 11,9%, chỉ số tồn kho giảm 4,2% so với cùng thời điểm năm trước.",
            "Tỉnh đặt mục tiêu giá trị sản xuất công nghiệp năm 2025 đạt 265.000 tỷ đồng, tăng 12% so với năm 2024.",
        ],
        noise: &[
            "Khu công nghiệp Phú Hà",
            "Tin cùng chuyên mục",
            "Tăng trưởng kinh tế quý III",
            "Minh Hà",
            "Tin đọc nhiều",
        ],
    },
    Expect {
        fixture: "quangninh_hungyen",
        html: include_str!("fixtures/scrape/quangninh_hungyen.html"),
        source: Some("baohungyen"),
        title: "Hưng Yên: Thu hút 1,5 tỷ USD vốn FDI trong 9 tháng",
        published: "2025-10-02T16:40:00+07:00",
        author: "Văn Quang",
        sapo: "Trong 9 tháng năm 2025, tỉnh Hưng Yên thu hút 62 dự án FDI mới và 48 lượt điều chỉnh vốn, tổng vốn đăng ký đạt 1,5 tỷ USD, tăng 27% so với cùng kỳ.",
        body: &[
            "Các dự án mới tập trung vào các khu công nghiệp Phố Nối A, Thăng Long II và Yên Mỹ, chủ yếu trong lĩnh vực điện tử, cơ khí chính xác và logistics. Nhật Bản và Hàn Quốc là hai nhà đầu tư lớn nhất với tổng vốn 920 triệu USD.",
            "Tính đến hết tháng 9, toàn tỉnh có 612 dự án FDI còn hiệu lực với tổng vốn đầu tư 8,9 tỷ USD. Các doanh nghiệp FDI đóng góp khoảng 65% giá trị xuất khẩu và 22% thu ngân sách của tỉnh.",
            "Năm 2025, Hưng Yên phấn đấu thu hút 2 tỷ USD vốn đầu tư nước ngoài.",
        ],
        noise: &[
            "Khu công nghiệp Thăng Long II.",
            "Văn Quang",
            "Tin liên quan",
            "Bắc Ninh dẫn đầu",
            "Chia sẻ",
            "In bài",
            "Tin mới",
        ],
    },
    Expect {
        fixture: "laichau_post_info",
        html: include_str!("fixtures/scrape/laichau_post_info.html"),
        source: Some("baolaichau"),
        title: "Lai Châu: Diện tích chè toàn tỉnh đạt 10.500 ha",
        published: "2025-12-15T10:05:00+07:00",
        author: "Thu Trang",
        sapo: "Đến nay, tổng diện tích chè toàn tỉnh Lai Châu đạt 10.500 ha, trong đó 8.200 ha cho sản phẩm; sản lượng chè búp tươi năm 2025 ước đạt 68.000 tấn.",
        body: &[
            "Những năm qua, tỉnh đã hỗ trợ người dân trồng mới chè với mức 15 triệu đồng mỗi ha, tập trung ở Tam Đường, Tân Uyên và Than Uyên. Năm 2025, toàn tỉnh trồng mới 480 ha, vượt 20% kế hoạch.",
            "Toàn tỉnh hiện có 34 cơ sở chế biến chè với công suất 520 tấn búp tươi mỗi ngày. Giá trị sản xuất chè năm 2025 ước đạt 1.150 tỷ đồng, thu nhập bình quân của hộ trồng chè đạt 95 triệu đồng mỗi năm.",
            "Mục tiêu đến năm 2030, diện tích chè của tỉnh đạt 12.000 ha, trong đó 30% diện tích được chứng nhận hữu cơ.",
        ],
        noise: &["Tin cùng chuyên mục", "Than Uyên phát triển", "Thu Trang", "15/12/2025"],
    },
    Expect {
        fixture: "bacninh_bbg",
        html: include_str!("fixtures/scrape/bacninh_bbg.html"),
        source: Some("baobacninh"),
        title: "Bắc Ninh: Kim ngạch xuất khẩu 11 tháng đạt 58 tỷ USD",
        published: "2025-12-04T17:25:00+07:00",
        author: "Hà Phương",
        sapo: "Kim ngạch xuất khẩu 11 tháng năm 2025 của tỉnh Bắc Ninh ước đạt 58 tỷ USD, tăng 16,4% so với cùng kỳ, tiếp tục dẫn đầu cả nước.",
        body: &[
            "Theo Sở Công Thương, các mặt hàng xuất khẩu chủ lực gồm điện thoại và linh kiện, máy vi tính, sản phẩm điện tử, chiếm trên 85% tổng kim ngạch. Thị trường xuất khẩu lớn nhất là Mỹ, Trung Quốc và Liên minh châu Âu.",
            "Kim ngạch nhập khẩu 11 tháng ước đạt 49,5 tỷ USD, tăng 14,8%; tỉnh xuất siêu khoảng 8,5 tỷ USD. Riêng khu vực có vốn đầu tư nước ngoài chiếm 97% kim ngạch xuất khẩu.",
            "Dự báo cả năm 2025, kim ngạch xuất khẩu của tỉnh đạt khoảng 63 tỷ USD, vượt 5% kế hoạch.",
        ],
        noise: &[
            "Tin liên quan",
            "4 tỷ USD vốn FDI",
            "Hà Phương",
            "Tin khác",
            "Khởi công khu nhà ở",
        ],
    },
    Expect {
        fixture: "znews_like",
        html: include_str!("fixtures/scrape/znews_like.html"),
        source: None,
        title: "Đà Nẵng đón 8,2 triệu lượt khách trong 11 tháng",
        published: "2025-12-02T01:05:00+00:00",
        author: "Thanh Bình",
        sapo: "Trong 11 tháng năm 2025, Đà Nẵng đón khoảng 8,2 triệu lượt khách lưu trú, tăng 21% so với cùng kỳ; doanh thu du lịch ước đạt 38.600 tỷ đồng.",
        body: &[
            "Theo Sở Du lịch Đà Nẵng, khách quốc tế đạt 3,4 triệu lượt, tăng 29%, trong đó Hàn Quốc, Trung Quốc và Ấn Độ là ba thị trường lớn nhất. Thành phố hiện có 142 đường bay quốc tế và nội địa, nhiều hơn 18 đường bay so với năm trước.",
            "Công suất phòng bình quân của các cơ sở lưu trú đạt 68%, riêng khách sạn 4-5 sao đạt 74%. Các sự kiện như lễ hội pháo hoa quốc tế và giải chạy marathon thu hút hơn 600.000 lượt khách.",
            "Năm 2026, thành phố đặt mục tiêu đón 9,5 triệu lượt khách lưu trú và doanh thu du lịch 45.000 tỷ đồng.",
        ],
        noise: &[
            "Sơn Trà",
            "Tags",
            "Chia sẻ",
            "Có thể bạn quan tâm",
            "Hội An",
            "Thanh Bình",
        ],
    },
];

/// The checks of one page: (name, passed, detail).
fn checks(e: &Expect, a: &Article) -> Vec<(&'static str, bool, String)> {
    let expected_body = e.body.join("\n\n");
    let first: String = e.body[0].chars().take(60).collect();
    let last = e.body[e.body.len() - 1];
    let last_tail: String = {
        let c: Vec<char> = last.chars().collect();
        c[c.len().saturating_sub(60)..].iter().collect()
    };
    let len = a.body.chars().count() as f64;
    let want = expected_body.chars().count() as f64;
    let boiler: Vec<&str> = e
        .noise
        .iter()
        .copied()
        .filter(|n| a.body.contains(n) || a.sapo.as_deref().is_some_and(|s| s.contains(n)))
        .collect();
    vec![
        (
            "title",
            a.title.as_deref() == Some(e.title),
            format!("{:?}", a.title),
        ),
        (
            "published",
            a.published.map(|d| d.to_rfc3339()).as_deref() == Some(e.published),
            format!("{:?}", a.published.map(|d| d.to_rfc3339())),
        ),
        (
            "author",
            a.author.as_deref() == Some(e.author),
            format!("{:?}", a.author),
        ),
        (
            "sapo",
            a.sapo.as_deref() == Some(e.sapo),
            format!("{:?}", a.sapo),
        ),
        (
            "body start",
            a.body.starts_with(&first),
            a.body.chars().take(80).collect(),
        ),
        ("body end", a.body.ends_with(&last_tail), {
            let c: Vec<char> = a.body.chars().collect();
            c[c.len().saturating_sub(80)..].iter().collect()
        }),
        (
            "body length",
            (len - want).abs() <= want * 0.15,
            format!("{len} chars, expected {want}"),
        ),
        ("no boilerplate", boiler.is_empty(), format!("{boiler:?}")),
    ]
}

fn shipped_selectors(source: &str) -> Selectors {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/chiso.toml");
    let config = chiso::config::Config::load(&path).expect("shipped config loads");
    config
        .source(source)
        .and_then(|s| s.selectors.clone())
        .unwrap_or_else(|| panic!("{source} has selectors in config/chiso.toml"))
}

#[test]
fn every_family_page_passes_every_field_check() {
    let mut passed = 0;
    let mut total = 0;
    let mut failures = Vec::new();
    for e in PAGES {
        let mut runs = vec![("generic", scrape(e.html, None, None))];
        if let Some(src) = e.source {
            let sel = shipped_selectors(src);
            let a = scrape(e.html, None, Some(&sel));
            assert_eq!(
                a.selector_fallback, None,
                "{}: the shipped selectors of {src} should hold on their own family's page",
                e.fixture
            );
            runs.push(("selectors", a));
        }
        for (how, a) in &runs {
            for (name, ok, detail) in checks(e, a) {
                total += 1;
                if ok {
                    passed += 1;
                } else {
                    failures.push(format!("{} ({how}): {name}: {detail}", e.fixture));
                }
            }
        }
    }
    println!(
        "field checks: {passed}/{total} ({:.3}) on {} family pages",
        passed as f64 / total as f64,
        PAGES.len()
    );
    assert!(
        failures.is_empty(),
        "failed checks:\n{}",
        failures.join("\n")
    );
}

#[test]
fn double_escaped_metadata_title_is_never_returned_raw() {
    // Without the h1, the title comes from metadata whose references were escaped twice.
    let e = &PAGES[0];
    let html = e.html.replace(
        "<h1 class=\"title-detail\">Thu ngân sách Hà Tĩnh năm 2025 tăng 18%</h1>",
        "",
    );
    let a = scrape(&html, None, None);
    assert_eq!(a.title.as_deref(), Some(e.title));
}

#[test]
fn the_site_is_never_the_author() {
    // The portal names itself as the author in its meta tags; without the byline paragraph the
    // page has no journalist, and no author is better than the site's name.
    let e = PAGES
        .iter()
        .find(|e| e.fixture == "gov_portal_portlet")
        .unwrap();
    let html = e.html.replace(
        "<p style=\"text-align: right;\"><strong>Tác giả: Minh Trí</strong></p>",
        "",
    );
    let a = scrape(&html, None, None);
    assert_eq!(a.author, None);
}

#[test]
fn midnight_machine_date_takes_the_visible_time() {
    let e = PAGES.iter().find(|e| e.fixture == "tuoitre_like").unwrap();
    let a = scrape(e.html, None, None);
    assert_eq!(
        a.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2025-01-06T09:05:00+07:00")
    );
    // Without the visible line, the machine date stands.
    let html = e.html.replace("06/01/2025 09:05 GMT+7", "");
    let a = scrape(&html, None, None);
    assert_eq!(
        a.published.map(|d| d.to_rfc3339()).as_deref(),
        Some("2025-01-06T00:00:00+07:00")
    );
}
