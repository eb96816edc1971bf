-- Schemas and roles of the Motcua warehouse. Idempotent: run on every start.
-- Data flows one way: raw -> staging -> intermediate -> audit (dbt builds here)
--   -> validated (copied in one transaction when the validation gate passes) -> published (BI reads).
create schema if not exists raw;
comment on schema raw is 'Landing layer (tầng dữ liệu thô): append-only payloads from the feeds, batch ledger, quarantine.';
create schema if not exists staging;
comment on schema staging is 'dbt staging models: one per source table, renamed and cast.';
create schema if not exists intermediate;
comment on schema intermediate is 'dbt intermediate models: business logic steps, not for BI.';
create schema if not exists audit;
comment on schema audit is 'dbt marts as built by the latest run, before validation. BI must not read it.';
create schema if not exists validated;
comment on schema validated is 'Marts that passed validation, replaced atomically by the publish step.';
create schema if not exists published;
comment on schema published is 'What BI reads (lớp công bố): documented views over validated marts, no personal data.';
create schema if not exists ops;
comment on schema ops is 'Pipeline bookkeeping: validation results, publish log, alerts.';

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'motcua_reader') then
        -- A group role: BI logins are granted it; it can read the published schema and nothing else.
        create role motcua_reader nologin;
    end if;
end
$$;

revoke all on schema raw, staging, intermediate, audit, validated, ops from public;
grant usage on schema published to motcua_reader;
grant select on all tables in schema published to motcua_reader;
alter default privileges in schema published grant select on tables to motcua_reader;
-- Published views read validated tables with the view owner's rights, so the reader needs no
-- grant on validated.

-- BI logins scoped to units (motcua bi-login). A login listed in ops.reader_scopes sees, in every
-- published view with a unit column, only the rows of its units, the units under them (a
-- district's communes) and their predecessors before the 2025 reform; any other reader login
-- sees every row. The published views filter through the two functions below, which run with
-- their owner's rights (readers cannot read ops) and are evaluated once per query.
create table if not exists ops.reader_scopes (
    login text not null,
    unit_code text not null,
    granted_at timestamptz not null default now(),
    primary key (login, unit_code)
);
comment on table ops.reader_scopes is 'BI logins scoped to units: such a login sees only these units'' rows (and the units below them and their pre-2025 predecessors) in the published views.';
create schema if not exists motcua_access;
comment on schema motcua_access is 'The functions the published views filter rows with (unit-scoped BI logins); nothing to query.';
revoke all on schema motcua_access from public;
grant usage on schema motcua_access to motcua_reader;

create or replace function motcua_access.sees_every_unit() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
    select not exists (select 1 from ops.reader_scopes where login = session_user)
$$;
comment on function motcua_access.sees_every_unit() is 'True unless the session''s login is scoped to units (ops.reader_scopes).';

create or replace function motcua_access.visible_units() returns text[]
language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
declare
    scoped text[] := array(select unit_code from ops.reader_scopes where login = session_user);
begin
    if to_regclass('validated.dim_units') is null then
        return scoped;
    end if;
    -- The scoped units, every unit below them, and the units they succeeded in 2025 (their
    -- history): a commune leader sees the old communes merged into theirs.
    return array(
        with recursive below as (
            select unnest(scoped) as unit_code
            union
            select u.unit_code from validated.dim_units as u join below as b on u.parent_unit_code = b.unit_code
        ),
        predecessors as (
            -- Old communes only: an abolished district's desk and roll-ups cover other communes.
            select s.old_unit_code as unit_code
            from validated.bridge_unit_succession as s
            where s.new_unit_code in (select unit_code from below) and s.old_unit_level = 'commune'
        )
        select unit_code from below
        union
        select unit_code from predecessors
    );
exception when undefined_table or undefined_column then
    return scoped;  -- an older warehouse without the succession bridge: the scope as granted
end
$$;
comment on function motcua_access.visible_units() is 'The unit codes the session''s scoped login sees: its units, the units below them, their pre-2025 predecessors.';
revoke all on function motcua_access.sees_every_unit(), motcua_access.visible_units() from public;
grant execute on function motcua_access.sees_every_unit(), motcua_access.visible_units() to motcua_reader;

create table if not exists ops.validation_runs (
    validation_run_id bigserial primary key,
    run_id text not null,
    suite_name text not null,
    relation text not null,
    success boolean not null,
    evaluated_expectations integer not null,
    failed_expectations integer not null,
    result jsonb not null,
    validated_at timestamptz not null default now()
);
comment on table ops.validation_runs is 'One row per Great Expectations suite run by the validation gate.';
alter table ops.validation_runs add column if not exists docs_url text;
-- What the validation read of an incremental mart: the rows changed since the last publish.
alter table ops.validation_runs add column if not exists scope jsonb;
comment on column ops.validation_runs.scope is 'Incremental marts: the changed rows validated (column, key, above, upto, predicate); null when the whole mart was.';

-- A run whose failures are confined to a few units publishes the others (unit holdback): the
-- units it held back, on the re-validation that passed without them.
alter table ops.validation_runs add column if not exists held_units text[];
comment on column ops.validation_runs.held_units is 'Units this run holds back: the mart is published without their rows (and, for a roll-up mart, the rows of the units above them), which keep their last published version.';

create table if not exists ops.unit_holdbacks (
    holdback_id bigserial primary key,
    unit_code text not null,
    held_by_run text not null,
    held_at timestamptz not null default now(),
    reason jsonb not null default '{}'::jsonb,
    released_by_run text,
    released_at timestamptz
);
create unique index if not exists unit_holdbacks_open on ops.unit_holdbacks (unit_code) where released_at is null;
comment on table ops.unit_holdbacks is 'Units whose figures are held at their last published version because their rows failed validation; released by the first release that validates and publishes them.';

create table if not exists ops.feed_checks (
    feed_check_id bigserial primary key,
    run_id text not null,
    source text not null,
    received integer not null,
    quarantined integer not null,
    failed_batches integer not null,
    level text not null check (level in ('ok', 'warn', 'block')),
    details jsonb not null default '{}'::jsonb,
    checked_at timestamptz not null default now()
);
create index if not exists feed_checks_run on ops.feed_checks (run_id);
comment on table ops.feed_checks is 'Raw-feed checks before dbt: per run and source, the quarantined share against the warn and block thresholds (block: nothing from the source is published that run).';

create table if not exists ops.feed_silences (
    silence_id bigserial primary key,
    source text not null,
    unit_code text not null,
    silent_since timestamptz not null,
    delivered_before boolean not null,
    threshold_days numeric not null,
    detected_by_run text not null,
    detected_at timestamptz not null default now(),
    resumed_by_run text,
    resumed_at timestamptz
);
create unique index if not exists feed_silences_open on ops.feed_silences (source, unit_code) where resumed_at is null;
comment on table ops.feed_silences is 'Units whose feed delivered nothing for longer than its threshold (landing.feed_silence): alerted once when detected, closed by the first batch that delivers again.';
comment on column ops.feed_silences.silent_since is 'End of the last interval that delivered items; when none did within the look-back window (delivered_before = false), the start of that window or of the unit''s first batch.';

create table if not exists ops.publish_watermarks (
    mart text primary key,
    scope_column text not null,
    published_upto bigint not null,
    published_at timestamptz not null default now()
);
comment on table ops.publish_watermarks is 'Per incremental mart, the highest load sequence published: the next release validates and publishes the rows above it.';
comment on column ops.validation_runs.docs_url is 'The Data Docs page of this validation (motcua quality-docs serves the site).';

create table if not exists ops.publish_log (
    publish_id bigserial primary key,
    run_id text not null,
    relations text[] not null,
    row_counts jsonb not null,
    published_at timestamptz not null default now()
);
comment on table ops.publish_log is 'One row per successful publish: which marts were copied to validated, with row counts.';
alter table ops.publish_log add column if not exists held_units text[];
comment on column ops.publish_log.held_units is 'Units whose rows this release kept at their last published version (ops.unit_holdbacks).';

create table if not exists ops.alerts (
    alert_id bigserial primary key,
    raised_at timestamptz not null default now(),
    severity text not null,
    source text not null,
    message text not null,
    details jsonb not null default '{}'::jsonb
);
comment on table ops.alerts is 'Alerts raised by the pipeline (failed validation, failed task or run, silent feed, recovery); also sent to the configured channels.';
-- One alert per failure: a retry or a re-run of the same task raises the same key, which is kept once.
alter table ops.alerts add column if not exists dedup_key text;
-- What recovers it: the DAG whose next good run sends the recovery message.
alter table ops.alerts add column if not exists scope text;
alter table ops.alerts add column if not exists resolved_at timestamptz;
alter table ops.alerts add column if not exists delivered jsonb not null default '{}'::jsonb;
create unique index if not exists alerts_dedup_key on ops.alerts (dedup_key);
create index if not exists alerts_open_by_scope on ops.alerts (scope) where resolved_at is null;
comment on column ops.alerts.dedup_key is 'Identifies the failure (DAG, run, task or suite); the same failure raised again is not stored or sent twice.';
comment on column ops.alerts.scope is 'The DAG whose next successful run resolves the alert and sends a recovery message.';
comment on column ops.alerts.resolved_at is 'When a later good run of the scope resolved the alert (null: still open).';
comment on column ops.alerts.delivered is 'Per channel (Apprise URL scheme and host, no secrets): whether it accepted the message.';

create schema if not exists scoring;
comment on schema scoring is 'Decision 766 points computed by the scoring step (one engine for the portal''s counters and Motcua''s own); read by dbt.';
revoke all on schema scoring from public;

create table if not exists scoring.indicator_scores (
    score_source text not null check (score_source in ('portal', 'own')),
    province_code text not null,
    period_type text not null check (period_type in ('month', 'quarter', 'year')),
    period text not null,
    unit_code text not null,
    child_group text not null,
    methodology_version text not null,
    indicator_code text not null,
    group_code text not null,
    known_indicator boolean not null,
    numerator numeric,
    denominator numeric,
    ratio_percent numeric,
    official_points numeric,
    official_max_points numeric,
    points numeric,
    max_points numeric,
    is_estimate boolean not null,
    note text not null default '',
    data_quality_status text,
    data_quality_message text,
    scored_at timestamptz not null default now(),
    primary key (score_source, province_code, period, unit_code, indicator_code)
);
comment on table scoring.indicator_scores is
    'One row per source (portal counters or own counters) x unit x period x indicator: counters, official points (portal only) and the engine''s points.';

-- The same scores for each day the portal's running year and quarter were kept
-- (motcua_portal_snapshots): the portal's snapshot of the day and Motcua's own counters through
-- that day. score_seq grows with every scoring of a day, so the reconciliation mart rebuilds
-- only the days scored since its last build.
create sequence if not exists scoring.score_seq;
create table if not exists scoring.indicator_score_snapshots (
    like scoring.indicator_scores including defaults including constraints,
    as_of_date date not null,
    score_seq bigint not null,
    primary key (score_source, province_code, period, as_of_date, unit_code, indicator_code)
);
create index if not exists indicator_score_snapshots_score_seq_idx on scoring.indicator_score_snapshots (score_seq);
comment on table scoring.indicator_score_snapshots is
    'One row per source x unit x running period x snapshot day x indicator: the portal''s year- and quarter-to-date points of the day and the engine''s points for both sides.';

-- One DAG run at a time may build, validate and publish marts (orchestration/release_lock.py):
-- otherwise one run could publish rows another run built after the first one validated.
create table if not exists ops.release_lock (
    lock_name text primary key,
    holder text,
    acquired_at timestamptz,
    expires_at timestamptz
);
comment on table ops.release_lock is
    'Who holds the warehouse release (build -> validate -> publish), until when; a crashed holder''s lease expires.';
create table if not exists ops.release_log (
    holder text not null,
    acquired_at timestamptz not null,
    released_at timestamptz,
    primary key (holder, acquired_at)
);
comment on table ops.release_log is
    'Every hold of the warehouse release: which DAG run built, validated and published, from when to when.';

create table if not exists ops.dbt_test_scopes (
    invocation_id text not null,
    model text not null,
    scope_column text not null,
    checked_above bigint not null,
    recorded_at timestamptz not null default now(),
    primary key (invocation_id, model)
);
comment on table ops.dbt_test_scopes is
    'Per dbt invocation and incremental model: its data tests check the rows whose scope column is above checked_above (dbt_project/macros/test_scope.sql).';

-- Memory for sorts and hashes of the transformation queries: PostgreSQL's 4 MB default makes the
-- planner fall back to per-row subplans and disk sorts on a province's data. Needs the database's
-- owner; on a server where Motcua does not own the database, the DBA sets it.
do $$
begin
    execute format('alter database %I set work_mem = %L', current_database(), '64MB');
exception when insufficient_privilege then
    raise notice 'work_mem left as the server sets it: % does not own the database', current_user;
end
$$;
