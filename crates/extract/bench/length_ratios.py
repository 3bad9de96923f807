#!/usr/bin/env python3
"""Gross failures: pages whose predicted text is far longer or shorter than the
reference, by word tokens (`\\w+`, the scorer's tokens).
usage: length_ratios.py GOLD_DIR PRED_DIR [--list] [--over 2.0] [--under 0.5]
"""
import argparse, json, re
from pathlib import Path

WORD = re.compile(r"\w+")
ap = argparse.ArgumentParser()
ap.add_argument("gold"); ap.add_argument("pred")
ap.add_argument("--list", action="store_true")
ap.add_argument("--over", type=float, default=2.0)
ap.add_argument("--under", type=float, default=0.5)
ap.add_argument("--filter", action="append", default=[], help="KEY=VALUE on the gold JSON")
a = ap.parse_args()
over, under, n = [], [], 0
for g in sorted(Path(a.gold).glob("*.json")):
    meta = json.loads(g.read_text(encoding="utf8"))
    if any(str(meta.get(k)) != v for k, v in (f.split("=", 1) for f in a.filter)):
        continue
    gold = len(WORD.findall(meta.get("articleBody") or ""))
    p = Path(a.pred) / (g.stem + ".txt")
    pred = len(WORD.findall(p.read_text(encoding="utf8"))) if p.exists() else 0
    n += 1
    if gold == 0:
        continue
    r = pred / gold
    if r > a.over:
        over.append((g.stem, gold, pred, r))
    elif r < a.under:
        under.append((g.stem, gold, pred, r))
print(f"pages {n}: {len(under)} under {a.under}x the reference, {len(over)} over {a.over}x")
if a.list:
    for name, rows in (("under", under), ("over", over)):
        for stem, gold, pred, r in rows:
            print(f"  {name:5} {stem:50} gold {gold:6} pred {pred:6} x{r:.2f}")
