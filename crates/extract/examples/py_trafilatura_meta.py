#!/usr/bin/env python3
"""Python trafilatura's metadata on a WCXB dir, in the layout /tmp/metaeval reads:
OUT/<id>.json = {"title", "authors", "published"}. usage: py_trafilatura_meta.py DATA OUT"""
import json, sys
from pathlib import Path
import trafilatura

data, out = Path(sys.argv[1]), Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
for f in sorted(data.glob("*.html")):
    url = json.loads(f.with_suffix(".json").read_text()).get("url")
    try:
        doc = trafilatura.bare_extraction(f.read_text(errors="replace"), url=url, with_metadata=True)
        d = doc.as_dict() if hasattr(doc, "as_dict") else (doc or {})
    except Exception:
        d = {}
    authors = [a.strip() for a in (d.get("author") or "").split(";") if a.strip()]
    (out / f"{f.stem}.json").write_text(json.dumps({"title": d.get("title"), "authors": authors, "published": d.get("date")}))
