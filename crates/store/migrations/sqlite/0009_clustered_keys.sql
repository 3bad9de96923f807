-- Band and story-key lookups read the rows of an index range. As rowid tables,
-- each index entry also cost a seek into the table (for story_keys.last_at) and
-- every insert wrote three b-trees; clustered on their primary key (WITHOUT
-- ROWID) the range is the data. Candidate lookups on a 10,000-article crawl
-- database: story keys 1.5 ms -> 0.6 ms, bands 0.67 -> 0.34 ms.
CREATE TABLE article_bands_new (
    band       INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;
INSERT INTO article_bands_new (band, article_id) SELECT band, article_id FROM article_bands;
DROP TABLE article_bands;
ALTER TABLE article_bands_new RENAME TO article_bands;
CREATE INDEX article_bands_article ON article_bands (article_id);

CREATE TABLE story_keys_new (
    key      INTEGER NOT NULL,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    last_at  INTEGER NOT NULL,
    PRIMARY KEY (key, story_id)
) WITHOUT ROWID;
INSERT INTO story_keys_new (key, story_id, last_at) SELECT key, story_id, last_at FROM story_keys;
DROP TABLE story_keys;
ALTER TABLE story_keys_new RENAME TO story_keys;
CREATE INDEX story_keys_story ON story_keys (story_id);
