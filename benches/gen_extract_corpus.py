#!/usr/bin/env python3
"""Generate a synthetic article corpus for the extraction benchmark.

    python3 benches/gen_extract_corpus.py [--n 10000] [--seed 2024] [--out FILE.jsonl]
                                          [--min-kb 3] [--max-kb 8] [--planted FILE.jsonl]
                                          [--from-texts REAL.jsonl ...]

Writes N JSON lines {"id", "text", "published", "province"}, the input of
`chiso extract --batch`. Each article is 3–8 KB of UTF-8 built from templates of report
sentences (indicators with varied areas, number formats, periods, plan and growth
percentages, targets, flattened table rows) mixed with filler prose and non-facts (dates,
document numbers, phone numbers, awards). Everything is derived from --seed, so a run is
reproducible byte for byte. Area names come from the repository's gazetteer when present
(data/gazetteer), else from a small built-in list.

--planted writes, per article, how many indicator sentences were planted: a rough yardstick
for the facts/article figure, not ground truth (one sentence can hold several facts).
Standard library only.
"""

import argparse
import csv
import json
import os
import random
import sys

FALLBACK_DISTRICTS = [
    ("Hà Tĩnh", "huyện Kỳ Anh"), ("Hà Tĩnh", "huyện Cẩm Xuyên"), ("Nghệ An", "huyện Yên Thành"),
    ("Nghệ An", "huyện Đô Lương"), ("Thanh Hóa", "huyện Hoằng Hóa"), ("Lào Cai", "thị xã Sa Pa"),
    ("Đắk Lắk", "huyện Krông Pắc"), ("Cà Mau", "huyện Cái Nước"), ("Long An", "huyện Bến Lức"),
]
FALLBACK_PROVINCES = ["Hà Tĩnh", "Nghệ An", "Thanh Hóa", "Lào Cai", "Đắk Lắk", "Cà Mau", "Long An"]

METRICS_MONEY = [
    "tổng giá trị sản xuất", "thu ngân sách nhà nước trên địa bàn", "giá trị sản xuất công nghiệp",
    "tổng vốn đầu tư toàn xã hội", "giá trị sản xuất nông nghiệp", "doanh thu du lịch",
    "tổng mức bán lẻ hàng hóa", "giải ngân vốn đầu tư công",
]
METRICS_COUNT = [
    "có {n} doanh nghiệp thành lập mới", "giải quyết việc làm cho {n} lao động",
    "có {n} hộ thoát nghèo", "kết nạp {n} đảng viên mới", "đón {n} lượt khách du lịch",
    "thu hút {n} dự án đầu tư mới", "có {n} sản phẩm OCOP", "có {n} trường đạt chuẩn quốc gia",
]
# Bump when the output changes, so extract_bench.sh regenerates its cached corpus.
GENERATOR_VERSION = 2

METRICS_MASS = [
    ("sản lượng lương thực có hạt", "tấn"), ("sản lượng thủy sản", "tấn"),
    ("diện tích trồng rừng mới", "ha"), ("diện tích gieo trồng lúa", "ha"),
    ("năng suất lúa bình quân", "tạ/ha"),
]
METRICS_RATE = [
    "tỷ lệ hộ nghèo", "tỷ lệ che phủ rừng", "tỷ lệ dân số tham gia bảo hiểm y tế",
    "tỷ lệ lao động qua đào tạo", "tỷ lệ hộ dân sử dụng nước sạch",
]
GROWTH_SUBJECTS = [
    "tốc độ tăng trưởng GRDP", "chỉ số sản xuất công nghiệp", "khu vực dịch vụ",
    "khu vực nông, lâm nghiệp và thủy sản", "kim ngạch xuất khẩu",
]
FILLER = [
    "Công tác lãnh đạo, chỉ đạo được triển khai đồng bộ, quyết liệt, có trọng tâm, trọng điểm.",
    "Các phong trào thi đua yêu nước được phát động sâu rộng, thu hút đông đảo Nhân dân tham gia.",
    "Công tác cải cách hành chính tiếp tục được quan tâm, chỉ số hài lòng của người dân được nâng lên.",
    "An ninh chính trị, trật tự an toàn xã hội được giữ vững; quốc phòng, quân sự địa phương được củng cố.",
    "Bên cạnh kết quả đạt được, vẫn còn một số hạn chế, khó khăn cần tập trung khắc phục trong thời gian tới.",
    "Đời sống vật chất, tinh thần của Nhân dân từng bước được cải thiện, an sinh xã hội được bảo đảm.",
    "Hội nghị đã nghe các tham luận, ý kiến đóng góp tâm huyết, trách nhiệm của các đại biểu.",
    "Công tác chuyển đổi số được đẩy mạnh, nhiều thủ tục hành chính được giải quyết trực tuyến.",
    "Các chương trình mục tiêu quốc gia được triển khai hiệu quả, đúng đối tượng, đúng quy định.",
    "Phát biểu chỉ đạo, đồng chí Bí thư đề nghị các cấp, các ngành tiếp tục nỗ lực, quyết tâm cao hơn.",
]
NON_FACTS = [
    "Sáng {d}/{m}, hội nghị được tổ chức tại hội trường Trung tâm Chính trị huyện.",
    "Thực hiện Quyết định số {n}/QĐ-UBND ngày {d}/{m}/{y} của UBND tỉnh, các đơn vị đã rà soát kỹ lưỡng.",
    "Mọi ý kiến phản ánh xin gửi về đường dây nóng 0239.38{n:02d}.{d:03d}.",
    "Dịp này, UBND huyện tặng giấy khen cho {n} tập thể và {d} cá nhân có thành tích xuất sắc.",
    "Hội nghị có {n} đại biểu tham dự, kéo dài trong {d} ngày.",
    "Hiện huyện đang thẩm định {d} sản phẩm OCOP mới.",
    "Ông Nguyễn Văn {name} ({age} tuổi) là người có uy tín trong cộng đồng.",
]
NAMES = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Lâm", "Minh", "Nam", "Sơn", "Thắng"]


def load_areas(root):
    """(province, district full name) pairs and province names from the gazetteer, if present."""
    gdir = os.path.join(root, "data", "gazetteer")
    try:
        with open(os.path.join(gdir, "provinces_2008_2025.csv"), encoding="utf-8") as f:
            provinces = {r["code"]: r["name"] for r in csv.DictReader(f)}
        with open(os.path.join(gdir, "districts_2008_2025.csv"), encoding="utf-8") as f:
            districts = [(provinces[r["province_code"]], r["full_name"]) for r in csv.DictReader(f)]
    except (OSError, KeyError):
        return FALLBACK_DISTRICTS, FALLBACK_PROVINCES
    return districts, sorted(set(provinces.values()))


def vn_number(rng, value, decimals):
    """Vietnamese formatting: dots group thousands, a comma marks decimals."""
    text = f"{value:,.{decimals}f}"
    whole, _, frac = text.partition(".")
    whole = whole.replace(",", ".")
    frac = frac.rstrip("0")
    return whole + ("," + frac if frac else "")


def cap(s):
    """Upper-cases the first letter only (str.capitalize would lower "GRDP" and "III")."""
    return s[:1].upper() + s[1:]


def pct(rng, lo, hi):
    return vn_number(rng, rng.uniform(lo, hi), rng.choice([1, 2]))


def indicator_sentence(rng, area, year):
    """One report sentence with one or more indicators; returns (text, planted count)."""
    kind = rng.randrange(8)
    if kind == 0:
        m = rng.choice(METRICS_MONEY)
        return (f"Năm {year}, {m} của {area} đạt {vn_number(rng, rng.uniform(50, 30000), 2)} tỷ đồng, "
                f"đạt {pct(rng, 90, 130)}% kế hoạch, tăng {pct(rng, 1, 25)}% so với năm {year - 1}.", 1)
    if kind == 1:
        phrase = rng.choice(METRICS_COUNT).format(n=vn_number(rng, rng.randrange(2, 90000), 0))
        return f"Trong năm, toàn huyện {phrase}, tăng {pct(rng, 1, 40)}% so với cùng kỳ.", 1
    if kind == 2:
        m, unit = rng.choice(METRICS_MASS)
        value = rng.uniform(40, 80) if unit == "tạ/ha" else rng.uniform(100, 250000)
        return f"{cap(m)} đạt {vn_number(rng, value, 1)} {unit}, bằng {pct(rng, 95, 115)}% so với năm {year - 1}.", 1
    if kind == 3:
        m = rng.choice(METRICS_RATE)
        return f"{cap(m)} đạt {pct(rng, 1, 99)}%.", 1
    if kind == 4:
        s = rng.choice(GROWTH_SUBJECTS)
        verb = rng.choice(["tăng", "tăng", "giảm"])
        return f"{cap(s)} {verb} {pct(rng, 0.5, 15)}%.", 1
    if kind == 5:
        n = rng.randrange(5, 40)
        k = rng.randrange(1, n + 1)
        return f"Đến nay, {area} có {k}/{n} xã đạt chuẩn nông thôn mới; {rng.randrange(1, 9)} xã đạt chuẩn nâng cao.", 2
    if kind == 6:
        half = rng.choice([f"6 tháng đầu năm {year}", f"quý {rng.choice(['I', 'II', 'III', 'IV'])}/{year}",
                           f"9 tháng năm {year}"])
        return (f"{cap(half)}, thu ngân sách trên địa bàn đạt {vn_number(rng, rng.uniform(10, 900), 1)} tỷ đồng, "
                f"bằng {pct(rng, 30, 90)}% dự toán.", 1)
    kh = rng.uniform(100, 5000)
    th = kh * rng.uniform(0.9, 1.2)
    return (f"\nChỉ tiêu | Đơn vị | KH {year} | TH {year} | % KH\n"
            f"Giá trị sản xuất | tỷ đồng | {vn_number(rng, kh, 1)} | {vn_number(rng, th, 1)} | "
            f"{vn_number(rng, th / kh * 100, 1)}\n", 2)


def target_block(rng, area, year):
    items = [
        f"Tổng giá trị sản xuất đạt {vn_number(rng, rng.uniform(500, 40000), 1)} tỷ đồng",
        f"Thu ngân sách {vn_number(rng, rng.uniform(20, 2000), 2)} tỷ đồng",
        f"Tỷ lệ hộ nghèo giảm còn dưới {pct(rng, 0.5, 10)}%",
        f"Xây dựng thêm {rng.randrange(1, 9)} trường đạt chuẩn quốc gia",
        f"Trồng mới {vn_number(rng, rng.randrange(100, 5000), 0)} ha rừng",
    ]
    rng.shuffle(items)
    picked = items[: rng.randrange(2, 6)]
    return f"Một số chỉ tiêu chủ yếu năm {year + 1} của {area}: - " + "; - ".join(picked) + ".", len(picked)


def non_fact(rng, year):
    t = rng.choice(NON_FACTS)
    return t.format(d=rng.randrange(1, 29), m=rng.randrange(1, 13), y=year, n=rng.randrange(10, 999),
                    name=rng.choice(NAMES), age=rng.randrange(25, 95))


def article(rng, idx, districts, provinces, min_bytes, max_bytes):
    province, area = rng.choice(districts)
    if rng.random() < 0.25:
        area = f"tỉnh {rng.choice(provinces)}"
        province = area.split(" ", 1)[1]
    year = rng.randrange(2015, 2026)
    month = rng.randrange(1, 13)
    published = f"{year + (1 if month <= 2 else 0)}-{month:02d}-{rng.randrange(1, 29):02d}"
    target = rng.randrange(min_bytes, max_bytes)
    parts = [f"{cap(area)} tổng kết công tác năm {year}, triển khai nhiệm vụ năm {year + 1}."]
    planted = 0
    size = len(parts[0].encode("utf-8"))
    # Results first, next year's targets (if any) last, as real year-end reports do.
    closing, closing_planted = target_block(rng, area, year) if rng.random() < 0.7 else ("", 0)
    target -= len(closing.encode("utf-8"))
    while size < target:
        r = rng.random()
        if r < 0.5:
            text, n = indicator_sentence(rng, area, year)
            planted += n
        elif r < 0.62:
            text = non_fact(rng, year)
        else:
            text = rng.choice(FILLER)
        sep = "\n\n" if rng.random() < 0.3 else " "
        size += len(text.encode("utf-8")) + len(sep)
        parts.append(sep + text)
    if closing:
        parts.append("\n\n" + closing)
        planted += closing_planted
    text = "".join(parts)
    # Trim to the size budget at a character boundary so articles stay within 3–8 KB.
    raw = text.encode("utf-8")[:max_bytes]
    text = raw.decode("utf-8", errors="ignore")
    record = {"id": f"bench-{idx:06d}", "text": text, "published": published,
              "province": province if rng.random() < 0.9 else None}
    return record, planted


def from_texts(args):
    """Articles of --min-kb..--max-kb made of real paragraphs drawn at random (with the title,
    date and province of the article each first paragraph comes from): the throughput of the
    extractor on the prose it meets, not on templates."""
    docs = []
    for path in args.from_texts:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    d = json.loads(line)
                    paras = [p for p in d.get("text", "").split("\n\n") if p.strip()]
                    if paras:
                        docs.append((d, paras))
    if not docs:
        sys.exit("gen_extract_corpus: no texts in " + ", ".join(args.from_texts))
    rng = random.Random(args.seed)
    min_bytes, max_bytes = int(args.min_kb * 1024), int(args.max_kb * 1024)
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    try:
        for i in range(args.n):
            want = rng.randint(min_bytes, max_bytes)
            head, _ = rng.choice(docs)
            parts, size = [], 0
            while size < want:
                _, paras = rng.choice(docs)
                p = rng.choice(paras)
                parts.append(p)
                size += len(p.encode("utf-8")) + 2
            published = head.get("published")
            if isinstance(published, str) and len(published) == 7:
                published += "-15"
            record = {"id": f"real-{i:06d}", "title": head.get("title"),
                      "text": "\n\n".join(parts), "published": published,
                      "province": head.get("province")}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10000, help="number of articles (default 10000)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--out", default="-", help="output JSONL file, - for stdout")
    parser.add_argument("--min-kb", type=float, default=3.0)
    parser.add_argument("--max-kb", type=float, default=8.0)
    parser.add_argument("--planted", help="also write planted indicator counts per article here")
    parser.add_argument("--from-texts", nargs="+", metavar="FILE.jsonl",
                        help="build articles from the paragraphs of real articles (JSON lines "
                             "with \"text\" and optional \"title\", \"published\", "
                             "\"province\") instead of templates")
    args = parser.parse_args(argv)
    if args.from_texts:
        return from_texts(args)
    if args.n < 0 or args.min_kb <= 0 or args.max_kb < args.min_kb:
        parser.error("need --n >= 0 and 0 < --min-kb <= --max-kb")

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    districts, provinces = load_areas(root)
    rng = random.Random(args.seed)
    min_bytes, max_bytes = int(args.min_kb * 1024), int(args.max_kb * 1024)

    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    planted_out = open(args.planted, "w", encoding="utf-8") if args.planted else None
    try:
        for i in range(args.n):
            record, planted = article(rng, i, districts, provinces, min_bytes, max_bytes)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if planted_out:
                planted_out.write(json.dumps({"id": record["id"], "planted": planted}) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
        if planted_out:
            planted_out.close()


if __name__ == "__main__":
    main()
