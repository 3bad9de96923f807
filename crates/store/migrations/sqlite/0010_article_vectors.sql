-- Feature and context vectors move out of the article row, and the page's HTML
-- and text move to its end. SQLite keeps a row's tail in a chain of overflow
-- pages that it walks from the start, so every column stored after the body
-- (story, duplicate, features, context) cost a walk through ~10 pages, and
-- setting the context rewrote the whole row. Related-article reads of 400
-- neighbours took 18 ms per 200 rows; clustering's batch read 50 ms.
CREATE TABLE article_vectors (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    features   BLOB,
    context    BLOB
);
INSERT INTO article_vectors (article_id, features, context)
    SELECT id, features, context FROM articles WHERE features IS NOT NULL OR context IS NOT NULL;
ALTER TABLE articles DROP COLUMN features;
ALTER TABLE articles DROP COLUMN context;

ALTER TABLE articles ADD COLUMN body_html TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN body_text TEXT NOT NULL DEFAULT '';
UPDATE articles SET body_html = html, body_text = text;
ALTER TABLE articles DROP COLUMN html;
ALTER TABLE articles DROP COLUMN text;
ALTER TABLE articles RENAME COLUMN body_html TO html;
ALTER TABLE articles RENAME COLUMN body_text TO text;
