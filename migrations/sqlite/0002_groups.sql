CREATE TABLE groups (
    group_id    TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE group_members (
    group_id   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    role       INTEGER NOT NULL,
    joined_at  INTEGER NOT NULL,
    PRIMARY KEY (group_id, user_id)
) WITHOUT ROWID;

CREATE TABLE user_groups (
    user_id   TEXT    NOT NULL,
    group_id  TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    role      INTEGER NOT NULL,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;

ALTER TABLE message_dedup ADD COLUMN group_id TEXT NULL;
CREATE INDEX message_dedup_received ON message_dedup (user_id, message_id);
