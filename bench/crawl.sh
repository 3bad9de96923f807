#!/usr/bin/env bash
# Crawl benchmark: ingest N real articles from the local origin, end to end
# (poll feeds -> fetch pages -> extract -> fingerprint/dedup -> store), with
# `tidings crawl --once`, on a fresh SQLite (or --database-url) installation.
#
#   bash bench/crawl.sh [ARTICLES] [SITES] [extra tidings args...]
#
# All sites are served by one origin on 127.0.0.1, so "per host" limits are
# raised for this run (a real crawl spreads over many publisher hosts).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}; SITES=${2:-50}; shift 2 || true
DATA=${SHARED:-../shared/data}
BIN=target/release
[ -x $BIN/tidings ] && [ -x $BIN/tidings-origin ] || cargo build --release -p tidings -p tidings-origin
WORK=$(mktemp -d /tmp/tidings-bench.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN/tidings-origin --articles "$N" --sites "$SITES" --port "$PORT" "$DATA/news/newsarticles.jsonl.gz" "$DATA/news/reuters21578.jsonl.gz" > "$WORK/origin.log" &
ORIGIN=$!
# KEEP=1 leaves the data folder for a look afterwards (its path is printed).
trap 'kill $ORIGIN 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
for _ in $(seq 50); do grep -q listening "$WORK/origin.log" 2>/dev/null && break; sleep 0.2; done
cat "$WORK/origin.log"
{
  echo '<opml version="2.0"><body>'
  for s in $(seq 0 $((SITES - 1))); do echo "<outline type=\"rss\" text=\"s$s\" xmlUrl=\"http://127.0.0.1:$PORT/s$s/feed.xml\"/>"; done
  echo '</body></opml>'
} > "$WORK/sources.opml"
# TIDINGS=path/to/another/build compares two builds on the same origin data.
T="${TIDINGS:-$BIN/tidings} --data-dir $WORK/data --allow-private-networks $*"
$T opml import "$WORK/sources.opml"
export TIDINGS_FETCH_PER_HOST_DELAY_MS=0 TIDINGS_FETCH_PER_HOST_CONCURRENCY=${CONCURRENCY:-16} TIDINGS_CRAWL_WORKERS=${CONCURRENCY:-16}
START=$(date +%s.%N)
/usr/bin/time -v $T crawl --once 2> "$WORK/time.txt"
END=$(date +%s.%N)
STORED=$($T source list --json | python3 -c 'import json,sys; print(sum(s["article_count"] for s in json.load(sys.stdin)))')
RSS=$(grep "Maximum resident" "$WORK/time.txt" | awk '{print $NF}')
CPU=$(grep "Percent of CPU" "$WORK/time.txt" | awk '{print $NF}')
python3 - "$START" "$END" "$STORED" "$RSS" "$CPU" "$N" <<'PY'
import sys
start, end, stored, rss, cpu, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
secs = end - start
print(f"articles in origin: {n}; stored: {stored}; wall: {secs:.1f} s; {stored/secs:.0f} articles/s; peak RSS {rss/1024:.0f} MiB; CPU {cpu}")
PY
ls -la "$WORK/data"
# Where the time went: per job kind, how many, when the last one finished
# (seconds after the first claim) and the summed run time.
sqlite3 "$WORK/data/tidings.db" "
  SELECT kind, COUNT(*) AS jobs,
         ROUND((MAX(finished_at) - (SELECT MIN(claimed_at) FROM jobs)) / 1000.0, 1) AS last_done_s,
         ROUND(SUM(finished_at - claimed_at) / 1000.0, 1) AS busy_s
  FROM jobs WHERE state = 'done' GROUP BY kind ORDER BY last_done_s" 2>/dev/null || true
