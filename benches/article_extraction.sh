#!/usr/bin/env bash
# Generic article-body extraction benchmark: F1 and pages/s of `chiso scrape --batch` (one thread)
# on the scrapinghub article-extraction-benchmark copy in ../shared/bench/article-extraction.
#
# Usage: benches/article_extraction.sh [BENCH_DIR]   (run from anywhere; builds --release)
#        SKIP_BUILD=1 to reuse target/release/chiso; VERBOSE=1 for per-page scores.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
bench="${1:-$repo/../shared/bench/article-extraction}"
if [ ! -d "$bench/html" ]; then
    echo "article_extraction: no benchmark data at $bench (skipped)" >&2
    exit 0
fi
bench="$(cd "$bench" && pwd)"
target="${CARGO_TARGET_DIR:-$repo/target}"
if [ -z "${SKIP_BUILD:-}" ]; then
    (cd "$repo" && cargo build --release --quiet --bin chiso)
fi
chiso="$target/release/chiso"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$repo/benches/article_extraction_batch.py" make "$bench/html" > "$work/in.jsonl"
pages=$(wc -l < "$work/in.jsonl")

# Warm the page cache so the timing measures extraction, not the disk.
cat "$bench"/html/*.html.gz > /dev/null
start=$(date +%s.%N)
# CPU time too: on a shared machine wall time swings with the load, CPU time much less.
TIMEFORMAT='%U %S'
cpu=$( { time "$chiso" scrape --batch "$work/in.jsonl" > "$work/out.jsonl"; } 2>&1 )
end=$(date +%s.%N)

python3 "$repo/benches/article_extraction_batch.py" predictions "$work/out.jsonl" > "$work/pred.json"
verbose=()
if [ -n "${VERBOSE:-}" ]; then verbose=(--verbose); fi
python3 "$bench/evaluate.py" "$work/pred.json" "${verbose[@]}" | tee "$work/eval.txt"
if [ -n "${KEEP:-}" ]; then cp "$work/pred.json" "$KEEP"; fi
python3 - "$start" "$end" "$pages" $cpu <<'PY'
import sys
start, end, pages = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
cpu = float(sys.argv[4]) + float(sys.argv[5])
secs = end - start
print(f"pages: {pages}  wall: {secs:.3f} s = {pages / secs:.0f} pages/s  "
      f"cpu: {cpu:.3f} s = {pages / max(cpu, 1e-3):.0f} pages/cpu-s  (one thread, gunzip included)")
PY
