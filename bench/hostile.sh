#!/usr/bin/env bash
# The hostile publisher against a release build of `tidings serve` with the
# crawler on (crates/tidings/tests/it/hostile.rs on the release profile):
# ten robots.txt bombs, the 4.8 MB <style> title, the 320 MB image, ten
# comment bombs on one article. Prints /livez and home page latency during
# the crawl (p50, p99, max), the median render of the article page holding
# the ten comments, and the server's peak RSS, ROUNDS times.
#
#   bash bench/hostile.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
for r in $(seq 1 "$ROUNDS"); do
  echo "--- round $r"
  cargo test -q --release -p tidings --test it -- hostile:: --nocapture 2>&1 |
    grep -E '^(/livez|/:|article page)'
done
