#!/usr/bin/env python3
"""Helpers of benches/article_extraction.sh.

make DIR            print one `chiso scrape --batch` line {"id", "url", "path"} per DIR/*.html.gz
predictions OUT     turn the batch output into evaluate.py's {id: {"articleBody": body}}
"""
import json
import sys
from pathlib import Path


def make(html_dir):
    for p in sorted(Path(html_dir).glob("*.html.gz")):
        ident = p.name[: -len(".html.gz")]
        print(json.dumps({"id": ident, "url": None, "path": str(p)}))


def predictions(out_path):
    pred = {}
    with open(out_path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            pred[row["id"]] = {"articleBody": row.get("body") or ""}
    json.dump(pred, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "predictions"):
        sys.exit(__doc__)
    {"make": make, "predictions": predictions}[sys.argv[1]](sys.argv[2])
