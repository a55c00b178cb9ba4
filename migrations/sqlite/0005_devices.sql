-- Devices: the same schema as migrations/postgres/0005, times in Unix milliseconds. SQLite cannot change a
-- primary key in place, so mailboxes and envelopes are rebuilt; existing rows become the primary device's.

ALTER TABLE accounts ADD COLUMN last_device_id INTEGER NOT NULL DEFAULT 1;

CREATE TABLE devices (
    user_id        TEXT    NOT NULL,
    device_id      INTEGER NOT NULL,
    name           TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    last_seen_at   INTEGER NOT NULL,
    push_provider  TEXT    NULL,
    push_token     TEXT    NULL,
    PRIMARY KEY (user_id, device_id)
) WITHOUT ROWID;

CREATE INDEX devices_last_seen_at ON devices (last_seen_at);

INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at)
SELECT user_id, 1, 'primary', created_at, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) FROM accounts;

CREATE TABLE mailboxes_by_device (
    user_id    TEXT    NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    device_id  INTEGER NOT NULL,
    last_seq   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, device_id)
) WITHOUT ROWID;

INSERT INTO mailboxes_by_device (user_id, device_id, last_seq) SELECT user_id, 1, last_seq FROM mailboxes;
DROP TABLE mailboxes;
ALTER TABLE mailboxes_by_device RENAME TO mailboxes;

CREATE TABLE envelopes_by_device (
    user_id     TEXT    NOT NULL,
    device_id   INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    message_id  TEXT    NOT NULL,
    kind        INTEGER NOT NULL,
    sender_id   TEXT    NOT NULL,
    group_id    TEXT    NULL,
    payload     TEXT    NULL,
    sent_at     INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    is_copy     INTEGER NOT NULL DEFAULT 0,
    to_id       TEXT    NULL,
    PRIMARY KEY (user_id, device_id, seq)
) WITHOUT ROWID;

INSERT INTO envelopes_by_device (user_id, device_id, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at)
SELECT user_id, 1, seq, message_id, kind, sender_id, group_id, payload, sent_at, expires_at FROM envelopes;
DROP TABLE envelopes;
ALTER TABLE envelopes_by_device RENAME TO envelopes;
CREATE INDEX envelopes_expires_at ON envelopes (expires_at);

ALTER TABLE message_dedup ADD COLUMN delivered INTEGER NOT NULL DEFAULT 0;
