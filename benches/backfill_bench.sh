#!/usr/bin/env bash
# Backfill throughput (issue 16): articles backfilled per hour against a local archive of N
# articles (default 10,000) at min_interval_ms = 0, i.e. the CPU and database cost, not the
# politeness wait; resident memory sampled every 0.5 s to show it stays flat. Everything runs on
# 127.0.0.1: a generated site (monthly sitemap index over ten years, one child per month, a short
# feed) served by `python3 -m http.server`, a temporary SQLite file.
#
#   cargo build --release && benches/backfill_bench.sh [path/to/chiso]
set -euo pipefail
BIN=${1:-target/release/chiso}
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
N=${ARTICLES:-10000}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

# The site: N articles of 4-6 KB spread evenly over 2016-2025, each with three report sentences.
python3 - "$WORK/site" "$N" "$PORT" <<'PY'
import os, sys, random, datetime
root, n, port = sys.argv[1], int(sys.argv[2]), sys.argv[3]
base = f"http://127.0.0.1:{port}"
os.makedirs(f"{root}/sitemaps", exist_ok=True)
random.seed(16)
areas = ["huyện Kỳ Anh", "huyện Thạch Hà", "huyện Cẩm Xuyên", "huyện Hương Sơn", "thị xã Hồng Lĩnh"]
open(f"{root}/robots.txt", "w").write("User-agent: *\nDisallow: /admin/\n")
start = datetime.datetime(2016, 1, 1, 8, 0)
span = (datetime.datetime(2025, 12, 31, 18, 0) - start).total_seconds()
months = {}
for i in range(1, n + 1):
    at = start + datetime.timedelta(seconds=span * (i - 1) / max(n - 1, 1))
    a = random.choice(areas); y = at.year
    paras = [f"Năm {y - 1}, tổng giá trị sản xuất của {a} đạt {random.randint(2000, 15000)}.{random.randint(10, 99)} tỷ đồng, tăng {random.randint(1, 15)},{random.randint(1, 9)}% so với năm {y - 2}.",
             f"Thu nhập bình quân đầu người đạt {random.randint(30, 80)},{random.randint(1, 9)} triệu đồng/người/năm, đạt {random.randint(95, 115)}% kế hoạch.",
             f"Toàn huyện có {random.randint(5, 25)}/{random.randint(25, 30)} xã đạt chuẩn nông thôn mới."]
    filler = "Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ chính trị, phát triển kinh tế - xã hội và đề ra phương hướng cho thời gian tới. " * 25
    body = "".join(f"<p>{p}</p>" for p in paras) + f"<p>{filler}</p>"
    iso = at.strftime("%Y-%m-%dT%H:%M:00+07:00")
    path = f"bao-cao-{i}-post{i}.html"
    html = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài {i}</title></head><body>'
            f'<article><h1 class="article__title">Báo cáo số {i} của {a}</h1><time datetime="{iso}">x</time>'
            f'<div class="article__sapo">(Baohatinh.vn) - Tổng kết năm {y - 1}.</div><div class="article__body">{body}</div>'
            f'<div class="article__author">PV</div></article></body></html>')
    open(f"{root}/{path}", "w").write(html)
    months.setdefault((at.year, at.month), []).append((path, iso))
with open(f"{root}/sitemap.xml", "w") as idx:
    idx.write('<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for (y, m), items in sorted(months.items(), reverse=True):
        idx.write(f"<sitemap><loc>{base}/sitemaps/news-{y}-{m}.xml</loc><lastmod>{items[-1][1]}</lastmod></sitemap>")
        with open(f"{root}/sitemaps/news-{y}-{m}.xml", "w") as f:
            f.write('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
            for path, iso in items:
                f.write(f"<url><loc>{base}/{path}</loc><lastmod>{iso}</lastmod></url>")
            f.write("</urlset>")
    idx.write("</sitemapindex>")
PY
(cd "$WORK/site" && python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
sleep 1

cat > "$WORK/chiso.toml" <<T
[database]
url = "sqlite://$WORK/bench.db"
[http]
min_interval_ms = 0
[[source]]
name = "archive"
province = "Hà Tĩnh"
base_url = "http://127.0.0.1:$PORT"
sitemaps = ["/sitemap.xml"]
article_pattern = '-post\d+\.html\$'
[source.selectors]
title = "h1.article__title"
published = "time[datetime]"
sapo = ".article__sapo"
body = ".article__body"
author = ".article__author"
T
"$BIN" --config "$WORK/chiso.toml" db migrate >/dev/null

START=$(date +%s.%N)
"$BIN" --config "$WORK/chiso.toml" backfill --source archive --since 2016-01-01 --until 2025-12-31 \
    > "$WORK/out.txt" 2> "$WORK/err.txt" &
PID=$!
: > "$WORK/rss.txt"
while kill -0 $PID 2>/dev/null; do
    awk '/VmRSS/ {print $2}' /proc/$PID/status 2>/dev/null >> "$WORK/rss.txt" || true
    sleep 0.5
done
wait $PID
END=$(date +%s.%N)
CPU=$(awk '{print $14+$15}' /proc/$$/stat 2>/dev/null || echo 0)
cat "$WORK/out.txt"
STORED=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from articles').fetchone()[0], c.execute('select count(*) from facts').fetchone()[0])" "$WORK/bench.db")
python3 - "$WORK/rss.txt" "$START" "$END" "$STORED" "$N" <<'PY'
import sys
rss = [int(x) / 1024 for x in open(sys.argv[1]).read().split() if x.strip()]
start, end = float(sys.argv[2]), float(sys.argv[3])
articles, facts = map(int, sys.argv[4].split())
secs = end - start
print(f"{articles} of {sys.argv[5]} articles and {facts} facts stored in {secs:.1f} s: {articles / secs * 3600:,.0f} articles per hour")
if rss:
    q = len(rss) // 10 or 1
    deciles = [rss[min(i * q, len(rss) - 1)] for i in range(10)] + [rss[-1]]
    print("resident memory (MB) at each tenth of the run: " + " ".join(f"{r:.1f}" for r in deciles))
    later = rss[len(rss) // 10:] or rss
    print(f"resident memory after the first tenth: min {min(later):.1f} MB, max {max(later):.1f} MB; peak {max(rss):.1f} MB")
PY
