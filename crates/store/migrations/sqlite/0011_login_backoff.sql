-- Logins slow down instead of locking out. `login_backoff` counts failed
-- logins per key (one account from anywhere, or one client on one login
-- name); past a few free failures each further one makes the key wait
-- twice as long before its next attempt is checked. `known_devices` holds
-- the hashes of the cookies given to browsers that logged in: they skip the
-- account-wide wait. The old lockout columns go.
CREATE TABLE login_backoff (
    key             TEXT PRIMARY KEY NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at INTEGER NOT NULL,
    delay_ms        INTEGER NOT NULL,
    blocked_until   INTEGER NOT NULL
);
CREATE INDEX login_backoff_last_failure ON login_backoff (last_failure_at);

CREATE TABLE known_devices (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);
CREATE INDEX known_devices_user ON known_devices (user_id, last_used_at);
CREATE INDEX known_devices_last_used ON known_devices (last_used_at);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN failed_login_at;
ALTER TABLE users DROP COLUMN locked_until;
