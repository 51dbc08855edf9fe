#!/usr/bin/env bash
# Memory of the daemon (issue 5): resident memory idle with 12 sources, idle after a restart
# that follows a crawl with 35 sources (issue 13), and peak resident memory during a crawl of
# 1,000 local articles. Everything runs on 127.0.0.1: a generated CMS-A-like
# site served by `python3 -m http.server`, a temporary SQLite file.
#
#   benches/daemon_memory.sh [path/to/chiso]      (default target/release/chiso; build it first)
set -euo pipefail
BIN=${1:-target/release/chiso}
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 2; }
BIN=$(realpath "$BIN")
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
N=${ARTICLES:-1000}

# The site: robots.txt, a sitemap of N articles, N article pages of 4-6 KB with report sentences.
python3 - "$WORK/site" "$N" <<'PY'
import os, sys, random
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
random.seed(7)
areas = ["huyện Kỳ Anh", "huyện Thạch Hà", "huyện Cẩm Xuyên", "huyện Hương Sơn", "thị xã Hồng Lĩnh"]
open(f"{root}/robots.txt", "w").write("User-agent: *\nDisallow: /admin/\n")
urls = []
for i in range(1, n + 1):
    a = random.choice(areas); y = random.choice([2021, 2022, 2023, 2024])
    paras = [f"Năm {y}, tổng giá trị sản xuất của {a} đạt {random.randint(2000, 15000)}.{random.randint(10, 99)} tỷ đồng, tăng {random.randint(1, 15)},{random.randint(1, 9)}% so với năm {y - 1}.",
             f"Thu nhập bình quân đầu người đạt {random.randint(30, 80)},{random.randint(1, 9)} triệu đồng/người/năm, đạt {random.randint(95, 115)}% kế hoạch.",
             f"Toàn huyện có {random.randint(5, 25)}/{random.randint(25, 30)} xã đạt chuẩn nông thôn mới."]
    filler = "Hội nghị đã đánh giá kết quả thực hiện nhiệm vụ chính trị, phát triển kinh tế - xã hội và đề ra phương hướng cho thời gian tới. " * 25
    body = "".join(f"<p>{p}</p>" for p in paras) + f"<p>{filler}</p>"
    html = (f'<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài {i}</title></head><body>'
            f'<article><h1 class="article__title">Báo cáo số {i} của {a}</h1><time datetime="{y+1}-01-1{i%9}T08:00:00">x</time>'
            f'<div class="article__sapo">(Baohatinh.vn) - Tổng kết năm {y}.</div><div class="article__body">{body}</div>'
            f'<div class="article__author">PV</div></article></body></html>')
    open(f"{root}/bao-cao-{i}-post{i}.html", "w").write(html)
    urls.append(f"bao-cao-{i}-post{i}.html")
with open(f"{root}/sitemap.xml", "w") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for u in urls:
        f.write(f"<url><loc>http://127.0.0.1:PORT/{u}</loc></url>")
    f.write("</urlset>")
PY
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -i "s/PORT/$PORT/g" "$WORK/site/sitemap.xml"
(cd "$WORK/site" && python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
sleep 1

source_block() { # name base schedule
cat <<T
[[source]]
name = "$1"
province = "Hà Tĩnh"
base_url = "$2"
schedule = "$3"
sitemaps = ["/sitemap.xml"]
article_pattern = '-post\d+\.html\$'
max_new_per_run = 100000
[source.selectors]
title = "h1.article__title"
published = "time[datetime]"
sapo = ".article__sapo"
body = ".article__body"
author = ".article__author"

T
}
header() {
cat <<T
[database]
url = "sqlite://$WORK/$1.db"
[http]
min_interval_ms = 0
[schedule]
run_at_start = false
[daemon]
listen = "${2:-}"
T
}

# 1. Idle: 12 sources scheduled once a year and no crawl at start, on a database already
#    migrated (the state of a daemon restarted by systemd), the listener with the web pages and
#    API on a free loopback port; the first start's one-off gazetteer load is measured apart. The crawl takes the whole sitemap in one run (max_new_per_run).
WEB_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
{ header idle "127.0.0.1:$WEB_PORT"; for i in $(seq 1 12); do source_block "s$i" "http://127.0.0.1:$PORT" "0 0 0 1 1 *"; done; } > "$WORK/idle.toml"
FIRST=$(/usr/bin/time -v "$BIN" --config "$WORK/idle.toml" db migrate 2>&1 >/dev/null | awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}')
"$BIN" --config "$WORK/idle.toml" run 2>/dev/null &
PID=$!
sleep 8
IDLE_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
# The web pages and API are on the daemon's listener: a few of them served, then RSS again.
for path in / "/areas?q=huyen%20Ky%20Anh" /area/447 /api/sources "/api/reports?limit=10"; do
    curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT$path"
done
sleep 1
WEB_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
kill -TERM $PID; wait $PID || true

# 2. A crawl of N local articles, peak resident memory.
{ header crawl; source_block local "http://127.0.0.1:$PORT" "0 0 0 1 1 *"; } > "$WORK/crawl.toml"
START=$(date +%s.%N)
/usr/bin/time -v "$BIN" --config "$WORK/crawl.toml" crawl --once > "$WORK/crawl.out" 2> "$WORK/time.txt"
END=$(date +%s.%N)
PEAK=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$WORK/time.txt")
STORED=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute('select count(*) from articles').fetchone()[0], c.execute('select count(*) from facts').fetchone()[0])" "$WORK/crawl.db")
# 3. A restart after a crawl, with as many sources as config/chiso.toml (35) on the default
#    schedule: the restarted daemon finds every source's current slot crawled, so it stays idle
#    (the state of a daemon restarted by systemd between two slots), web pages on its listener.
{ header restart "127.0.0.1:$WEB_PORT"; for i in $(seq 1 35); do source_block "r$i" "http://127.0.0.1:$PORT" "0 */30 * * * *"; done; } \
    | sed 's/^run_at_start = false$/run_at_start = true/' > "$WORK/restart.toml"
"$BIN" --config "$WORK/restart.toml" crawl --once > /dev/null 2>&1 || true
"$BIN" --config "$WORK/restart.toml" run 2>/dev/null &
PID=$!
sleep 8
RESTART_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
kill -TERM $PID; wait $PID || true

# 4. Idle after this process crawled: the steady state between two slots of a daemon that has
#    extracted articles (the gazetteer and the extractor's tables are loaded by then).
{ header steady; source_block steady "http://127.0.0.1:$PORT" "0 0 0 1 1 *"; } \
    | sed 's/^run_at_start = false$/run_at_start = true/' > "$WORK/steady.toml"
"$BIN" --config "$WORK/steady.toml" run 2>"$WORK/steady.log" &
PID=$!
for _ in $(seq 1 120); do grep -q 'crawl finished' "$WORK/steady.log" && break; sleep 0.5; done
sleep 5
STEADY_RSS=$(awk '/VmRSS/ {print $2}' /proc/$PID/status)
kill -TERM $PID; wait $PID || true

printf 'first start (db migrate):    %6.1f MB peak resident\n' "$(echo "$FIRST/1024" | bc -l)"
printf 'idle, 12 sources:            %6.1f MB resident\n' "$(echo "$IDLE_RSS/1024" | bc -l)"
printf 'after serving 5 web pages:   %6.1f MB resident\n' "$(echo "$WEB_RSS/1024" | bc -l)"
printf 'idle after a crawl, restart, 35 sources: %6.1f MB resident\n' "$(echo "$RESTART_RSS/1024" | bc -l)"
printf 'idle after crawling %d articles:  %6.1f MB resident\n' "$N" "$(echo "$STEADY_RSS/1024" | bc -l)"
printf 'crawl of %d articles:     %6.1f MB peak resident, %.1f s, stored (articles facts): %s\n' \
    "$N" "$(echo "$PEAK/1024" | bc -l)" "$(echo "$END-$START" | bc -l)" "$STORED"
