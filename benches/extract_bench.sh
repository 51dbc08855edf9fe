#!/usr/bin/env bash
# Throughput and memory of `chiso extract --batch` on a synthetic corpus.
#
#   benches/extract_bench.sh [BINARY] [N]
#   TEXTS=DIR_OR_FILES benches/extract_bench.sh [BINARY] [N]
#
# BINARY defaults to target/release/chiso (or $CARGO_TARGET_DIR/release/chiso when that is
# set and the default is absent); this script builds nothing: run `cargo build --release`
# first. N (default 10000) articles of 3–8 KB are generated once by gen_extract_corpus.py into
# $CHISO_BENCH_DIR (default: a folder under ${TMPDIR:-/tmp}) and reused on later runs. With
# TEXTS, the articles are made of the paragraphs of real labeled articles instead (any JSON
# lines with "text": the development corpus of real excerpts, for instance). The run
# is measured with GNU time (`/usr/bin/time -v`, installed with apt when absent and root), and
# the script prints articles, MB, seconds, articles/s, MB/s, peak RSS MB and facts/article.
# Figures belong in the README, never in test assertions.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"

bin="${1:-}"
if [[ -z "$bin" ]]; then
    bin="$root/target/release/chiso"
    if [[ ! -x "$bin" && -n "${CARGO_TARGET_DIR:-}" ]]; then
        bin="$CARGO_TARGET_DIR/release/chiso"
    fi
fi
n="${2:-${N:-10000}}"
seed="${SEED:-2024}"

if [[ ! -x "$bin" ]]; then
    echo "extract_bench: no executable at $bin (build it with: cargo build --release)" >&2
    exit 2
fi
if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n == 0 )); then
    echo "extract_bench: N must be a positive integer, got '$n'" >&2
    exit 2
fi

if ! /usr/bin/time -v true >/dev/null 2>&1; then
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
        echo "extract_bench: installing GNU time" >&2
        apt-get install -y -qq time >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq time; }
    fi
    /usr/bin/time -v true >/dev/null 2>&1 || { echo "extract_bench: GNU time (/usr/bin/time -v) is required" >&2; exit 2; }
fi

data_dir="${CHISO_BENCH_DIR:-${TMPDIR:-/tmp}/chiso-extract-bench}"
mkdir -p "$data_dir"
gen_version="$(sed -n 's/^GENERATOR_VERSION = //p' "$here/gen_extract_corpus.py")"
if [[ -n "${TEXTS:-}" ]]; then
    # Real paragraphs: TEXTS names a folder or files of labeled real articles (JSON lines
    # with "text"); the articles are rebuilt from their paragraphs every run.
    shopt -s nullglob
    texts=()
    for p in $TEXTS; do
        if [[ -d "$p" ]]; then texts+=("$p"/*.jsonl); else texts+=("$p"); fi
    done
    (( ${#texts[@]} > 0 )) || { echo "extract_bench: no .jsonl files in TEXTS=$TEXTS" >&2; exit 2; }
    corpus="$data_dir/real-n$n-seed$seed.jsonl"
    echo "extract_bench: building $n articles from the paragraphs of ${texts[*]}" >&2
    python3 "$here/gen_extract_corpus.py" --n "$n" --seed "$seed" --out "$corpus" --from-texts "${texts[@]}"
else
    corpus="$data_dir/articles-n$n-seed$seed-v${gen_version:-0}.jsonl"
    if [[ ! -s "$corpus" ]]; then
        echo "extract_bench: generating $n articles into $corpus" >&2
        python3 "$here/gen_extract_corpus.py" --n "$n" --seed "$seed" --out "$corpus.tmp"
        mv "$corpus.tmp" "$corpus"
    fi
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

/usr/bin/time -v -o "$work/time.txt" "$bin" extract --batch "$corpus" >"$work/out.jsonl" 2>"$work/stderr.txt" || {
    status=$?
    echo "extract_bench: $bin exited with $status" >&2
    tail -n 20 "$work/stderr.txt" >&2
    exit 1
}

python3 - "$corpus" "$work/out.jsonl" "$work/time.txt" <<'PY'
import json
import os
import sys

corpus, out, timing = sys.argv[1:4]
articles = sum(1 for _ in open(corpus, encoding="utf-8"))
size_mb = os.path.getsize(corpus) / 1e6

lines = facts = errors = 0
with open(out, encoding="utf-8") as f:
    for line in f:
        lines += 1
        rec = json.loads(line)
        if "error" in rec:
            errors += 1
        else:
            facts += len(rec.get("facts", []))

wall = rss_kb = None
cpu = 0.0
for line in open(timing, encoding="utf-8"):
    key, _, value = line.strip().rpartition(": ")
    if key in ("User time (seconds)", "System time (seconds)"):
        cpu += float(value)
    elif key.startswith("Elapsed (wall clock) time"):
        secs = 0.0
        for part in value.split(":"):
            secs = secs * 60 + float(part)
        wall = secs
    elif key == "Maximum resident set size (kbytes)":
        rss_kb = int(value)
if wall is None or rss_kb is None:
    sys.exit("extract_bench: could not read GNU time's output")

wall = max(wall, 1e-9)
print(f"articles        {articles}")
print(f"MB              {size_mb:.1f}")
print(f"seconds         {wall:.2f}")
print(f"cpu seconds     {cpu:.2f} (user+sys; steadier than wall time on a busy machine)")
print(f"articles/s      {articles / wall:.0f}")
print(f"articles/cpu-s  {articles / max(cpu, 1e-9):.0f}")
print(f"MB/s            {size_mb / wall:.2f}")
print(f"peak RSS MB     {rss_kb / 1024:.1f}")
print(f"facts/article   {facts / max(articles, 1):.2f}")
print(f"output lines    {lines} ({errors} error lines)")
if lines != articles:
    sys.exit(f"extract_bench: {articles} articles in, {lines} lines out")
PY
