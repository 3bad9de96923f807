#!/usr/bin/env python3
"""Python trafilatura (no_comments) over a WCXB dir, in process, reporting wall and
thread CPU time (the machine is shared: CPU time is the fair figure).
usage: py_trafilatura_cpu.py DATA_DIR"""
import json, sys, time
from pathlib import Path
import trafilatura

pages = []
for f in sorted(Path(sys.argv[1]).glob("*.html")):
    url = json.loads(f.with_suffix(".json").read_text()).get("url")
    pages.append((f.read_text(encoding="utf8", errors="replace"), url))
for html, url in pages[:20]:
    trafilatura.extract(html, url=url, include_comments=False)
per = []
t0, c0 = time.perf_counter(), time.thread_time()
for html, url in pages:
    c = time.thread_time()
    try:
        trafilatura.extract(html, url=url, include_comments=False)
    except Exception:
        pass
    per.append(time.thread_time() - c)
wall, cpu = time.perf_counter() - t0, time.thread_time() - c0
per.sort()
print(json.dumps({"engine": "py_trafilatura", "pages": len(pages), "secs": round(wall, 2),
                  "pages_per_s": round(len(pages) / wall, 1), "cpu_s": round(cpu, 2),
                  "pages_per_cpu_s": round(len(pages) / cpu, 1),
                  "p50_cpu_ms": round(per[len(per) // 2] * 1000, 2),
                  "p99_cpu_ms": round(per[len(per) * 99 // 100] * 1000, 2)}))
