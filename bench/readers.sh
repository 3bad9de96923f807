#!/usr/bin/env bash
# Readers' own news at scale: 10,000 readers with follows and 1M read marks
# over ARTICLES articles, on SQLite or PostgreSQL. Prints the store-level
# p50/p95/p99 of "for you" and the unread count per followed source
# (crates/tidings/examples/bench_readers.rs), then runs wrk with a signed-in
# reader's session cookie (every request rendered, never the page cache)
# against the article page (read state, save and follow forms, comments,
# related articles), the front page (read and saved state of its list) and
# /for-you.
#
#   bash bench/readers.sh [sqlite|postgres] [ARTICLES] [USERS] [MARKS] [CONNECTIONS] [SECONDS]
#
# PostgreSQL: PG_URL names a server where the user may create databases
# (e.g. postgres://postgres@127.0.0.1:5432/postgres); a database is created
# for the run and dropped after. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-sqlite}; N=${2:-100000}; USERS=${3:-10000}; MARKS=${4:-100}; CONN=${5:-64}; SECS=${6:-10}
DATA=${SHARED:-../shared/data}
CORPORA=("$DATA/news/newsarticles.jsonl.gz" "$DATA/news/reuters21578.jsonl.gz")
BIN=${BIN:-target/release}
command -v wrk >/dev/null || { echo "needs wrk: apt-get install wrk" >&2; exit 1; }
[ -x $BIN/tidings ] && [ -x $BIN/tidings-origin ] && [ -x $BIN/examples/bench_seed ] && [ -x $BIN/examples/bench_readers ] \
  || cargo build --release -p tidings -p tidings-origin --bin tidings --bin tidings-origin --example bench_seed --example bench_readers
WORK=$(mktemp -d /tmp/tidings-readersbench.XXXXXX)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PIDS=()
PGDB=
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 0.5
  [ -n "$PGDB" ] && psql -q "$PG_URL" -c "DROP DATABASE IF EXISTS $PGDB" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
if [ "$DB" = postgres ]; then
  : "${PG_URL:?PG_URL must name a PostgreSQL server}"
  PGDB="tidings_readers_bench_$$"
  psql -q "$PG_URL" -c "CREATE DATABASE $PGDB" >/dev/null
  URL="${PG_URL%/*}/$PGDB"
else
  URL="sqlite://$WORK/data/tidings.db?mode=rwc"
fi
T="$BIN/tidings --data-dir $WORK/data --database-url $URL"

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
ID=$($BIN/examples/bench_seed "$URL" "$N" 40 "${CORPORA[@]}")
# The reader the HTTP runs sign in as: created first, so the seeding gives
# them follows, marks and watermarks like everyone else.
printf 'a long enough password\n' | $T user add benchreader >/dev/null
echo "== seed $USERS readers with $MARKS read marks each, then time the store"
$BIN/examples/bench_readers "$URL" "$USERS" "$MARKS" 500
$T reindex 2>/dev/null

PORT=$(free_port)
$T serve --no-crawl --listen "127.0.0.1:$PORT" 2> "$WORK/serve.log" &
PIDS+=("$!")
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$PORT/livez" >/dev/null && break; sleep 0.1; done
B="http://127.0.0.1:$PORT"
# Sign in through the login form (its CSRF token and cookie), keep the
# session cookie (read from the headers: curl keeps `Secure` cookies off http).
cookies() { # header files... -> "a=1; b=2", later ones replacing earlier ones
  python3 - "$@" <<'PY'
import sys
jar = {}
for f in sys.argv[1:]:
    for line in open(f, encoding="latin-1"):
        if line.lower().startswith("set-cookie:"):
            kv = line.split(":", 1)[1].strip().split(";", 1)[0]
            k, _, v = kv.partition("=")
            if v: jar[k] = v
            else: jar.pop(k, None)
print("; ".join(f"{k}={v}" for k, v in jar.items()))
PY
}
CSRF=$(curl -s -D "$WORK/h1" "$B/login" | grep -o 'name="csrf" value="[^"]*"' | head -n1 | sed 's/.*value="//; s/"$//')
curl -s -o /dev/null -D "$WORK/h2" -H "Cookie: $(cookies "$WORK/h1")" -H "Origin: $B" --data-urlencode "csrf=$CSRF" \
  --data-urlencode "username=benchreader" --data-urlencode "password=a long enough password" "$B/login"
COOKIE=$(cookies "$WORK/h1" "$WORK/h2")
PAGE=$(curl -s -o /dev/null -w '%{redirect_url}' "$B/a/$ID"); PAGE=${PAGE#$B}
curl -sf -H "Cookie: $COOKIE" "$B$PAGE" > "$WORK/article.html"
curl -sf -H "Cookie: $COOKIE" "$B/for-you" > "$WORK/for-you.html"
grep -q 'benchreader' "$WORK/article.html" && grep -q 'data-reader="save"' "$WORK/article.html" \
  || { echo "not signed in on $PAGE" >&2; exit 1; }
echo "article page $PAGE: $(wc -c < "$WORK/article.html") bytes, $(grep -c 'class="comment depth' "$WORK/article.html" || true) comments;" \
  "for-you: $(wc -c < "$WORK/for-you.html") bytes, $(grep -c 'class="card' "$WORK/for-you.html" || true) cards, $(grep -o '[0-9+]* unread' "$WORK/for-you.html" | head -n1)"

run() { # name path
  wrk -t2 -c"$CONN" -d"${SECS}s" --latency -H "Cookie: $COOKIE" "$B$2" > "$WORK/wrk-$1.txt"
  echo "$1 ($2): $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$1.txt") req/s," \
    "p50 $(awk '$1 == "50%" {print $2}' "$WORK/wrk-$1.txt") p99 $(awk '$1 == "99%" {print $2}' "$WORK/wrk-$1.txt")" \
    "$(grep -E "Non-2xx|Socket errors" "$WORK/wrk-$1.txt" || true)"
}
echo "== warm-up"
wrk -t2 -c"$CONN" -d3s -H "Cookie: $COOKIE" "$B$PAGE" >/dev/null
echo "== wrk -t2 -c$CONN -d${SECS}s, signed in; load: $(cut -d' ' -f1-3 /proc/loadavg)"
run article "$PAGE"
run home "/"
run for-you "/for-you"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
