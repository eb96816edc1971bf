"""A warehouse holding years of a province's history, as a daily run would find it the next morning.

One database per (scale, years, day measured, seed), named ``motcua_bench_s<scale>_y<years>_<day>``:
raw holds every batch of the years before the day (``province.py``: landed in bulk or through
``load_batch``); then, as the history's last daily run would have left it, the marts are built
(``dbt seed`` and one full ``dbt build`` of ``DAILY_TRANSFORM``), validated and published.

A later run with the same parameters reuses the landed history (``--fresh`` lands it again): it
removes what the measured day landed (its batches, rows, quarantine; watermarks back to the
history's end), drops everything dbt and publishing made, and builds again from raw, so the marts
are always those of the dbt project being measured.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import psycopg
from measure import say, timed
from province import Job, describe, history_days, run_job

from motcua.config import PostgresTarget
from motcua.warehouse.bootstrap import bootstrap

PREFIX = "motcua_bench"
RAW_TABLES = (
    "one_stop_dossiers",
    "spreadsheet_dossiers",
    "procedure_catalogue",
    "satisfaction_ratings",
    "eoffice_documents",
    "portal_evaluations",
)
BUILT_SCHEMAS = ("staging", "intermediate", "audit", "validated", "published", "snapshots")
OPS_TABLES = ("ops.validation_runs", "ops.publish_log", "ops.alerts", "ops.release_lock", "ops.release_log")


def database_name(scale: float, years: int, until: date, seed: int) -> str:
    scale_text = f"{scale:g}".replace(".", "p")
    seed_text = "" if seed == 20250701 else f"_seed{seed}"
    return f"{PREFIX}_s{scale_text}_y{years}_{until:%Y%m%d}{seed_text}"


def database_url_for(base_url: str, scale: float, years: int, until: date, seed: int) -> str:
    t = PostgresTarget.from_url(base_url)
    return PostgresTarget(t.host, t.port, t.user, t.password, database_name(scale, years, until, seed)).libpq_url()


def _admin_url(url: str) -> str:
    t = PostgresTarget.from_url(url)
    return PostgresTarget(t.host, t.port, t.user, t.password, "postgres").libpq_url()


def drop_database(url: str) -> None:
    name = PostgresTarget.from_url(url).dbname
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


def stored_history(url: str) -> dict | None:
    """The history's figures if ``url`` holds a complete landed history, else None."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            if conn.execute("select to_regclass('public.bench_history')").fetchone()[0] is None:
                return None
            row = conn.execute("select figures from public.bench_history order by created_at desc limit 1").fetchone()
            return row[0] if row else None
    except psycopg.OperationalError:
        return None


def reset_to_history(url: str, until: date) -> dict:
    """Back to the landed history: the measured day's batches out, everything built dropped."""
    with psycopg.connect(url, autocommit=True) as conn:
        day_batches = "select batch_id from raw.batch_ledger where interval_end > %s"
        cut = _midnight(until)  # history's last pulls end there; the measured day's after it
        removed = {}
        for table in RAW_TABLES:
            removed[table] = conn.execute(f"delete from raw.{table} where batch_id in ({day_batches})", (cut,)).rowcount
        removed["quarantine"] = conn.execute(
            f"delete from raw.quarantine where batch_id in ({day_batches})", (cut,)
        ).rowcount
        removed["batch_ledger"] = conn.execute("delete from raw.batch_ledger where interval_end > %s", (cut,)).rowcount
        conn.execute("delete from raw.watermarks")
        conn.execute(
            """insert into raw.watermarks (source, unit_code, high_water_mark)
               select source, unit_code, max(interval_end) from raw.batch_ledger where status = 'loaded'
               group by source, unit_code"""
        )
        for schema in BUILT_SCHEMAS:
            conn.execute(f"drop schema if exists {schema} cascade")
        conn.execute("truncate " + ", ".join(OPS_TABLES) + ", scoring.indicator_scores")
    bootstrap(url)  # schemas, grants; and ops tables a history landed by older code lacks
    with psycopg.connect(url) as conn:
        # The published copies were dropped: the next release publishes every mart whole.
        conn.execute("truncate ops.publish_watermarks, ops.feed_checks")
    return removed


def _midnight(day: date):
    from province import vn_midnight

    return vn_midnight(day)


def raw_sizes(url: str) -> dict:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
               from pg_class c where c.relnamespace = 'raw'::regnamespace and c.relkind = 'r'
               order by 3 desc"""
        ).fetchall()
        database = conn.execute("select pg_database_size(current_database())").fetchone()[0]
    return {
        "tables": {name: {"rows_estimate": n, "bytes": size} for name, n, size in rows},
        "database_bytes": database,
    }


def land_history(
    base_url: str,
    *,
    scale: float,
    years: int,
    until: date,
    seed: int,
    processes: int,
    path: str,
    fresh: bool,
) -> tuple[str, dict]:
    """A database holding ``years`` of landed history before ``until``: (its URL, figures)."""
    url = database_url_for(base_url, scale, years, until, seed)
    stored = None if fresh else stored_history(url)
    if stored is not None:
        say(f"reusing the landed history in {PostgresTarget.from_url(url).dbname} (--fresh lands it again)")
        with timed() as reset:
            removed = reset_to_history(url, until)
        return url, {**stored, "reused": True, "reset_seconds": reset.seconds, "reset_removed": removed}
    drop_database(url)
    bootstrap(url)
    first, end = history_days(years, until)
    say(f"landing {years} year(s) of history {first}..{end - timedelta(days=1)} at scale {scale:g} ({path})")
    with timed() as landing:
        result = run_job(Job(scale, seed, first, end, processes=processes, path=path, url=url))
    say(describe(result))
    with timed() as vacuum, psycopg.connect(url, autocommit=True) as conn:
        # Autovacuum would have done this over the years; a bulk load leaves it to the first reader.
        for table in (*RAW_TABLES, "batch_ledger", "quarantine", "watermarks"):
            conn.execute(f"vacuum (analyze) raw.{table}")
    figures = {
        "reused": False,
        "database": PostgresTarget.from_url(url).dbname,
        "landing": {k: v for k, v in result.items() if k != "tally"},
        "landing_seconds": landing.seconds,
        "landing_peak_rss_mb": landing.peak_rss_mb,
        "vacuum_analyze_seconds": vacuum.seconds,
        "sizes": raw_sizes(url),
    }
    with psycopg.connect(url) as conn:
        conn.execute(
            "create table if not exists public.bench_history (created_at timestamptz default now(), figures jsonb)"
        )
        conn.execute("insert into public.bench_history (figures) values (%s)", (json.dumps(figures, default=str),))
        conn.commit()
    return url, figures
