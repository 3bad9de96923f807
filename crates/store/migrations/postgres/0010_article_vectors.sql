-- Feature and context vectors in their own table (as on SQLite, where they
-- sat after the page's body in the row and every read walked it).
CREATE TABLE article_vectors (
    article_id BIGINT PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    features   BYTEA,
    context    BYTEA
);
INSERT INTO article_vectors (article_id, features, context)
    SELECT id, features, context FROM articles WHERE features IS NOT NULL OR context IS NOT NULL;
ALTER TABLE articles DROP COLUMN features;
ALTER TABLE articles DROP COLUMN context;
