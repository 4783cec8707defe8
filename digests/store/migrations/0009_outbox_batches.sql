-- Idempotent sends and grouped reminders.
--
-- A server may keep one message per forecast instead of one grouped message per sweep:
-- 'grouped' or 'single'; NULL keeps the bot's default (REMINDER_GROUPING).
ALTER TABLE guild_settings ADD COLUMN reminder_grouping TEXT
    CHECK (reminder_grouping IS NULL OR reminder_grouping IN ('grouped', 'single'));

-- The rows sent together as one Discord message share a batch key, set when they are first
-- claimed and never changed afterwards: a retry sends the same message again under the same
-- nonce, so Discord can recognise it. A single message's batch key is its own dedupe key.
ALTER TABLE outbox ADD COLUMN batch_key TEXT;
-- 1 when a send may have reached Discord without being confirmed (the sender stopped between
-- sending and marking it sent, or the request failed in a way that leaves it unknown): the
-- destination's recent messages are checked before it is sent again.
ALTER TABLE outbox ADD COLUMN unconfirmed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_batch ON outbox (batch_key, status) WHERE batch_key IS NOT NULL;
