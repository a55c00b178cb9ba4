-- Groups. Membership is stored twice so both directions are single-shard reads on Citus:
-- group_members by group (distributed on group_id, colocated with groups) and user_groups by member
-- (distributed on user_id, colocated with accounts).

CREATE TABLE groups (
    group_id    text        NOT NULL PRIMARY KEY,
    name        text        NOT NULL,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE group_members (
    group_id   text        NOT NULL,
    user_id    text        NOT NULL,
    role       smallint    NOT NULL,
    joined_at  timestamptz NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

-- name and role are copied here so that "my groups" is one single-shard read.
CREATE TABLE user_groups (
    user_id   text     NOT NULL,
    group_id  text     NOT NULL,
    name      text     NOT NULL,
    role      smallint NOT NULL,
    PRIMARY KEY (user_id, group_id)
);

-- message_dedup doubles as the record of what a user received (1:1 rows are the send's idempotency key;
-- group rows are written per member at fan-out), which is what lets a recipient mark a message read
-- after it was acknowledged and deleted.
ALTER TABLE message_dedup ADD COLUMN group_id text NULL;
CREATE INDEX message_dedup_received ON message_dedup (user_id, message_id);
