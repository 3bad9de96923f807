-- The cached copy of an article's lead image (media.id), so lists can show
-- thumbnails served by Tidings without asking the publisher's host.
ALTER TABLE articles ADD COLUMN image_media TEXT;
CREATE INDEX media_status ON media (status);
