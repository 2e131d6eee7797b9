-- Spring AI Metering tables, in SQL that H2 and PostgreSQL both run. Safe to run again; also
-- usable as a Flyway or Liquibase migration. Statements for one database only go in
-- schema-<platform>.sql (h2, postgresql), which runs after this one when it exists.
--
-- At start-up the starter checks that the tables and columns this script creates (CREATE TABLE,
-- ALTER TABLE ... ADD COLUMN) are in the database, for the features that keep their state there.
-- A line "-- feature: <name>" before each CREATE TABLE names the feature that uses the table:
-- outbox, limits, credits, local-meter, webhooks, cache-changes, locks or balances. A new table needs that line; a new
-- column needs nothing more than its ADD COLUMN.

-- The usage outbox: each recorded event until the provider has it or refused it for good.
-- feature: outbox
CREATE TABLE IF NOT EXISTS metering_usage_event (
    identifier      VARCHAR(100)  NOT NULL PRIMARY KEY,
    event_name      VARCHAR(200)  NOT NULL,
    customer_id     VARCHAR(200)  NOT NULL,
    usage_value     BIGINT        NOT NULL,
    occurred_at     BIGINT        NOT NULL,
    status          CHAR(1)       NOT NULL,
    attempts        INTEGER       NOT NULL DEFAULT 0,
    next_attempt_at BIGINT        NOT NULL,
    last_error      VARCHAR(1000),
    claimed_by      VARCHAR(100),
    claimed_until   BIGINT,
    failure_code    VARCHAR(200),
    failed_at       BIGINT,
    settled_at      BIGINT,
    coalesced_into  VARCHAR(100)
);
CREATE INDEX IF NOT EXISTS metering_usage_event_due ON metering_usage_event (status, next_attempt_at);
-- When each event was recorded (its occurred_at is when the usage happened, which a caller may
-- set in the past), for delivery latency and the age of the backlog; NULL in rows stored before.
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS recorded_at BIGINT;
-- The dimensions an event carries (metering.meters.<key>.dimensions); added so that existing
-- tables upgrade.
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS model VARCHAR(200);
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS token_type VARCHAR(40);
-- The organization or user whose usage an event is (BillingSubject: its ID and ORGANIZATION or
-- PERSONAL), when metering knows it; NULL for usage recorded by customer ID.
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS subject_id VARCHAR(200);
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS subject_type VARCHAR(20);
-- An event whose customer the provider could not name when it was recorded (an outage) waits
-- without one until it can.
ALTER TABLE metering_usage_event ALTER COLUMN customer_id DROP NOT NULL;

-- The embedded local meter: delivered usage summed per event name, customer and minute.
-- feature: local-meter
CREATE TABLE IF NOT EXISTS metering_local_usage (
    event_name   VARCHAR(200)  NOT NULL,
    customer_id  VARCHAR(200)  NOT NULL,
    minute_start BIGINT        NOT NULL,
    usage_sum    BIGINT        NOT NULL,
    event_count  BIGINT        NOT NULL,
    PRIMARY KEY (event_name, customer_id, minute_start)
);
-- The local meter's sums of events that carry dimensions, per model and type of token ('' when
-- the event does not carry it), for usage filtered by dimension.
-- feature: local-meter
CREATE TABLE IF NOT EXISTS metering_local_dimension_usage (
    event_name   VARCHAR(200)  NOT NULL,
    customer_id  VARCHAR(200)  NOT NULL,
    model        VARCHAR(200)  NOT NULL,
    token_type   VARCHAR(40)   NOT NULL,
    minute_start BIGINT        NOT NULL,
    usage_sum    BIGINT        NOT NULL,
    PRIMARY KEY (event_name, customer_id, model, token_type, minute_start)
);
-- The identifiers the local meter has counted, kept for metering.outbox.retention, so that a
-- redelivered event is not counted twice.
-- feature: local-meter
CREATE TABLE IF NOT EXISTS metering_local_identifier (
    identifier   VARCHAR(100)  NOT NULL PRIMARY KEY,
    counted_at   BIGINT        NOT NULL
);
CREATE INDEX IF NOT EXISTS metering_local_identifier_counted ON metering_local_identifier (counted_at);

-- The usage ledger behind plan limits: per organization, limit key and billing period, the usage
-- settled and the quota that instances hold in slices (granted: the last slice leased).
-- feature: limits
CREATE TABLE IF NOT EXISTS metering_usage_ledger (
    reference_id    VARCHAR(200)  NOT NULL,
    limit_key       VARCHAR(200)  NOT NULL,
    period_start    BIGINT        NOT NULL,
    period_end      BIGINT        NOT NULL,
    used            BIGINT        NOT NULL DEFAULT 0,
    leased          BIGINT        NOT NULL DEFAULT 0,
    granted         BIGINT        NOT NULL DEFAULT 0,
    PRIMARY KEY (reference_id, limit_key, period_start, period_end)
);

-- Usage thresholds reached, so that each is published once per period across instances and restarts.
-- feature: limits
CREATE TABLE IF NOT EXISTS metering_usage_threshold (
    reference_id      VARCHAR(200)  NOT NULL,
    limit_key         VARCHAR(200)  NOT NULL,
    period_start      BIGINT        NOT NULL,
    period_end        BIGINT        NOT NULL,
    threshold_percent INTEGER       NOT NULL,
    reached_at        BIGINT        NOT NULL,
    PRIMARY KEY (reference_id, limit_key, period_start, period_end, threshold_percent)
);

-- The providers' webhook events already handled, so that an event delivered again, to any
-- instance, is handled once; kept for metering.outbox.retention.
-- feature: webhooks
CREATE TABLE IF NOT EXISTS metering_webhook_event (
    provider     VARCHAR(20)   NOT NULL,
    event_id     VARCHAR(200)  NOT NULL,
    received_at  BIGINT        NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX IF NOT EXISTS metering_webhook_event_received ON metering_webhook_event (received_at);

-- The fraction of a credit carried per customer and event name of a credits meter, so that the
-- whole credits recorded never drift from the exact priced total, also across restarts.
-- feature: credits
CREATE TABLE IF NOT EXISTS metering_credit_carry (
    event_name   VARCHAR(200)    NOT NULL,
    customer_id  VARCHAR(200)    NOT NULL,
    carried      NUMERIC(38, 18) NOT NULL,
    PRIMARY KEY (event_name, customer_id)
);

-- Cache changes that providers' webhooks asked for (a customer to cache for an organization, or
-- a customer or subscription to forget), written by the instance that received the webhook and
-- read by every instance each second, so that all make them; deleted after an hour.
-- feature: cache-changes
CREATE TABLE IF NOT EXISTS metering_cache_change (
    id           BIGINT        GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    origin       VARCHAR(100)  NOT NULL,
    cache_name   VARCHAR(100)  NOT NULL,
    cache_key    VARCHAR(200)  NOT NULL,
    cache_value  VARCHAR(200),
    changed_at   BIGINT        NOT NULL
);
CREATE INDEX IF NOT EXISTS metering_cache_change_changed ON metering_cache_change (changed_at);

-- Locks across instances ----------------------------------------------------------------------
-- Work that every instance is scheduled to do, though once is enough (the scheduled
-- reconciliation, the hourly purges), is done by the instance that holds its lock: one row a
-- lock, naming that instance and until when it holds it (epoch milliseconds); another instance
-- takes it over once that has passed.
-- feature: locks
CREATE TABLE IF NOT EXISTS metering_lock (
    name          VARCHAR(100)  NOT NULL PRIMARY KEY,
    holder        VARCHAR(200)  NOT NULL,
    locked_until  BIGINT        NOT NULL
);

-- What each instance holds of the usage ledger, so that an instance that dies without giving its
-- slices back does not keep them until the period ends. An instance renews its heartbeat at
-- every flush; expires_at 0 marks one a reclaim is taking over.
-- feature: limits
CREATE TABLE IF NOT EXISTS metering_ledger_holder (
    holder      VARCHAR(100)  NOT NULL PRIMARY KEY,
    expires_at  BIGINT        NOT NULL
);
-- Per key and instance: the quota it holds (part of the ledger row's leased), when it last wrote
-- usage back (written_at, milliseconds since the epoch; usage recorded from then on may not be
-- written back yet) and how much of what it wrote back settled in that millisecond. A reclaim
-- gives held back, adds what the instance's outbox recorded since written_at to used, and keeps
-- the row, with what it recovered, until the instance (if it was only slow) has taken it in.
-- feature: limits
CREATE TABLE IF NOT EXISTS metering_ledger_hold (
    reference_id  VARCHAR(200)  NOT NULL,
    limit_key     VARCHAR(200)  NOT NULL,
    period_start  BIGINT        NOT NULL,
    period_end    BIGINT        NOT NULL,
    holder        VARCHAR(100)  NOT NULL,
    held          BIGINT        NOT NULL,
    written_at    BIGINT        NOT NULL,
    written_tail  BIGINT        NOT NULL DEFAULT 0,
    recovered     BIGINT,
    PRIMARY KEY (reference_id, limit_key, period_start, period_end, holder)
);
CREATE INDEX IF NOT EXISTS metering_ledger_hold_holder ON metering_ledger_hold (holder);
-- The instance that recorded an event of a known organization or user (NULL for usage recorded by
-- customer ID and for events merged from others, whose rows keep theirs), so that usage settled
-- by an instance that died before it wrote the usage ledger back is counted from the outbox.
ALTER TABLE metering_usage_event ADD COLUMN IF NOT EXISTS recorded_by VARCHAR(100);
CREATE INDEX IF NOT EXISTS metering_usage_event_recorded_by ON metering_usage_event (recorded_by, occurred_at);

-- The credit grants of prepaid balances made through the starter: what an organization may use on
-- a meter (amount, in the meter's unit) from effective_at until expires_at (NULL: never), times in
-- epoch milliseconds. A revoked grant keeps its row, ended (expires_at) when it was revoked, since
-- what was drawn from it stays paid.
-- feature: balances
CREATE TABLE IF NOT EXISTS metering_grant (
    id            VARCHAR(100)  NOT NULL PRIMARY KEY,
    reference_id  VARCHAR(200)  NOT NULL,
    meter_key     VARCHAR(200)  NOT NULL,
    amount        BIGINT        NOT NULL,
    effective_at  BIGINT        NOT NULL,
    expires_at    BIGINT,
    priority      INTEGER       NOT NULL,
    source        VARCHAR(40)   NOT NULL,
    consumed_at_end BIGINT
);
CREATE INDEX IF NOT EXISTS metering_grant_subject ON metering_grant (reference_id, meter_key);
