-- SQLite rebuilt article_bands and story_keys as WITHOUT ROWID tables in this
-- version; PostgreSQL's heap tables and indexes stay as they are. Kept so both
-- backends share version numbers.
SELECT 1;
