-- Per-source extraction rules (a CSS selector for the article's content and
-- selectors of blocks to remove), the pages articles were extracted from
-- (compressed, kept for `crawl.keep_pages_days`) so they can be extracted
-- again without fetching, and rule previews computed by the crawler for
-- /admin.
ALTER TABLE sources ADD COLUMN content_selector TEXT;
ALTER TABLE sources ADD COLUMN remove_selectors TEXT NOT NULL DEFAULT '[]';

CREATE TABLE article_pages (
    article_id   INTEGER PRIMARY KEY NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    content_type TEXT,
    fetched_at   INTEGER NOT NULL,
    body         BLOB NOT NULL
);
CREATE INDEX article_pages_fetched ON article_pages (fetched_at);

CREATE TABLE rule_previews (
    id         TEXT PRIMARY KEY NOT NULL,
    source_id  INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    result     TEXT
);
CREATE INDEX rule_previews_created ON rule_previews (created_at);
