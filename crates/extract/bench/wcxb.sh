#!/usr/bin/env bash
# Side-by-side WCXB benchmark: our extractor, the Rust peers and Python trafilatura,
# back to back in one run on one thread each, then scored with the project metric.
# usage: crates/extract/bench/wcxb.sh [OUT_DIR]     (from the workspace root)
# needs: pip install trafilatura lxml_html_clean
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
shared=$(cd "$root/../shared" && pwd)
out=${1:-$root/target/wcxb-bench}
data=$root/target/wcxb-data/wcxb
score=$shared/tools/extraction_score.py
mkdir -p "$out"
if [ ! -f "$data/0001.json" ]; then
  mkdir -p "$root/target/wcxb-data"
  tar --zstd -xf "$shared/data/extraction/wcxb-v1.0-common.tar.zst" -C "$root/target/wcxb-data"
fi
cargo build -q --release -p tidings-extract --example wcxb_batch --features peers
bin=$root/target/release/examples/wcxb_batch
{
  echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  for e in ours dom_smoothie libreadability trafilatura-nofallback trafilatura rs-trafilatura; do
    "$bin" "$data" "$out/$e" --engine "$e" $([ "$e" = ours ] && echo --meta)
  done
  python3 "$shared/tools/peer_trafilatura.py" "$data" "$out/py_trafilatura" --mode no_comments
  echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/timings.jsonl"
for e in ours dom_smoothie libreadability trafilatura-nofallback trafilatura rs-trafilatura py_trafilatura; do
  for f in "page_type=article --filter split=dev" "page_type=article --filter split=test" "split=dev" "split=test"; do
    printf '%-24s %-36s ' "$e" "$f"
    # shellcheck disable=SC2086
    python3 "$score" score --gold "$data" --pred "$out/$e" --filter $f --n-bootstrap 200 2>/dev/null | sed 's/^[^ ]* *//'
  done
done | tee "$out/scores.txt"
