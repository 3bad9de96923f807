-- Resized image files, kept in the database on PostgreSQL so every web node
-- can serve the images a crawler node fetched (on SQLite, one machine, they
-- live only in the data dir's media/ folder and this table stays empty).
CREATE TABLE media_files (
    media_id TEXT NOT NULL,
    name     TEXT NOT NULL,
    body     BYTEA NOT NULL,
    PRIMARY KEY (media_id, name)
);
