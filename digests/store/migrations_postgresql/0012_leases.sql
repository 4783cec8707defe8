-- Several processes on one store (see migrations/0012_leases.sql): who is sending an outbox
-- row and until when, and short exclusive leases on named work (`feed:<id>`).
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_ts BIGINT;
CREATE INDEX outbox_leases ON outbox (lease_until_ts) WHERE status = 'sending';

CREATE TABLE leases (
    name      TEXT    PRIMARY KEY,
    guild_id  BIGINT  NOT NULL,
    holder    TEXT    NOT NULL,
    until_ts  BIGINT  NOT NULL
);
CREATE INDEX leases_guild ON leases (guild_id);
