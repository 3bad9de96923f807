#!/usr/bin/env bash
# Story clustering speed on real crawled data: clears the story assignments
# of a crawled database (a copy) and times the pipeline's clustering of all
# its articles, one process, release build.
#
#   KEEP=1 bash bench/crawl.sh 10000 50      # prints "kept /tmp/tidings-bench.XXXX"
#   bash bench/cluster.sh /tmp/tidings-bench.XXXX/data/tidings.db [BINARY]
#
# BINARY (default: the example built from this tree) lets two builds be
# compared on the same data in one run.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=$1
BIN=${2:-target/release/examples/cluster_speed}
[ -x "$BIN" ] || cargo build --release -p tidings-pipeline --example cluster_speed
COPY=$(mktemp /tmp/cluster-bench.XXXXXX.db)
trap 'rm -f "$COPY" "$COPY-wal" "$COPY-shm"' EXIT
cp "$DB" "$COPY"
sqlite3 "$COPY" "UPDATE articles SET story_id = NULL; DELETE FROM story_keys; DELETE FROM stories;
  DELETE FROM jobs WHERE kind IN ('related', 'cluster'); VACUUM;"
"$BIN" "$COPY"
