"""Queries a BI user runs every day, on the ``published`` views, with and without indexes.

- one unit's monthly scorecard for the last twelve months (``published.scorecards_monthly``);
- the province's trend over three years: from the scorecards' province rows, and from the dossier
  view itself, by month (what a BI tool does with a dossier table);
- one unit's late dossiers in a month (``published.dossiers``).

Each query: the median of ``repeat`` runs after one warm-up, and its plan's scans. First with the
project's indexes on the published copies (each mart's ``bi_indexes`` in its dbt YAML, built by
``motcua.publishing.publish``), then without them: dropped inside a transaction that is rolled
back afterwards, so nothing has to be rebuilt.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import date

import psycopg

SCAN = re.compile(r"(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan) (?:using \S+ )?on (\S+)")
MARTS = ("fct_dossiers", "fct_scorecard_monthly")


def _month_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def queries(conn: psycopg.Connection, until: date) -> list[tuple[str, str, tuple]]:
    month = _month_before(until, 1)
    unit = conn.execute(
        """select competent_unit_code from published.dossiers
           where received_date >= %s and received_date < %s
           group by 1 order by count(*) desc, 1 limit 1""",
        (month, _month_before(until, 0)),
    ).fetchone()
    unit_code = unit[0] if unit else ""
    return [
        (
            "unit monthly scorecard, 12 months",
            """select * from published.scorecards_monthly
               where aggregation_level = 'unit' and scorecard_unit_code = %s
                 and period_start_date >= %s and period_start_date < %s
               order by period_start_date""",
            (unit_code, _month_before(until, 12), _month_before(until, 0)),
        ),
        (
            "province trend, 3 years (scorecards)",
            """select period_start_date, received_count, settled_count, on_time_rate, late_count
               from published.scorecards_monthly
               where aggregation_level = 'province' and period_start_date >= %s
               order by period_start_date""",
            (_month_before(until, 36),),
        ),
        (
            "province trend, 3 years (dossiers by month)",
            """select date_trunc('month', received_date) as month, count(*) as received,
                      count(*) filter (where is_late) as late, avg(working_days_taken) as working_days
               from published.dossiers where received_date >= %s
               group by 1 order by 1""",
            (_month_before(until, 36),),
        ),
        (
            "unit's late dossiers in a month",
            """select dossier_code, procedure_code, received_at, appointment_due_at, completed_at, status_code
               from published.dossiers
               where competent_unit_code = %s and received_date >= %s and received_date < %s and is_late
               order by received_at""",
            (unit_code, month, _month_before(until, 0)),
        ),
    ]


def _measure(conn: psycopg.Connection, sql: str, params: tuple, repeat: int) -> dict:
    plan = conn.execute("explain " + sql, params).fetchall()
    conn.execute(sql, params).fetchall()  # warm-up
    times, rows = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(conn.execute(sql, params).fetchall())
        times.append(time.perf_counter() - started)
    scans = sorted({" ".join(m) for (line,) in plan for m in SCAN.findall(line)})
    return {"median_ms": 1000 * statistics.median(times), "rows": rows, "scans": scans}


def run(url: str, until: date, repeat: int = 5) -> dict:
    with psycopg.connect(url, autocommit=True) as conn:
        sizes = {
            name: {
                "rows": conn.execute(f"select count(*) from validated.{name}").fetchone()[0],
                # -1: never analysed (before publishing analysed its copies)
                "planner_rows_estimate": conn.execute(
                    "select reltuples::bigint from pg_class where oid = %s::regclass", (f"validated.{name}",)
                ).fetchone()[0],
            }
            for name in MARTS
        }
        listed = queries(conn, until)
        indexes = conn.execute(
            """select schemaname || '.' || indexname, indexdef from pg_indexes
               where schemaname = 'validated' and tablename = any(%s) and indexname like %s""",
            (list(MARTS), "%\\_\\_bi\\_%"),
        ).fetchall()
        # "indexed": as published; "as_is": without the project's indexes.
        out = {"rows_in_views": sizes, "project_indexes": dict(indexes), "queries": {}}
        for name, sql, params in listed:
            out["queries"][name] = {"indexed": _measure(conn, sql, params, repeat), "params": [str(p) for p in params]}
        with conn.transaction(force_rollback=True):
            for index, _definition in indexes:
                conn.execute(f"drop index {index}")
            for name, sql, params in listed:
                out["queries"][name]["as_is"] = _measure(conn, sql, params, repeat)
    return out
