#!/usr/bin/env bash
# Article mode on news pages, Auto and Article side by side:
#  * Mozilla Readability's 130 test pages (../shared/data/extraction; the reference is
#    readability.js's own output, not human gold: read it for gross failures, pages
#    far longer or shorter than the reference, more than for decimals);
#  * the origin's news regression set (crates/origin/src/news_pages.rs, 30 pages).
# With Python trafilatura installed (pip install trafilatura lxml_html_clean) its
# favor_precision and no_comments modes are scored too.
# usage: crates/extract/bench/news.sh [OUT_DIR]     (from the workspace root)
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
shared=$(cd "$root/../shared" && pwd)
out=${1:-$root/target/news-bench}
rdb=$root/target/rdb-data/readability-test-pages
news=$root/target/news-pages
score=$shared/tools/extraction_score.py
ratios=$root/crates/extract/bench/length_ratios.py
if [ ! -f "$rdb/001.json" ]; then
  mkdir -p "$root/target/rdb-data"
  tar --zstd -xf "$shared/data/extraction/readability-test-pages.tar.zst" -C "$root/target/rdb-data"
fi
cargo build -q --release -p tidings-extract --example wcxb_batch
cargo build -q --release -p tidings-origin
"$root/target/release/tidings-origin" --write-news-pages "$news" > /dev/null
bin=$root/target/release/examples/wcxb_batch
mkdir -p "$out"
for set in rdb news; do
  data=$([ "$set" = rdb ] && echo "$rdb" || echo "$news")
  engines="auto article"
  for kind in $engines; do
    "$bin" "$data" "$out/$set-$kind" --engine ours --kind "$kind" > /dev/null
  done
  if python3 -c 'import trafilatura' 2> /dev/null; then
    for mode in precision no_comments; do
      python3 "$shared/tools/peer_trafilatura.py" "$data" "$out/$set-py-$mode" --mode "$mode" > /dev/null
      engines="$engines py-$mode"
    done
  fi
  for e in $engines; do
    printf '%-6s %-16s ' "$set" "$e"
    python3 "$score" score --gold "$data" --pred "$out/$set-$e" --n-bootstrap 200 2> /dev/null | sed 's/^[^ ]* *//'
    printf '%-6s %-16s ' "" ""
    python3 "$ratios" "$data" "$out/$set-$e"
  done
done | tee "$out/scores.txt"
