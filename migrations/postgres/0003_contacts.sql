-- Address book and presence settings. The edges are stored twice so that both directions are
-- single-shard reads on Citus (see migrations/citus/0003): contacts by owner ("whom do I have"),
-- contact_of by contact ("who has me", whom to tell when I come online).

-- The owner's address book: user_id is the owner, contact_id a registered user in it.
CREATE TABLE contacts (
    user_id     text NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    contact_id  text NOT NULL,
    PRIMARY KEY (user_id, contact_id)
);

-- The same edges seen from the contact: user_id is the contact, owner_id has user_id in their book.
CREATE TABLE contact_of (
    user_id   text NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
    owner_id  text NOT NULL,
    PRIMARY KEY (user_id, owner_id)
);

-- Who may see my presence (0 everyone, 1 my contacts, 2 nobody) and when I was last online.
-- No row means the defaults: everyone, never seen.
CREATE TABLE user_settings (
    user_id            text        NOT NULL PRIMARY KEY REFERENCES accounts (user_id) ON DELETE CASCADE,
    last_seen_privacy  smallint    NOT NULL DEFAULT 0,
    last_seen_at       timestamptz NULL
);
