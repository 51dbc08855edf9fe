#!/usr/bin/env python3
"""Writes nfd_and_spaces.toml: cases whose text arrives decomposed (NFD), with non-breaking
spaces, typographic quotes and dashes, CRLF line ends or the old tone placement.

The invisible characters are the point of these cases, so they are generated here rather than
typed by hand; run `python3 tests/corpus/gen_nfd_and_spaces.py` after editing a case. Expected
areas stay NFC with the gazetteer's spelling: the engine must normalise the input.
"""
import json
import os
import unicodedata

NBSP = "\u00a0"
NNBSP = "\u202f"

CASES = [
    {
        "id": "nfd-whole-text-district",
        "published": "2024-01-10", "province": "Nghệ An", "nfd": True,
        "text": "Năm 2023, tổng giá trị sản xuất của huyện Quỳnh Lưu đạt 26.450,8 tỷ đồng, đạt 101,5% kế hoạch, tăng 8,9% so với năm 2022.\n",
        "facts": [dict(area="huyện Quỳnh Lưu", value=26450.8, unit="tỷ đồng", year=2023, kind="actual", plan_pct=101.5, yoy_pct=8.9)],
    },
    {
        "id": "nbsp-between-number-and-unit",
        "published": "2023-12-26", "province": "Hà Tĩnh",
        "text": f"Năm 2023, huyện Cẩm Xuyên thu ngân sách đạt 312,4{NBSP}tỷ{NBSP}đồng; có 1.215{NBSP}hộ thoát nghèo.\n",
        "facts": [dict(area="huyện Cẩm Xuyên", value=312.4, unit="tỷ đồng", year=2023, kind="actual"),
                  dict(area="huyện Cẩm Xuyên", value=1215, unit="hộ", year=2023, kind="actual")],
    },
    {
        "id": "nbsp-after-level-word",
        "published": "2022-12-27", "province": "Quảng Trị",
        "text": f"Năm 2022, huyện{NBSP}Gio Linh có 18/19{NBSP}xã đạt chuẩn nông thôn mới.\n",
        "facts": [dict(area="huyện Gio Linh", value=18, unit="xã", total=19, year=2022, kind="actual")],
    },
    {
        "id": "typographic-quotes-and-en-dash-list",
        "published": "2024-12-18", "province": "Thanh Hóa",
        "text": "Huyện Yên Định xác định chủ đề năm 2025 là “Tăng tốc, bứt phá”. Một số chỉ tiêu chủ yếu năm 2025 của huyện Yên Định: – Tổng giá trị sản xuất đạt 15.600 tỷ đồng; – Thu ngân sách 420 tỷ đồng.\n",
        "facts": [dict(area="huyện Yên Định", value=15600, unit="tỷ đồng", year=2025, kind="target"),
                  dict(area="huyện Yên Định", value=420, unit="tỷ đồng", year=2025, kind="target")],
    },
    {
        "id": "old-tone-placement-hoa",
        "published": "2021-12-29", "province": "Thanh Hóa",
        "text": "Năm 2021, huyện Thiệu Hoá có thêm 4 xã đạt chuẩn nông thôn mới nâng cao; tỷ lệ hộ nghèo còn 1,9%.\n",
        "facts": [dict(area="huyện Thiệu Hóa", value=4, unit="xã", year=2021, kind="actual"),
                  dict(area="huyện Thiệu Hóa", value=1.9, unit="%", year=2021, kind="actual")],
    },
    {
        "id": "old-tone-placement-thuy-nfd",
        "published": "2020-12-23", "province": "Phú Thọ", "nfd": True,
        "text": "Năm 2020, huyện Thanh Thuỷ đón 820.000 lượt khách đến khu du lịch nước khoáng nóng.\n",
        "facts": [dict(area="huyện Thanh Thủy", value=820000, unit="lượt khách", year=2020, kind="actual")],
    },
    {
        "id": "crlf-line-ends",
        "published": "2019-12-30", "province": "Hải Dương",
        "text": "Năm 2019, huyện Ninh Giang:\r\nThu ngân sách đạt 185,2 tỷ đồng, tăng 7,3% so với năm 2018.\r\nGiải quyết việc làm cho 2.400 lao động.\r\n",
        "facts": [dict(area="huyện Ninh Giang", value=185.2, unit="tỷ đồng", year=2019, kind="actual", yoy_pct=7.3),
                  dict(area="huyện Ninh Giang", value=2400, unit="lao động", year=2019, kind="actual")],
    },
    {
        "id": "typographic-apostrophe-ea-hleo",
        "published": "2023-12-21", "province": "Đắk Lắk",
        "text": "Năm 2023, huyện Ea H’leo có 24.300 ha cà phê và 6.120 ha hồ tiêu.\n",
        "facts": [dict(area="huyện Ea H'leo", value=24300, unit="ha", year=2023, kind="actual"),
                  dict(area="huyện Ea H'leo", value=6120, unit="ha", year=2023, kind="actual")],
    },
    {
        "id": "nfd-with-nbsp-and-em-dash",
        "published": "2025-01-07", "province": "Hà Tĩnh", "nfd": True,
        "text": f"Năm 2024, huyện Nghi Xuân — huyện ven biển phía bắc của tỉnh — đón 1.150.000{NBSP}lượt khách; thu ngân sách 265{NBSP}tỷ đồng, đạt 118% dự toán.\n",
        "facts": [dict(area="huyện Nghi Xuân", value=1150000, unit="lượt khách", year=2024, kind="actual"),
                  dict(area="huyện Nghi Xuân", value=265, unit="tỷ đồng", year=2024, kind="actual", plan_pct=118)],
    },
    {
        "id": "multiple-spaces-and-tabs",
        "published": "2022-12-30", "province": "Lạng Sơn",
        "text": "Năm 2022,   huyện  Cao Lộc\tthu ngân sách   đạt  210,6   tỷ đồng.\n",
        "facts": [dict(area="huyện Cao Lộc", value=210.6, unit="tỷ đồng", year=2022, kind="actual")],
    },
    {
        "id": "narrow-nbsp-before-percent",
        "published": "2024-07-03", "province": "Bắc Ninh",
        "text": f"6 tháng đầu năm 2024, chỉ số sản xuất công nghiệp của tỉnh Bắc Ninh tăng 4,5{NNBSP}% so với cùng kỳ.\n",
        "facts": [dict(area="tỉnh Bắc Ninh", value=4.5, unit="%", year=2024, kind="actual", period="2024-H1")],
    },
    {
        "id": "nfd-commune-2025",
        "published": "2025-12-24", "province": "Hà Tĩnh", "nfd": True,
        "text": "Năm 2025, xã Đức Minh (Hà Tĩnh) có 15/17 thôn đạt chuẩn khu dân cư nông thôn mới kiểu mẫu.\n",
        "facts": [dict(area="xã Đức Minh", value=15, unit="thôn", total=17, year=2025, kind="actual")],
    },
]


def toml_str(s: str) -> str:
    """A TOML basic string; json.dumps escapes quotes, backslashes and control characters
    in a form TOML accepts, and ensure_ascii=False keeps the letters readable."""
    out = json.dumps(s, ensure_ascii=False)
    # Make the invisible characters visible in the file while keeping them in the value.
    return out.replace(NBSP, "\\u00a0").replace(NNBSP, "\\u202f")


def main() -> None:
    lines = [
        "# GENERATED by gen_nfd_and_spaces.py: edit the script, not this file.",
        "# Decomposed text, non-breaking spaces, typographic quotes/dashes, CRLF, old tone placement.",
        "",
    ]
    for case in CASES:
        text = case["text"]
        if case.get("nfd"):
            text = unicodedata.normalize("NFD", text)
        lines.append("[[case]]")
        lines.append(f"id = {toml_str(case['id'])}")
        for key in ("published", "province"):
            lines.append(f"{key} = {toml_str(case[key])}")
        lines.append(f"text = {toml_str(text)}")
        tags = ["nfd"] if case.get("nfd") else []
        lines.append(f"tags = {json.dumps(tags)}")
        for fact in case["facts"]:
            lines.append("[[case.facts]]")
            for key, val in fact.items():
                lines.append(f"{key} = {toml_str(val) if isinstance(val, str) else json.dumps(val)}")
        lines.append("")
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "nfd_and_spaces.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
