-- Idempotent sends and grouped reminders (see migrations/0009_outbox_batches.sql).
ALTER TABLE guild_settings ADD COLUMN reminder_grouping TEXT
    CHECK (reminder_grouping IS NULL OR reminder_grouping IN ('grouped', 'single'));

ALTER TABLE outbox ADD COLUMN batch_key TEXT;
ALTER TABLE outbox ADD COLUMN unconfirmed BIGINT NOT NULL DEFAULT 0;
CREATE INDEX outbox_batch ON outbox (batch_key, status) WHERE batch_key IS NOT NULL;
