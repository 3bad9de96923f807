-- Accounts and comments: failed logins count within a window (the time of the
-- last failure), and indexes for the lookups comments and moderation make.
ALTER TABLE users ADD COLUMN failed_login_at INTEGER;
CREATE INDEX comments_parent ON comments (parent_id);
CREATE INDEX comment_votes_user ON comment_votes (user_id);
CREATE INDEX reports_comment ON reports (comment_id, resolved_at);
CREATE INDEX rate_limits_window ON rate_limits (window_start);
