-- Articles that were deleted, with the change sequence number of the deletion,
-- so search indexes following the sequence remove them too.
CREATE TABLE article_tombstones (
    article_id BIGINT PRIMARY KEY NOT NULL,
    change_seq BIGINT NOT NULL
);
CREATE INDEX article_tombstones_seq ON article_tombstones (change_seq);

-- Related articles, computed once per article (ranked; rank 0 first).
CREATE TABLE article_related (
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    related_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    rank       BIGINT NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (article_id, related_id)
);

-- An article's context vector (its subject area, from its nearest neighbours).
ALTER TABLE articles ADD COLUMN context BYTEA;
