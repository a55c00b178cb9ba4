-- Devices: an account has a primary device (id 1) and linked devices, each with its own mailbox. A mailbox is
-- now (user_id, device_id): user_id stays the distribution column, so all devices of a user share one shard and a
-- send to every device of a user is one single-shard statement. Existing mailboxes and envelopes become the
-- primary device's.

-- Device ids are never reused (an unlinked device's tokens must never become valid again): the account keeps
-- the last id it handed out.
ALTER TABLE accounts ADD COLUMN last_device_id integer NOT NULL DEFAULT 1;

-- No foreign key to accounts: on a deployment already distributed by Citus this table is created local and
-- distributed afterwards (migrations/citus/0005), and Citus refuses a key from a local to a distributed table.
CREATE TABLE devices (
    user_id        text        NOT NULL,
    device_id      integer     NOT NULL,
    name           text        NOT NULL,
    created_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    push_provider  text        NULL,
    push_token     text        NULL,
    PRIMARY KEY (user_id, device_id)
);

CREATE INDEX devices_last_seen_at ON devices (last_seen_at);

INSERT INTO devices (user_id, device_id, name, created_at, last_seen_at)
SELECT user_id, 1, 'primary', created_at, now() FROM accounts;

ALTER TABLE mailboxes ADD COLUMN device_id integer NOT NULL DEFAULT 1;
ALTER TABLE mailboxes DROP CONSTRAINT mailboxes_pkey;
ALTER TABLE mailboxes ADD PRIMARY KEY (user_id, device_id);
ALTER TABLE mailboxes ALTER COLUMN device_id DROP DEFAULT;

-- is_copy marks what the account itself did on another device (a sent message, a read mark); to_id names the
-- peer of such a copy.
ALTER TABLE envelopes ADD COLUMN device_id integer NOT NULL DEFAULT 1;
ALTER TABLE envelopes ADD COLUMN is_copy boolean NOT NULL DEFAULT false;
ALTER TABLE envelopes ADD COLUMN to_id text NULL;
ALTER TABLE envelopes DROP CONSTRAINT envelopes_pkey;
ALTER TABLE envelopes ADD PRIMARY KEY (user_id, device_id, seq);
ALTER TABLE envelopes ALTER COLUMN device_id DROP DEFAULT;

-- Set on a received record when the first device of the recipient acknowledges the message, so the sender gets
-- one delivered receipt however many devices acknowledge it.
ALTER TABLE message_dedup ADD COLUMN delivered boolean NOT NULL DEFAULT false;
