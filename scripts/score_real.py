#!/usr/bin/env python3
"""Score `chiso extract --batch` on a corpus of real articles with gold facts (a ratchet).

    python3 scripts/score_real.py --bin target/debug/chiso --scorer SCORER.py \
        [--min-f1 0.90] [--verbose] [--keep DIR] CORPUS_DIR_OR_FILE...

Each case file is JSON lines with "id", "title", "text", "published", "province" and gold
"facts" (the layout of LABELING.md). The cases go to the extractor exactly as the crawl gives
them: title as context, a month-only date ("2024-01") as the 15th. The scorer named by --scorer
(the project's shared scorer) computes precision, recall, F1 and attribute accuracy; this script
runs it per file and over everything, prints one table, and exits 1 when the pooled F1 is below
--min-f1 (raise the floor as the extractor improves; never lower it).

Nothing here is specific to one corpus: point it at any set of labeled real articles.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile


def batch_line(case):
    published = case.get("published")
    if isinstance(published, str) and re.fullmatch(r"\d{4}-\d{2}", published.strip()):
        published = published.strip() + "-15"
    return {
        "id": case["id"],
        "title": case.get("title"),
        "text": case.get("text", ""),
        "published": published,
        "province": case.get("province"),
    }


def score(scorer, gold, pred, verbose):
    args = [sys.executable, scorer, gold, pred] + (["--verbose"] if verbose else [])
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    figures = {}
    for key in ("precision", "recall", "f1"):
        m = re.search(rf"\b{key} ([0-9.]+)", out)
        figures[key] = float(m.group(1)) if m else 0.0
    for key in ("plan_pct", "yoy_pct", "total"):
        m = re.search(rf"{key}_accuracy ([0-9.]+)", out)
        figures[key] = float(m.group(1)) if m else 0.0
    m = re.search(r"^gold (\d+) pred (\d+) matched (\d+)$", out, re.M)
    figures["counts"] = tuple(int(x) for x in m.groups()) if m else (0, 0, 0)
    return figures, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--bin", required=True, help="the chiso binary")
    ap.add_argument("--scorer", required=True, help="score_facts.py")
    ap.add_argument("--min-f1", type=float, default=0.0)
    ap.add_argument("--verbose", action="store_true", help="print every miss and extra")
    ap.add_argument("--keep", help="folder to keep the predictions in")
    a = ap.parse_args()

    files = []
    for p in a.paths:
        if os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p) if f.endswith(".jsonl"))
        else:
            files.append(p)
    if not files:
        sys.exit("score_real: no .jsonl case files given")
    work = a.keep or tempfile.mkdtemp(prefix="chiso-score-")
    os.makedirs(work, exist_ok=True)
    all_gold = os.path.join(work, "all.gold.jsonl")
    all_pred = os.path.join(work, "all.pred.jsonl")
    rows = []
    with open(all_gold, "w", encoding="utf-8") as ag, open(all_pred, "w", encoding="utf-8") as ap_:
        for f in files:
            with open(f, encoding="utf-8") as fh:
                cases = [json.loads(line) for line in fh if line.strip()]
            name = os.path.basename(f)
            inp = os.path.join(work, name + ".in.jsonl")
            pred = os.path.join(work, name + ".pred.jsonl")
            with open(inp, "w", encoding="utf-8") as fh:
                for c in cases:
                    fh.write(json.dumps(batch_line(c), ensure_ascii=False) + "\n")
            with open(pred, "w", encoding="utf-8") as out:
                subprocess.run([a.bin, "extract", "--batch", inp], stdout=out, check=True)
            with open(pred, encoding="utf-8") as fh:
                preds = fh.read()
            errors = [json.loads(line) for line in preds.splitlines() if '"error"' in line[:200]]
            errors = [e for e in errors if "error" in e]
            if errors:
                sys.exit(f"score_real: {f}: the extractor refused {len(errors)} case(s): {errors[:3]}")
            ap_.write(preds)
            for c in cases:
                ag.write(json.dumps(c, ensure_ascii=False) + "\n")
            figures, out = score(a.scorer, f, pred, a.verbose)
            if a.verbose:
                print(out)
            rows.append((name, figures))
    overall, _ = score(a.scorer, all_gold, all_pred, False)
    rows.append(("ALL", overall))

    print(f"{'file':<28} {'gold':>5} {'pred':>5} {'match':>5} {'P':>6} {'R':>6} {'F1':>6}"
          f" {'plan%':>6} {'yoy%':>6} {'total':>6}")
    for name, f in rows:
        g, p, m = f["counts"]
        print(f"{name:<28} {g:>5} {p:>5} {m:>5} {f['precision']:>6.3f} {f['recall']:>6.3f}"
              f" {f['f1']:>6.3f} {f['plan_pct']:>6.3f} {f['yoy_pct']:>6.3f} {f['total']:>6.3f}")
    if overall["f1"] < a.min_f1:
        print(f"score_real: F1 {overall['f1']:.4f} is below the floor {a.min_f1:.4f}")
        return 1
    print(f"score_real: F1 {overall['f1']:.4f} (floor {a.min_f1:.4f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
