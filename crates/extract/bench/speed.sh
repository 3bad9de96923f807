#!/usr/bin/env bash
# Speed only: ours vs the fastest Rust peer vs the best-quality Rust peer vs Python
# trafilatura, interleaved for ROUNDS rounds (default 3), one thread each. Reports
# wall and thread-CPU pages/s (CPU time is the fair figure on a shared machine).
# usage: crates/extract/bench/speed.sh [ROUNDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
data=$root/target/wcxb-data/wcxb
out=$root/target/wcxb-speed
rounds=${1:-3}
cargo build -q --release -p tidings-extract --example wcxb_batch --features peers
bin=$root/target/release/examples/wcxb_batch
echo "# $(date -u +%FT%TZ) $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
  for e in ours dom_smoothie rs-trafilatura; do
    "$bin" "$data" "$out/$e" --engine "$e"
  done
done
python3 "$root/crates/extract/bench/py_trafilatura_cpu.py" "$data"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
