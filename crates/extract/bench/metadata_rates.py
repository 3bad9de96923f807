#!/usr/bin/env python3
"""Metadata against WCXB gold: title exact match (whitespace/NFKC-normalised), publish
date same day (our local date vs gold YYYY-MM-DD), author (a predicted author equals,
contains or is contained in the gold author, case/punctuation-insensitive).
usage: metadata_rates.py GOLD_DIR META_DIR    (META_DIR/<id>.json: title, authors, published)"""
import glob, json, os, re, sys, unicodedata

gold_dir, meta_dir = sys.argv[1], sys.argv[2]
def norm(s): return " ".join(unicodedata.normalize("NFKC", s or "").split()).strip()
def nk(s): return re.sub(r"\W+", " ", norm(s).lower()).strip()
for typ in ["article", "all"]:
    for split in ["dev", "test", "both"]:
        t = tn = d = dn = a = an = 0
        for f in glob.glob(os.path.join(gold_dir, "*.json")):
            g = json.load(open(f)); pid = os.path.basename(f)[:-5]
            if typ != "all" and g["page_type"] != typ: continue
            if split != "both" and g["split"] != split: continue
            mp = os.path.join(meta_dir, pid + ".json")
            m = json.load(open(mp)) if os.path.exists(mp) else {}
            if g.get("title"):
                tn += 1; t += norm(m.get("title")) == norm(g["title"])
            if g.get("publish_date"):
                dn += 1; d += (m.get("published") or "")[:10] == g["publish_date"][:10]
            if g.get("author"):
                an += 1; ga = nk(g["author"]); ours = [nk(x) for x in m.get("authors") or []]
                a += any(o == ga or (o and (o in ga or ga in o)) for o in ours)
        print(f"{typ:8} {split:5} title {t/max(1,tn):.3f} (n={tn})  date {d/max(1,dn):.3f} (n={dn})  author {a/max(1,an):.3f} (n={an})")
