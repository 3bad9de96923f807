#!/usr/bin/env bash
# Stories as a user gets them: crawl the NewsArticles corpus from the local
# origin (5 sites, every 10th article syndicated to the next site) with
# `tidings crawl --once` on a fresh SQLite installation, then score the stories
# in the database against the labelled pairs of crates/understand/eval
# (pairwise precision / recall, v2's hard negatives merged). The same figures
# `story_eval` computes from a replay, here through fetch, extraction and the
# clustering jobs in the order the crawl stored the articles.
#
#   bash bench/stories.sh [extra tidings args...]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${SHARED:-../shared/data}
BIN=target/release
[ -x $BIN/tidings ] && [ -x $BIN/tidings-origin ] || cargo build --release -p tidings -p tidings-origin
WORK=$(mktemp -d /tmp/tidings-stories.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$BIN/tidings-origin --articles 10000 --sites 5 --syndicate-every 10 --port "$PORT" "$DATA/news/newsarticles.jsonl.gz" > "$WORK/origin.log" &
ORIGIN=$!
# KEEP=1 leaves the data folder for a look afterwards (its path is printed).
trap 'kill $ORIGIN 2>/dev/null; if [ -n "${KEEP:-}" ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi' EXIT
for _ in $(seq 50); do grep -q listening "$WORK/origin.log" 2>/dev/null && break; sleep 0.2; done
cat "$WORK/origin.log"
{
  echo '<opml version="2.0"><body>'
  for s in 0 1 2 3 4; do echo "<outline type=\"rss\" text=\"s$s\" xmlUrl=\"http://127.0.0.1:$PORT/s$s/feed.xml\"/>"; done
  echo '</body></opml>'
} > "$WORK/sources.opml"
T="${TIDINGS:-$BIN/tidings} --data-dir $WORK/data --allow-private-networks $*"
$T opml import "$WORK/sources.opml"
export TIDINGS_FETCH_PER_HOST_DELAY_MS=0 TIDINGS_FETCH_PER_HOST_CONCURRENCY=16 TIDINGS_CRAWL_WORKERS=16
$T crawl --once
score() {
python3 - "$WORK/data/tidings.db" "$DATA/news/newsarticles.jsonl.gz" crates/understand/eval <<'PY'
import gzip, json, re, sqlite3, sys
db, corpus, evaldir = sys.argv[1:4]
# The origin numbers the corpus articles it serves in file order, skipping
# titles under 10 bytes and bodies under 80 words (crates/origin load_articles).
ids = []
for line in gzip.open(corpus, "rt"):
    if not line.strip():
        continue
    v = json.loads(line)
    title, body = (v.get("title") or "").strip(), v.get("body") or ""
    if len(title.encode()) < 10 or len(body.split()) < 80:
        continue
    ids.append(v["id"])
story, copies_apart = {}, 0
for url, sid in sqlite3.connect(db).execute("SELECT url, story_id FROM articles"):
    m = re.search(r"/news/(\d+)-story", url)
    if m:
        story.setdefault(ids[int(m.group(1))], set()).add(sid)
copies_apart = sum(len(s) > 1 for s in story.values())
print(f"corpus articles stored: {len(story)}; stored twice in different stories: {copies_apart}")
for name, f in [("v1", "story_pairs.jsonl"), ("v2", "story_pairs_v2.jsonl")]:
    pairs = [json.loads(l) for l in open(f"{evaldir}/{f}")]
    pairs = [p for p in pairs if p["a"] in story and p["b"] in story]
    together = lambda p: None not in (story[p["a"]] & story[p["b"]]) and bool(story[p["a"]] & story[p["b"]])
    tp = sum(together(p) for p in pairs if p["same_story"])
    fp = sum(together(p) for p in pairs if not p["same_story"])
    pos = sum(p["same_story"] for p in pairs)
    hn = [p for p in pairs if p.get("hard_negative")]
    print(f"{name} ({len(pairs)} pairs with both articles served): pairwise precision {tp / max(1, tp + fp):.3f} "
          f"recall {tp / max(1, pos):.3f}; hard negatives merged {sum(together(p) for p in hn)}/{len(hn)}")
PY
}
echo "after the crawl:"
score
# RECLUSTER=1: then rebuild every story in publication order (`tidings recluster`).
if [ -n "${RECLUSTER:-}" ]; then
  $T recluster
  echo "after tidings recluster:"
  score
fi
