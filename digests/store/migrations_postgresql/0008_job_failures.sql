-- Scheduler jobs that failed (a guild's digest, the reminder sweep, deliveries): what went wrong,
-- since when, and when to try again. A row lives until its job works again, so a moderator sees
-- why (/digest status) and the job backs off instead of failing on every pass.
-- guild_id -1 marks jobs that span every server (the sweep, deliveries).
CREATE TABLE job_failures (
    guild_id          BIGINT  NOT NULL,
    job               TEXT    NOT NULL,
    failure_count     BIGINT  NOT NULL,
    first_failure_ts  BIGINT  NOT NULL,
    last_failure_ts   BIGINT  NOT NULL,
    retry_ts          BIGINT  NOT NULL,
    last_error        TEXT    NOT NULL,
    PRIMARY KEY (guild_id, job)
);
