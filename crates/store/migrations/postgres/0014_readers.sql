-- Readers' own news: what each reader follows, mutes, saves and has read,
-- and feeds one reader added for themselves. Keep in step with
-- ../sqlite/0014_readers.sql.
--
-- A source is `public` (on every page, feed, sitemap, search and the API)
-- or `private`: added by a reader (a Reader API subscription to a feed that
-- is not a source, allowed by `[accounts] personal_feeds`), crawled for the
-- readers who follow it and shown to nobody else. `added_by` is who added it.
ALTER TABLE sources ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
ALTER TABLE sources ADD COLUMN added_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
CREATE INDEX sources_private ON sources (id) WHERE visibility <> 'public';

-- Follows, one table per kind so each target is a foreign key that goes
-- with its row. `title` is the reader's own name for a source (Reader API
-- rename); `last_visit_at` is when the reader last opened a followed story
-- ("n new since your last visit").
CREATE TABLE followed_sources (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id  BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    title      TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, source_id)
);
CREATE INDEX followed_sources_source ON followed_sources (source_id);

CREATE TABLE followed_topics (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    topic      TEXT NOT NULL REFERENCES topics (slug) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic)
);

CREATE TABLE followed_stories (
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    story_id      BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_visit_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, story_id)
);
CREATE INDEX followed_stories_story ON followed_stories (story_id);

-- A reader's labels (folders) on the sources they follow; a label exists
-- while it names at least one followed source.
CREATE TABLE source_labels (
    user_id   BIGINT NOT NULL,
    source_id BIGINT NOT NULL,
    label     TEXT NOT NULL,
    PRIMARY KEY (user_id, label, source_id),
    FOREIGN KEY (user_id, source_id) REFERENCES followed_sources (user_id, source_id) ON DELETE CASCADE
);
CREATE INDEX source_labels_source ON source_labels (user_id, source_id);

CREATE TABLE muted_sources (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source_id  BIGINT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, source_id)
);
CREATE INDEX muted_sources_source ON muted_sources (source_id);

CREATE TABLE saved_articles (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    saved_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX saved_articles_user ON saved_articles (user_id, saved_at, article_id);
CREATE INDEX saved_articles_article ON saved_articles (article_id);

-- Read state. An article is read by a reader when their mark says so
-- (`is_read` 1; 0 keeps it unread whatever else holds), else when it was
-- first seen at or before a watermark of a stream it is in: `all`,
-- `source:ID`, `topic:SLUG` or `story:ID` ("mark all as read" writes one
-- row, not one per article), else when it is older than the read horizon
-- (see `tidings_store::READ_HORIZON_MS`).
CREATE TABLE read_marks (
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id BIGINT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    is_read    BIGINT NOT NULL,
    marked_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX read_marks_article ON read_marks (article_id);
CREATE INDEX read_marks_kept_unread ON read_marks (user_id, article_id) WHERE is_read = 0;

CREATE TABLE read_watermarks (
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    stream      TEXT NOT NULL,
    read_before BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, stream)
);

-- A source's articles newest first (source pages, followed sources).
CREATE INDEX articles_source_created ON articles (source_id, created_at, id);
