-- Several processes on one store: who is sending an outbox row, until when, and which process
-- polls a feed right now.
--
-- A sender claims rows by setting `claimed_by` (its worker id) and `lease_until_ts`; a row
-- whose lease ran out while still `sending` belonged to a process that died (or hung): any
-- process may take it again, flagged unconfirmed so the channel is checked before it is resent.
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until_ts INTEGER;
CREATE INDEX outbox_leases ON outbox (lease_until_ts) WHERE status = 'sending';

-- Short exclusive leases on named pieces of work (`feed:<id>`): taken in one statement that
-- only succeeds when nobody holds the name or the holder's lease ran out, so a feed is never
-- polled by two processes at the same time, and a dead holder blocks it only until `until_ts`.
CREATE TABLE leases (
    name      TEXT    PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    holder    TEXT    NOT NULL,
    until_ts  INTEGER NOT NULL
);
CREATE INDEX leases_guild ON leases (guild_id);
