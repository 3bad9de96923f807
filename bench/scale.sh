#!/usr/bin/env bash
# Scale-out benchmarks on PostgreSQL.
#
#   bash bench/scale.sh crawl PG_URL [ARTICLES] [SITES]   # articles/s with 1 and with 2 crawler nodes
#   bash bench/scale.sh web PG_URL [ARTICLES]              # requests/s with 1 and 2 web nodes behind nginx
#
# PG_URL names a server where the user may create databases, e.g.
# postgres://postgres@127.0.0.1:5432/postgres. Each run uses a fresh database.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:?crawl or web}; PG=${2:?postgres url}
N=${3:-4000}; SITES=${4:-40}
DATA=${SHARED:-../shared/data}
BIN=target/release
[ -x $BIN/tidings ] && [ -x $BIN/tidings-origin ] || cargo build --release -p tidings -p tidings-origin
WORK=$(mktemp -d /tmp/tidings-scale.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fresh_db() {
  local name="tidings_bench_$RANDOM$RANDOM"
  psql "$PG" -qc "CREATE DATABASE $name" >/dev/null
  echo "${PG%/*}/$name"
}
origin() {
  OPORT=$(port)
  $BIN/tidings-origin --articles "$N" --sites "$SITES" --port "$OPORT" "$DATA/news/newsarticles.jsonl.gz" "$DATA/news/reuters21578.jsonl.gz" > "$WORK/origin.log" &
  PIDS+=($!)
  for _ in $(seq 50); do grep -q listening "$WORK/origin.log" 2>/dev/null && break; sleep 0.2; done
  {
    echo '<opml version="2.0"><body>'
    for s in $(seq 0 $((SITES - 1))); do echo "<outline type=\"rss\" text=\"s$s\" xmlUrl=\"http://127.0.0.1:$OPORT/s$s/feed.xml\"/>"; done
    echo '</body></opml>'
  } > "$WORK/sources.opml"
}
# Wait until every origin entry is stored (or linked to its original) and no job is left.
wait_done() {
  local db=$1
  while true; do
    read -r entries unlinked pending < <(psql "$db" -tAF' ' -c "SELECT (SELECT count(*) FROM feed_entries), (SELECT count(*) FROM feed_entries WHERE article_id IS NULL), (SELECT count(*) FROM jobs WHERE state IN ('queued','running'))")
    [ "$entries" -ge "$N" ] && [ "$unlinked" -eq 0 ] && [ "$pending" -eq 0 ] && break
    sleep 0.5
  done
}

# Every "site" of the origin is one host (127.0.0.1): the per-host limit, shared by all
# crawler nodes through the database, is raised so it does not cap two nodes at one's pace.
export TIDINGS_FETCH_PER_HOST_DELAY_MS=0 TIDINGS_FETCH_PER_HOST_CONCURRENCY=${PER_HOST:-64} TIDINGS_CRAWL_WORKERS=${WORKERS:-16}

if [ "$MODE" = crawl ]; then
  origin
  for NODES in 1 2; do
    DB=$(fresh_db)
    $BIN/tidings --data-dir "$WORK/setup" --database-url "$DB" --allow-private-networks opml import "$WORK/sources.opml" >/dev/null
    START=$(date +%s.%N)
    NODE_PIDS=()
    for k in $(seq "$NODES"); do
      TIDINGS_NODE_ID="crawler$k" $BIN/tidings --data-dir "$WORK/c$NODES-$k" --database-url "$DB" --allow-private-networks \
        serve --role crawler --listen "127.0.0.1:$(port)" 2> "$WORK/c$NODES-$k.log" &
      NODE_PIDS+=($!); PIDS+=($!)
    done
    wait_done "$DB"
    END=$(date +%s.%N)
    for p in "${NODE_PIDS[@]}"; do kill "$p"; done
    wait "${NODE_PIDS[@]}" 2>/dev/null || true
    STORED=$(psql "$DB" -tAc "SELECT count(*) FROM articles")
    python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{sys.argv[3]} crawler node(s): {sys.argv[4]} articles stored from {sys.argv[5]} entries in {s:.1f} s = {int(sys.argv[4])/s:.0f} articles/s')" "$START" "$END" "$NODES" "$STORED" "$N"
  done
  exit 0
fi

if [ "$MODE" = web ]; then
  origin
  DB=$(fresh_db)
  $BIN/tidings --data-dir "$WORK/setup" --database-url "$DB" --allow-private-networks opml import "$WORK/sources.opml" >/dev/null
  $BIN/tidings --data-dir "$WORK/setup" --database-url "$DB" --allow-private-networks crawl --once >/dev/null 2>&1
  ART=$(psql "$DB" -tAc "SELECT id FROM articles ORDER BY id LIMIT 1 OFFSET 10")
  W1=$(port); W2=$(port); P=$(port)
  for w in $W1 $W2; do
    $BIN/tidings --data-dir "$WORK/w$w" --database-url "$DB" serve --role web --listen "127.0.0.1:$w" 2> "$WORK/w$w.log" &
    PIDS+=($!)
  done
  for w in $W1 $W2; do for _ in $(seq 100); do curl -sf "http://127.0.0.1:$w/livez" >/dev/null && break; sleep 0.2; done; done
  run() { # upstream servers..., prints req/s and p99 for the article page through nginx
    mkdir -p "$WORK/nginx"
    { echo "worker_processes 1; pid $WORK/nginx/pid; error_log $WORK/nginx/error.log; daemon off;"
      echo "events { worker_connections 1024; }"
      echo "http { access_log off; upstream t { keepalive 64;"; for u in "$@"; do echo "server 127.0.0.1:$u;"; done
      echo "} server { listen 127.0.0.1:$P; location / { proxy_pass http://t; proxy_http_version 1.1; proxy_set_header Connection \"\"; } } }"
    } > "$WORK/nginx/nginx.conf"
    nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" & local NG=$!
    sleep 0.5
    echo "  anonymous readers (page cache):"
    wrk -t2 -c64 -d${DURATION:-15}s --latency "http://127.0.0.1:$P$PAGE" | grep -E "Requests/sec|99%|Non-2xx|Socket errors"
    # A cookie that is not a session bypasses the page cache: every request renders.
    echo "  every request rendered:"
    wrk -t2 -c64 -d${DURATION:-15}s --latency -H "Cookie: bench=1" "http://127.0.0.1:$P$PAGE" | grep -E "Requests/sec|99%|Non-2xx|Socket errors"
    kill $NG; wait $NG 2>/dev/null || true
  }
  # /a/ID redirects to /a/ID-slug: benchmark the page itself.
  PAGE=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$W1/a/$ART" | sed 's|^http://[^/]*||')
  [ -n "$PAGE" ] || PAGE="/a/$ART"
  echo "article page $PAGE: $(curl -s -o /dev/null -w '%{http_code}, %{size_download} bytes' "http://127.0.0.1:$W1$PAGE")"
  echo "one web node behind nginx:"; run $W1
  echo "two web nodes behind nginx:"; run $W1 $W2
fi
