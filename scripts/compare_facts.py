#!/usr/bin/env python3
"""Compare extracted facts with an expected facts file.

    python3 scripts/compare_facts.py EXPECTED.json ACTUAL.json \
        [--min-recall 1.0] [--min-precision 1.0] [--fields area,value,unit,year,kind]

EXPECTED is a facts file such as the seed's ({"facts": [...], "not_facts": [...]}); ACTUAL is
the output of `chiso extract` ({"facts": [...]}). Facts are matched as a multiset on the chosen
fields (default: area, value, unit, total, year, kind, plan_pct, yoy_pct); numbers match within
a relative tolerance of 1e-6, strings after NFC normalisation (units also ignore letter case).
Prints precision, recall and F1, then every missing and unexpected fact, and exits 1 when
recall or precision is below its threshold (2 on unreadable input). Python 3 standard library
only, so it runs anywhere the acceptance checks run.
"""

import argparse
import json
import math
import sys
import unicodedata

DEFAULT_FIELDS = ["area", "value", "unit", "total", "year", "kind", "plan_pct", "yoy_pct"]
KNOWN_FIELDS = set(DEFAULT_FIELDS) | {
    "indicator", "period", "value_high", "approx", "metric", "province", "area_level",
    "area_code", "unit_base", "value_base",
}
REL_TOL = 1e-6


def load_facts(path):
    """The "facts" list of a JSON file, or the list itself when the file is a bare list."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        fail_input(f"cannot read {path}: {e}")
    facts = data.get("facts") if isinstance(data, dict) else data
    if not isinstance(facts, list) or not all(isinstance(f, dict) for f in facts):
        fail_input(f'{path}: no "facts" list of objects')
    return facts


def fail_input(message):
    """Unreadable input is not a low score: exit 2 so callers can tell the two apart."""
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def norm_value(field, v):
    """A comparable form of one field: NFC strings, numbers as floats, None for null."""
    if v is None:
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = unicodedata.normalize("NFC", v).strip()
        return s.lower() if field == "unit" else s
    return v


def same(field, a, b):
    a, b = norm_value(field, a), norm_value(field, b)
    if isinstance(a, float) and isinstance(b, float) and not isinstance(a, bool):
        if math.isnan(a) or math.isnan(b):
            return False
        return a == b or abs(a - b) <= REL_TOL * max(abs(a), abs(b))
    return a == b


def differences(expected, actual, fields):
    """The fields on which two facts disagree (empty = a match)."""
    return [f for f in fields if not same(f, expected.get(f), actual.get(f))]


def match(expected, actual, fields):
    """Greedy multiset matching: each expected fact takes the first unused actual it matches.
    Returns (matched pairs, indices of missing expected, indices of unexpected actual)."""
    used = [False] * len(actual)
    pairs, missing = [], []
    for i, e in enumerate(expected):
        for j, a in enumerate(actual):
            if not used[j] and not differences(e, a, fields):
                used[j] = True
                pairs.append((i, j))
                break
        else:
            missing.append(i)
    unexpected = [j for j, u in enumerate(used) if not u]
    return pairs, missing, unexpected


def describe(fact, fields):
    keys = ["metric"] + [f for f in fields if f != "metric"]
    parts = []
    for k in keys:
        v = fact.get(k)
        if v is not None:
            parts.append(f"{k}={v}")
    sentence = fact.get("sentence")
    text = ", ".join(parts)
    if sentence:
        text += f"\n      in: {' '.join(str(sentence).split())[:200]}"
    return text


def scores(n_match, n_expected, n_actual):
    precision = n_match / n_actual if n_actual else 1.0
    recall = n_match / n_expected if n_expected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("expected")
    parser.add_argument("actual")
    parser.add_argument("--min-recall", type=float, default=1.0)
    parser.add_argument("--min-precision", type=float, default=1.0)
    parser.add_argument(
        "--fields",
        default=",".join(DEFAULT_FIELDS),
        help="comma-separated fields to match on (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    unknown = [f for f in fields if f not in KNOWN_FIELDS]
    if not fields or unknown:
        parser.error(f"unknown field(s): {', '.join(unknown) or '(none given)'}")

    expected = load_facts(args.expected)
    actual = load_facts(args.actual)
    pairs, missing, unexpected = match(expected, actual, fields)
    precision, recall, f1 = scores(len(pairs), len(expected), len(actual))

    print(f"fields: {','.join(fields)}")
    print(f"expected {len(expected)}, actual {len(actual)}, matched {len(pairs)}")
    print(f"precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}")
    if missing:
        print(f"\nmissing ({len(missing)}):")
        for i in missing:
            e = expected[i]
            print(f"  - {describe(e, fields)}")
            near = min(
                ((j, differences(e, actual[j], fields)) for j in unexpected),
                key=lambda t: len(t[1]),
                default=None,
            )
            if near and len(near[1]) <= 2:
                print(f"      nearest actual differs in: {', '.join(near[1])}")
    if unexpected:
        print(f"\nunexpected ({len(unexpected)}):")
        for j in unexpected:
            print(f"  + {describe(actual[j], fields)}")

    ok = recall >= args.min_recall - 1e-12 and precision >= args.min_precision - 1e-12
    if not ok:
        print(
            f"\nFAIL: recall {recall:.4f} (min {args.min_recall}), "
            f"precision {precision:.4f} (min {args.min_precision})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
