-- Lookup keys of each story (heaviest terms and top entities of its articles),
-- so a new article finds candidate stories by the keys it shares with them.
CREATE TABLE story_keys (
    key      BIGINT NOT NULL,
    story_id BIGINT NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    last_at  BIGINT NOT NULL,
    PRIMARY KEY (key, story_id)
);
CREATE INDEX story_keys_story ON story_keys (story_id);
CREATE INDEX articles_unclustered ON articles (story_id, id);
