-- The ledger's workflow: history, community votes, subscriptions, personal reminders,
-- reminder progress, guild settings, digests and the delivery outbox.

ALTER TABLE forecasts ADD COLUMN nudge_stage INTEGER NOT NULL DEFAULT -1;  -- -1 none, 0 due, N days after
ALTER TABLE forecasts ADD COLUMN snoozed_until_ts INTEGER;
CREATE INDEX forecasts_due_stage ON forecasts (status, due_ts, nudge_stage);
CREATE INDEX forecasts_snoozed ON forecasts (snoozed_until_ts) WHERE snoozed_until_ts IS NOT NULL;

CREATE TABLE forecast_events (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    forecast_id  INTEGER NOT NULL REFERENCES forecasts (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,    -- created|resolved|undone|redated|snoozed|withdrawn
    actor        INTEGER,             -- member id; NULL for the system
    payload_json TEXT    NOT NULL,
    created_ts   INTEGER NOT NULL
);
CREATE INDEX forecast_events_forecast ON forecast_events (forecast_id, id);

CREATE TABLE votes (
    guild_id     INTEGER NOT NULL,
    forecast_id  INTEGER NOT NULL REFERENCES forecasts (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    outcome      TEXT    NOT NULL CHECK (outcome IN ('correct', 'wrong', 'partly', 'unknown')),
    voted_ts     INTEGER NOT NULL,
    PRIMARY KEY (forecast_id, user_id)
);

CREATE TABLE subscriptions (
    guild_id     INTEGER NOT NULL,
    forecast_id  INTEGER NOT NULL REFERENCES forecasts (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    created_ts   INTEGER NOT NULL,
    PRIMARY KEY (forecast_id, user_id)
);
CREATE INDEX subscriptions_user ON subscriptions (guild_id, user_id);

CREATE TABLE user_reminders (
    id           INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL,
    forecast_id  INTEGER NOT NULL REFERENCES forecasts (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    remind_ts    INTEGER NOT NULL,
    created_ts   INTEGER NOT NULL,
    queued_ts    INTEGER,
    cancelled_ts INTEGER
);
CREATE INDEX user_reminders_due ON user_reminders (remind_ts) WHERE queued_ts IS NULL AND cancelled_ts IS NULL;
CREATE INDEX user_reminders_user ON user_reminders (guild_id, user_id);

CREATE TABLE guild_settings (
    guild_id              INTEGER PRIMARY KEY,
    timezone              TEXT,              -- NULL: the bot's default timezone
    language              TEXT    NOT NULL DEFAULT 'en',
    reminder_channel_id   INTEGER,
    reminder_role_id      INTEGER,
    digest_channel_id     INTEGER,
    digest_cron           TEXT,              -- "minute hour day month day_of_week", guild-local
    digest_days           INTEGER NOT NULL DEFAULT 7,
    digest_enabled        INTEGER NOT NULL DEFAULT 0,
    digest_paused_reason  TEXT,
    reminders_paused_reason TEXT,
    followup_days_json    TEXT,              -- NULL: the bot's default follow-up days
    updated_ts            INTEGER NOT NULL
);

CREATE TABLE digests (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    period_key       TEXT    NOT NULL,       -- the scheduled time this digest answers
    period_start_ts  INTEGER NOT NULL,
    period_end_ts    INTEGER NOT NULL,
    catch_up         INTEGER NOT NULL DEFAULT 0,
    created_ts       INTEGER NOT NULL,
    UNIQUE (guild_id, period_key)
);
CREATE INDEX digests_guild_end ON digests (guild_id, period_end_ts);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL,
    dedupe_key       TEXT    NOT NULL UNIQUE,
    kind             TEXT    NOT NULL,       -- digest|reminder|followup|personal|snooze|feed
    destination      TEXT    NOT NULL CHECK (destination IN ('channel', 'user')),
    destination_id   INTEGER,
    forecast_id      INTEGER,
    digest_id        INTEGER,
    payload_json     TEXT    NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_ts  INTEGER NOT NULL,
    last_error       TEXT,
    late             INTEGER NOT NULL DEFAULT 0,
    created_ts       INTEGER NOT NULL,
    sent_ts          INTEGER
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_ts);
CREATE INDEX outbox_forecast ON outbox (forecast_id, status);
