#!/usr/bin/env bash
# Web benchmark: the article page (related articles, story coverage, AI panel,
# a comment thread) with ARTICLES articles in the database, under wrk on
# 127.0.0.1, side by side with nginx serving the same HTML as a static file
# in the same run.
#
#   bash bench/web.sh [ARTICLES] [CONNECTIONS] [SECONDS] [ROUNDS]
#
# Needs wrk and nginx (apt-get install wrk nginx). Steps: crawl a small local
# origin (2 sites, syndicated copies, so stories, topics and related articles
# come from the real pipeline), add ARTICLES stored articles with real text
# (crates/tidings/examples/bench_seed.rs) and 40 comments on the benchmarked
# article, build the search index, serve with the crawler off, then run wrk
# against Tidings and nginx in turn, ROUNDS times, after a warm-up of each.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}; CONN=${2:-64}; SECS=${3:-20}; ROUNDS=${4:-2}
DATA=${SHARED:-../shared/data}
CORPORA=("$DATA/news/newsarticles.jsonl.gz" "$DATA/news/reuters21578.jsonl.gz")
BIN=target/release
command -v wrk >/dev/null && command -v nginx >/dev/null || { echo "needs wrk and nginx: apt-get install wrk nginx" >&2; exit 1; }
[ -x $BIN/tidings ] && [ -x $BIN/tidings-origin ] && [ -x $BIN/examples/bench_seed ] \
  || cargo build --release -p tidings -p tidings-origin --bin tidings --bin tidings-origin --example bench_seed
WORK=$(mktemp -d /tmp/tidings-webbench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  sleep 0.5; rm -rf "$WORK"
}
trap cleanup EXIT
T="$BIN/tidings --data-dir $WORK/data"

echo "== crawl a small origin"
OPORT=$(free_port)
$BIN/tidings-origin --articles 60 --sites 2 --syndicate-every 3 --port "$OPORT" "${CORPORA[@]}" > "$WORK/origin.log" 2>&1 &
OPID=$!; PIDS+=("$OPID")
for _ in $(seq 100); do grep -q listening "$WORK/origin.log" 2>/dev/null && break; sleep 0.1; done
# The full-text source is crawled first, so the syndicated articles are
# stored there and the excerpt source's copies join their stories: the
# benchmarked page is a full-text article covered by two sources.
$T --allow-private-networks source add "http://127.0.0.1:$OPORT/s0/feed.xml" --display full --name "Full Times" >/dev/null
TIDINGS_FETCH_PER_HOST_DELAY_MS=0 TIDINGS_FETCH_PER_HOST_CONCURRENCY=8 $T --allow-private-networks crawl --once 2>/dev/null
$T --allow-private-networks source add "http://127.0.0.1:$OPORT/s1/feed.xml" --name "Excerpt Herald" >/dev/null
TIDINGS_FETCH_PER_HOST_DELAY_MS=0 TIDINGS_FETCH_PER_HOST_CONCURRENCY=8 $T --allow-private-networks crawl --once 2>/dev/null
kill "$OPID"

echo "== seed $N articles"
ID=$($BIN/examples/bench_seed "sqlite://$WORK/data/tidings.db?mode=rwc" "$N" 40 "${CORPORA[@]}")
echo "== build the search index"
$T reindex 2>/dev/null

PORT=$(free_port)
$T serve --no-crawl --listen "127.0.0.1:$PORT" 2> "$WORK/serve.log" &
PIDS+=("$!")
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.1; done
PAGE=$(curl -s -o /dev/null -w '%{redirect_url}' "http://127.0.0.1:$PORT/a/$ID")
PAGE=${PAGE#http://127.0.0.1:$PORT}
mkdir -p "$WORK/www"; chmod 755 "$WORK" "$WORK/www"  # nginx workers run as nobody
curl -sf "http://127.0.0.1:$PORT$PAGE" > "$WORK/www/article.html"
RELATED=$(grep -c 'class="card' "$WORK/www/article.html" || true)
COMMENTS=$(grep -c 'class="comment depth' "$WORK/www/article.html" || true)
echo "page $PAGE: $(wc -c < "$WORK/www/article.html") bytes, $RELATED related cards, $COMMENTS comments"
grep -q 'class="ai-panel"' "$WORK/www/article.html" && [ "$RELATED" -gt 0 ] && [ "$COMMENTS" -gt 0 ] \
  || { echo "the page lacks related articles, comments or the AI panel" >&2; exit 1; }

NPORT=$(free_port)
cat > "$WORK/nginx.conf" <<EOF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { text/html html; }
  server {
    listen 127.0.0.1:$NPORT;
    root $WORK/www;
    location / { try_files /article.html =404; }
  }
}
EOF
nginx -c "$WORK/nginx.conf" -e "$WORK/nginx-error.log"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$NPORT$PAGE" >/dev/null && break; sleep 0.1; done
cmp <(curl -s "http://127.0.0.1:$NPORT$PAGE") "$WORK/www/article.html"

run() { # name url [wrk args] -> "req/s p99"
  wrk -t2 -c"$CONN" -d"${SECS}s" --latency "${@:3}" "$2" > "$WORK/wrk-$1.txt"
  local rps p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$WORK/wrk-$1.txt")
  errs=$(grep -E "Non-2xx|Socket errors" "$WORK/wrk-$1.txt" || true)
  echo "$1: $rps req/s, p99 $p99 ${errs:+($errs)}"
  echo "$1 $rps $p99" >> "$WORK/results"
}
echo "== warm-up"
wrk -t2 -c"$CONN" -d5s "http://127.0.0.1:$PORT$PAGE" >/dev/null
wrk -t2 -c"$CONN" -d5s "http://127.0.0.1:$NPORT$PAGE" >/dev/null
echo "== wrk -t2 -c$CONN -d${SECS}s, $ROUNDS rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
  run tidings "http://127.0.0.1:$PORT$PAGE"
  run nginx "http://127.0.0.1:$NPORT$PAGE"
  # A cookie (not a session) bypasses the page cache: every request renders.
  run tidings-render "http://127.0.0.1:$PORT$PAGE" -H "Cookie: bench=1"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
python3 - "$WORK/results" <<'PY'
import sys, statistics
def ms(v):
    for suf, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if v.endswith(suf):
            return float(v[: -len(suf)]) * f
r = {}
for line in open(sys.argv[1]):
    name, rps, p99 = line.split()
    r.setdefault(name, []).append((float(rps), ms(p99)))
t, n, u = r["tidings"], r["nginx"], r["tidings-render"]
tr, nr = statistics.median(x[0] for x in t), statistics.median(x[0] for x in n)
tp, np_ = statistics.median(x[1] for x in t), statistics.median(x[1] for x in n)
ur, up = statistics.median(x[0] for x in u), statistics.median(x[1] for x in u)
print(f"median of rounds: tidings {tr:.0f} req/s p99 {tp:.2f} ms | nginx {nr:.0f} req/s p99 {np_:.2f} ms | ratio {tr/nr:.2f}")
print(f"uncached (every request rendered): {ur:.0f} req/s p99 {up:.2f} ms | ratio {ur/nr:.2f}")
PY
