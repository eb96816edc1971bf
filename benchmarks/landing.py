"""Landing throughput: ``load_batch`` against a bare COPY of the same rows and hand-written loaders.

The rows: every dossier item the province's daily pulls serve over ``days`` days (``province.py``),
with their (unit, day) batches. All loaders write the same seven columns (key, version, unit,
batch, extraction time, checksum, payload) into tables like ``raw.one_stop_dossiers``: logged (not
unlogged), the same primary key and batch index, on the same server, in a scratch database.

- ``load_batch`` as the daily run lands: each (unit, day) batch through ``land_pull`` (keys,
  contract, catalogue check, temp table, COPY, conflict check, insert, quarantine, ledger,
  watermark, commit, seal);
- ``load_batch`` in one batch of all the rows, then the same again (idempotent: nothing new);
- a bare ``COPY`` of the already prepared rows into a table with the raw table's definition
  (``like raw.one_stop_dossiers including all``), and into a heap without indexes;
- a COPY of the same rows made from the items inside the timing (JSON text, checksum): the
  ceiling for any loader that starts from the items;
- the loader a user writes by hand, from the items to the same rows inside the timing, without
  checks: ``executemany`` of INSERTs (psycopg 3, which pipelines it; and psycopg2, a round trip a
  row), and pandas ``to_sql`` (default method) if pandas is installed, on the first ``hand_rows``
  rows (their rate is steady).

The first (unit, day) batches are loaded again under cProfile, with every SQL statement timed,
to say where ``load_batch``'s time goes.
"""

from __future__ import annotations

import cProfile
import io
import json
import pstats
import re
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta

import psycopg
from history import PREFIX, drop_database
from measure import say, timed
from province import Batch, Job, collect_batches, feed_items, land_through_load_batch

from motcua.config import PostgresTarget
from motcua.landing.loader import checksum, load_batch
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS, PROCEDURE_CATALOGUE
from motcua.warehouse.bootstrap import bootstrap

COLUMNS = "source_key, source_version, unit_code, batch_id, extracted_at, checksum, payload"


def _truncate(conn: psycopg.Connection) -> None:
    conn.execute("truncate raw.one_stop_dossiers")
    conn.execute("delete from raw.batch_ledger where source = 'one_stop_dossiers'")
    conn.execute("delete from raw.watermarks where source = 'one_stop_dossiers'")
    conn.commit()


def _fresh_table(conn: psycopg.Connection, name: str, indexed: bool = True) -> str:
    table = f"bench_copy.{name}"
    conn.execute("create schema if not exists bench_copy")
    conn.execute(f"drop table if exists {table}")
    how = "including all" if indexed else "including defaults"
    conn.execute(f"create table {table} (like raw.one_stop_dossiers {how})")  # logged, like raw
    conn.commit()
    return table


class StatementTimer:
    """Time spent in each SQL statement ``psycopg.Connection.execute`` runs (normalised text)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._original = psycopg.Connection.execute

    def __enter__(self) -> StatementTimer:
        original, seconds, calls = self._original, self.seconds, self.calls

        def execute(conn, query, params=None, **kwargs):
            text = query if isinstance(query, str) else str(query)
            key = re.sub(r"\s+", " ", text).strip()[:90]
            t0 = time.perf_counter()
            try:
                return original(conn, query, params, **kwargs)
            finally:
                seconds[key] += time.perf_counter() - t0
                calls[key] += 1

        psycopg.Connection.execute = execute
        return self

    def __exit__(self, *exc: object) -> None:
        psycopg.Connection.execute = self._original


def run(
    base_url: str,
    *,
    scale: float,
    days: int,
    until: date,
    seed: int,
    processes: int,
    hand_rows: int,
    profile_batches: int,
) -> dict:
    t = PostgresTarget.from_url(base_url)
    url = PostgresTarget(t.host, t.port, t.user, t.password, f"{PREFIX}_landing").libpq_url()
    drop_database(url)
    bootstrap(url)
    first = until - timedelta(days=days)
    say(f"landing sample: the dossier items of {days} days ({first}..{until - timedelta(days=1)}) at scale {scale:g}")
    with timed() as generation:
        batches = collect_batches(
            Job(scale, seed, first, until, processes=processes, path="none"),
            (ONE_STOP_DOSSIERS.name, PROCEDURE_CATALOGUE.name),
        )
    catalogue = [b for b in batches if b.source is PROCEDURE_CATALOGUE]
    dossiers = [b for b in batches if b.source is ONE_STOP_DOSSIERS]
    rows = sum(len(b.items) for b in dossiers)
    out: dict = {
        "scale": scale,
        "days": days,
        "rows": rows,
        "batches": len(dossiers),
        "generation_seconds": generation.seconds,
        "payload_mb": sum(len(json.dumps(i, ensure_ascii=False).encode()) for b in dossiers for i in b.items) / 1e6,
    }
    say(f"{rows:,} dossier items in {len(dossiers):,} (unit, day) batches, generated in {generation.seconds:.0f} s")

    with psycopg.connect(url) as conn:
        for batch in catalogue:  # the procedure codes are checked against it, as every day
            land_through_load_batch(conn, batch)

        _truncate(conn)
        say("load_batch, batch by batch (land_pull)")
        with timed() as real:
            for batch in dossiers:
                land_through_load_batch(conn, batch)
        out["load_batch_per_unit_day"] = _rate(real, rows, batches=len(dossiers))

        _truncate(conn)
        items = [item for b in dossiers for item in feed_items(b)]
        interval = (dossiers[0].since, dossiers[-1].until)
        say("load_batch, one batch of every row, twice")
        with timed() as one:
            result = load_batch(conn, ONE_STOP_DOSSIERS, "bench", interval, items)
            conn.commit()
        out["load_batch_one_batch"] = {**_rate(one, rows), "loaded": result.loaded}
        with timed() as again:
            result = load_batch(conn, ONE_STOP_DOSSIERS, "bench", interval, items)
            conn.commit()
        out["load_batch_one_batch_again"] = {**_rate(again, rows), "loaded": result.loaded}

        prepared = _prepared_rows(dossiers)
        for name, indexed in (("copy_same_ddl", True), ("copy_heap", False)):
            table = _fresh_table(conn, name, indexed)
            say(f"bare COPY into {table}")
            with timed() as copy_time:
                with conn.cursor().copy(f"copy {table} ({COLUMNS}) from stdin") as copy:
                    for row in prepared:
                        copy.write_row(row)
                conn.commit()
            out[name] = _rate(copy_time, len(prepared))
        table = _fresh_table(conn, "copy_prepared_here")
        say(f"COPY into {table}, the rows prepared from the items inside the timing")
        with timed() as copy_time:
            with conn.cursor().copy(f"copy {table} ({COLUMNS}) from stdin") as copy:
                for row in _prepared_rows(dossiers):
                    copy.write_row(row)
            conn.commit()
        out["copy_with_preparation"] = _rate(copy_time, len(prepared))

        # The loader a user writes by hand, from the same items to the same rows (key, version,
        # checksum and JSON text made inside the timing, as load_batch makes them), no checks.
        sample = _sample_batches(dossiers, hand_rows)
        rows = sum(len(b.items) for b in sample)
        table = _fresh_table(conn, "executemany")
        say(f"executemany of INSERTs (psycopg 3, pipelined), {rows:,} rows")
        with timed() as many:
            with conn.cursor() as cur:
                cur.executemany(
                    f"insert into {table} ({COLUMNS}) values (%s, %s, %s, %s, %s, %s, %s)", _prepared_rows(sample)
                )
            conn.commit()
        out["executemany"] = {**_rate(many, rows), "driver": f"psycopg {psycopg.__version__}"}
        out["executemany_psycopg2"] = _psycopg2_executemany(url, conn, sample, rows)
        out["pandas_to_sql"] = _to_sql(url, conn, sample, rows)

        say(f"profiling load_batch on {profile_batches} (unit, day) batches")
        _truncate(conn)
        out["profile"] = _profile(conn, dossiers[:profile_batches])
    drop_database(url)
    return out


def _rate(t, rows: int, batches: int | None = None) -> dict:
    out = {"seconds": t.seconds, "rows": rows, "rows_per_second": rows / t.seconds, "peak_rss_mb": t.peak_rss_mb}
    if batches:
        out["batches"] = batches
        out["ms_per_batch"] = 1000 * t.seconds / batches
    return out


def _prepared_rows(batches: list[Batch]) -> list[tuple]:
    """The rows load_batch writes, ready for COPY (key, version, unit, batch, time, checksum, payload)."""
    rows, seen = [], set()
    extracted_at = datetime.now().astimezone()
    for batch in batches:
        batch_id = uuid.uuid4()
        for item in batch.items:
            key = (item["dossier_code"], item["version"])
            if key in seen:
                continue
            seen.add(key)
            payload = json.dumps(item, ensure_ascii=False)
            rows.append((key[0], key[1], batch.scope, batch_id, extracted_at, checksum(item), payload))
    return rows


def _sample_batches(batches: list[Batch], rows: int) -> list[Batch]:
    out, n = [], 0
    for batch in batches:
        if n >= rows:
            break
        out.append(batch)
        n += len(batch.items)
    return out


def _psycopg2_executemany(url: str, conn: psycopg.Connection, sample: list[Batch], rows: int) -> dict:
    try:
        import psycopg2
    except ImportError:
        return {"skipped": "psycopg2 not installed"}
    table = _fresh_table(conn, "executemany_psycopg2")
    say(f"executemany of INSERTs (psycopg2, a round trip a row), {rows:,} rows")
    with psycopg2.connect(url) as pg2, timed() as t:
        with pg2.cursor() as cur:
            cur.executemany(
                f"insert into {table} ({COLUMNS}) values (%s, %s, %s, %s, %s, %s, %s)",
                [(*row[:3], str(row[3]), *row[4:]) for row in _prepared_rows(sample)],
            )
        pg2.commit()
    return {**_rate(t, rows), "driver": f"psycopg2 {psycopg2.__version__.split()[0]}"}


def _to_sql(url: str, conn: psycopg.Connection, sample: list[Batch], rows: int) -> dict:
    try:
        import pandas as pd
        import sqlalchemy
    except ImportError:
        return {"skipped": "pandas or SQLAlchemy not installed"}
    table = _fresh_table(conn, "to_sql")
    engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    say(f"pandas to_sql, {rows:,} rows")
    try:
        with timed() as t:
            frame = pd.DataFrame(_prepared_rows(sample), columns=[c.strip() for c in COLUMNS.split(",")])
            frame["batch_id"] = frame["batch_id"].astype(str)
            frame.to_sql(table.split(".")[1], engine, schema="bench_copy", if_exists="append", index=False)
    finally:
        engine.dispose()
    return {
        **_rate(t, rows),
        "pandas": pd.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "method": "default (SQLAlchemy executemany, psycopg2)",
    }


def _profile(conn: psycopg.Connection, batches: list[Batch]) -> dict:
    profiler = cProfile.Profile()
    with StatementTimer() as statements:
        started = time.perf_counter()
        profiler.enable()
        for batch in batches:
            land_through_load_batch(conn, batch)
        profiler.disable()
        seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler, stream=io.StringIO())
    functions = []
    for (file, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():
        where = f"{file.split('/src/')[-1].split('site-packages/')[-1]}:{line}({name})"
        functions.append({"function": where, "calls": calls, "tottime": tottime, "cumtime": cumtime})
    rows = sum(len(b.items) for b in batches)
    top_cum = sorted(
        (f for f in functions if "motcua" in f["function"] or "psycopg" in f["function"]),
        key=lambda f: -f["cumtime"],
    )[:25]
    return {
        "batches": len(batches),
        "rows": rows,
        "seconds_profiled": seconds,
        "ms_per_batch_profiled": 1000 * seconds / max(1, len(batches)),
        "top_tottime": sorted(functions, key=lambda f: -f["tottime"])[:20],
        "top_cumtime": top_cum,
        "statements": sorted(
            (
                {"sql": sql, "calls": n, "seconds": s, "ms_per_call": 1000 * s / n}
                for sql, s in statements.seconds.items()
                for n in (statements.calls[sql],)
            ),
            key=lambda r: -r["seconds"],
        ),
    }
