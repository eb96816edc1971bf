"""The ``motcua`` command: set up, run the demo, manage the embedded warehouse and simulator."""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from motcua.config import ConfigError, load_settings
from motcua.runtime import export_airflow_env, export_feed_connection

log = logging.getLogger("motcua")


# -- the simulator in a background thread ---------------------------------------------------
@contextmanager
def running_simulator(unit_codes: set[str] | None, seed: int, scale: float, app: object | None = None) -> Iterator[str]:
    """Serve the simulator (or ``app``, a simulator built by the caller) on a free localhost port."""
    import socket

    import uvicorn

    from motcua.simulator.app import create_app
    from motcua.simulator.dossiers import SimulationProfile

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    if app is None:
        app = create_app(SimulationProfile(seed=seed, scale=scale), unit_codes=unit_codes)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise ConfigError("the feed simulator did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# -- steps -----------------------------------------------------------------------------------
def migrate_airflow() -> None:
    done = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "airflow"), "db", "migrate"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    if done.returncode != 0:
        raise ConfigError(f"airflow db migrate failed:\n{done.stderr[-2000:]}")


def run_dbt(*args: str) -> None:
    from motcua.orchestration.dbt import DBT_PROJECT_DIR, dbt_executable

    done = subprocess.run(
        [
            dbt_executable(),
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "DO_NOT_TRACK": "1"},
    )
    if done.returncode != 0:
        raise ConfigError(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}")


@contextmanager
def output_to(log_path: Path | None) -> Iterator[None]:
    """Send this process's stdout and stderr (Airflow's task logs) to ``log_path``."""
    if log_path is None:
        yield
        return
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("a") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


VN_TZ = "Asia/Ho_Chi_Minh"


def run_dag(
    dag_id: str,
    logical_date: datetime | None = None,
    conf: dict | None = None,
    log_path: Path | None = None,
) -> str:
    """Run a DAG in-process with ``dag.test()``; returns the run's final state.

    The data interval is the one the DAG's timetable gives a manual run at ``logical_date``:
    see :func:`daily_run_date` and :func:`portal_run_date`.
    """
    from airflow.dag_processing.dagbag import DagBag

    settings = load_settings()
    with output_to(log_path):
        bag = DagBag(dag_folder=str(settings.dags_dir))
        if bag.import_errors:
            raise ConfigError(f"DAG import errors: {bag.import_errors}")
        dag = bag.get_dag(dag_id)
        kwargs: dict = {"run_conf": conf or {}}
        if logical_date is not None:
            kwargs["logical_date"] = logical_date
        run = dag.test(**kwargs)
    return str(run.state)


def daily_run_date(day: date) -> datetime:
    """Logical date of the daily run whose interval is the local ``day`` [00:00, 24:00)."""
    import pendulum

    after = day + timedelta(days=1)
    return pendulum.datetime(after.year, after.month, after.day, tz=VN_TZ)


def portal_run_date(month: date) -> datetime:
    """Logical date of the portal run that scores ``month`` (it fires on the 5th after it)."""
    import pendulum

    nxt = (month.replace(day=1) + timedelta(days=32)).replace(day=1)
    return pendulum.datetime(nxt.year, nxt.month, 5, 3, tz=VN_TZ)


def print_summary(url: str, start: date, end: date) -> None:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select u.unit_full_name, u.unit_level,
                      count(*) as received,
                      count(*) filter (where d.is_completed) as settled,
                      count(*) filter (where d.completion_class in ('before_time', 'on_time')) as on_time,
                      count(*) filter (where d.completion_class = 'late') as late,
                      count(*) filter (where d.completion_class = 'late' and d.has_apology_letter) as apologised,
                      round(100.0 * avg(d.is_online::int), 1) as online_pct
               from published.dossiers d
               join published.units u
                 on u.unit_code = d.receiving_unit_code
                and (u.valid_from is null or u.valid_from <= d.received_at::date)
                and (u.valid_to is null or d.received_at::date < u.valid_to)
               where (d.received_at at time zone 'Asia/Ho_Chi_Minh')::date >= %s
                 and (d.received_at at time zone 'Asia/Ho_Chi_Minh')::date < %s
               group by 1, 2 order by 2, 1""",
            (start, end),
        ).fetchall()
    print(f"\nPer-unit summary from the published schema (received {start} .. {end - timedelta(days=1)}):")
    header = (
        f"{'unit (đơn vị)':38} {'level':8} {'received':>8} {'settled':>7} {'on time':>7} {'late':>4} "
        f"{'apology':>7} {'online%':>7}"
    )
    print(header)
    print("-" * len(header))
    for name, level, received, settled, on_time, late, apologised, online in rows:
        print(f"{name:38} {level:8} {received:8d} {settled:7d} {on_time:7d} {late:4d} {apologised:7d} {online:7}")


def print_reconciliation(url: str, period: str) -> None:
    """Official Decision 766 figures beside Motcua's own, per unit, from the published schema."""
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("select to_regclass('published.scorecard_766_reconciliation')").fetchone()[0]
        if not exists:
            print("\n(no Decision 766 reconciliation published yet)")
            return
        rows = conn.execute(
            """select coalesce(u.unit_full_name, r.portal_unit_code),
                      r.official_rate_percent, r.own_rate_percent, r.on_time_rate_gap_pp,
                      r.official_points, r.recomputed_points, r.own_points
               from published.scorecard_766_reconciliation r
               -- the unit as it was at the start of the period (codes are reused after 2025)
               left join lateral (
                   select unit_full_name from published.units u
                   where u.unit_code = r.gso_unit_code
                     and (u.valid_from is null or u.valid_from <= to_date(r.period || '-01', 'YYYY-MM-DD'))
                     and (u.valid_to is null or to_date(r.period || '-01', 'YYYY-MM-DD') < u.valid_to)
               ) u on true
               where r.period = %s and r.indicator_code = 'TDGQ'
               order by r.on_time_rate_gap_pp desc nulls last, 1""",
            (period,),
        ).fetchall()
    print(f"\nDecision 766, tiến độ giải quyết (TDGQ) for {period}: the portal's official figures beside Motcua's own")
    header = (
        f"{'unit (đơn vị)':34} {'portal %':>8} {'own %':>7} {'gap pp':>6} {'official':>8} {'recomp.':>7} {'own pts':>7}"
    )
    print(header)
    print("-" * len(header))

    def fmt(value: object, width: int) -> str:
        return f"{value:>{width}.2f}" if value is not None else " " * (width - 1) + "-"

    for name, official_rate, own_rate, gap, official, recomputed, own in rows:
        print(
            f"{name[:34]:34} {fmt(official_rate, 8)} {fmt(own_rate, 7)} {fmt(gap, 6)} "
            f"{fmt(official, 8)} {fmt(recomputed, 7)} {fmt(own, 7)}"
        )


SCORECARD_HEADER = (
    f"{'period (kỳ)':22} {'received':>8} {'settled':>7} {'on time%':>8} {'late':>5} {'apology%':>8} "
    f"{'online%':>7} {'digit.%':>7} {'pay onl%':>8} {'TDGQ pts':>8}"
)


def _scorecard_line(label: str, row: tuple) -> str:
    received, settled, on_time, late, apology, online, digitised, paid, points, max_points = row

    def pct(value: object) -> str:
        return f"{100 * float(value):.1f}" if value is not None else "-"

    def num(value: object) -> str:
        # Counters re-aggregated through a split unit are fractional (weighted).
        return f"{float(value):.1f}" if value is not None and float(value) % 1 else f"{int(value or 0)}"

    tdgq = f"{points}/{max_points}" if points is not None else "-"
    return (
        f"{label:22} {num(received):>8} {num(settled):>7} {pct(on_time):>8} {num(late):>5} {pct(apology):>8} "
        f"{pct(online):>7} {pct(digitised):>7} {pct(paid):>8} {tdgq:>8}"
    )


def _print_scorecard(title: str, lines: list[tuple[str, tuple]]) -> None:
    print(f"\n{title}")
    print(SCORECARD_HEADER)
    print("-" * len(SCORECARD_HEADER))
    for label, figures in lines:
        print(_scorecard_line(label, figures))


_SCORECARD_FIGURES = """received_count, settled_count, on_time_rate, late_count, apology_coverage_rate,
    online_share, digitised_share, online_payment_share, tdgq_points, tdgq_max_points"""


def print_district_scorecard(url: str, district_code: str, start: date, end: date) -> None:
    """A pre-2025 district (its desk and its communes) per month and quarter, from ``published``."""
    import psycopg

    from motcua.reference import REFORM_DATE

    with psycopg.connect(url) as conn:
        name = conn.execute(
            "select unit_full_name from published.units where unit_code = %s and valid_to = %s",
            (district_code, REFORM_DATE),
        ).fetchone()
        rows = conn.execute(
            f"""select period_type, period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_monthly
                where aggregation_level = 'district' and scorecard_unit_code = %(district)s
                  and period_start_date >= %(start)s and period_start_date < least(%(end)s, %(reform)s)
                union all
                select period_type, period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_quarterly
                where aggregation_level = 'district' and scorecard_unit_code = %(district)s
                  and period_start_date >= %(start)s and period_start_date < least(%(end)s, %(reform)s)
                -- months first ('month' < 'quarter'), then the quarter
                order by period_type, period_start_date""",
            {"district": district_code, "start": start, "end": end, "reform": REFORM_DATE},
        ).fetchall()
    title = name[0] if name else district_code
    _print_scorecard(
        f"Scorecard (bảng điểm) of {title} before the 2025 reform: its desk and its communes",
        [
            (f"{start:%Y-%m}" if period_type == "month" else f"Q{(start.month + 2) // 3} {start:%Y}", tuple(figures))
            for period_type, start, *figures in rows
        ],
    )


def demo_commune_2025(district_code: str) -> str | None:
    """The 2025 commune with the most predecessors, all of them inside the simulated district."""
    from motcua.reference import all_units, merges

    old_in_area = {u.code for u in all_units() if u.parent_code == district_code and u.level == "commune"}
    predecessors: dict[str, set[str]] = {}
    for new, old, _ in merges():
        predecessors.setdefault(new, set()).add(old)
    inside = [(len(olds), new) for new, olds in predecessors.items() if olds <= old_in_area]
    return max(inside)[1] if inside else None


def print_commune_2025_scorecard(url: str, commune_code: str, start: date, end: date) -> None:
    """A 2025 commune's months: history re-aggregated from its predecessors, then its own."""
    import psycopg

    from motcua.reference import REFORM_DATE

    with psycopg.connect(url) as conn:
        name = conn.execute(
            "select unit_full_name from published.units where unit_code = %s and valid_from = %s",
            (commune_code, REFORM_DATE),
        ).fetchone()
        lineage = conn.execute(
            """select string_agg(coalesce(u.unit_full_name, b.old_unit_code)
                                 || case when b.allocation_weight < 1
                                         then ' (' || round(100 * b.allocation_weight)::text || '%%)' else '' end,
                                 ', ' order by b.old_unit_level, u.unit_full_name)
               from published.unit_succession b
               left join published.units u
                 on u.unit_code = b.old_unit_code and u.valid_to = %(reform)s
               where b.new_unit_code = %(commune)s and b.new_unit_key in (
                   select unit_key from published.units where unit_code = %(commune)s and valid_from = %(reform)s)""",
            {"commune": commune_code, "reform": REFORM_DATE},
        ).fetchone()
        rows = conn.execute(
            f"""select period_start_date, {_SCORECARD_FIGURES}
                from published.scorecards_monthly_communes_2025
                where commune_2025_unit_code = %s and period_start_date >= %s and period_start_date < %s
                order by period_start_date""",
            (commune_code, start, end),
        ).fetchall()
    title = name[0] if name else commune_code
    _print_scorecard(
        f"Scorecard of {title}, a 2025 commune (xã mới), with history re-aggregated from {lineage[0] or '-'}",
        [
            (f"{start:%Y-%m} ({'own' if start >= REFORM_DATE else 'history'})", tuple(figures))
            for start, *figures in rows
        ],
    )


# -- commands --------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from motcua.orchestration.dbt import parse_manifest
    from motcua.reference import area_units
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    export_airflow_env(settings)
    start = date.fromisoformat(args.start)
    units = area_units(args.district)
    print(f"Motcua demo: {len(units)} units around district {args.district}, {args.days} day(s) from {start}")
    with open_warehouse(settings) as wh:
        print(
            ("embedded PostgreSQL at " if wh.embedded else "warehouse at ")
            + f"{wh.target.host}:{wh.target.port}/{wh.target.dbname}"
        )
        wh.export_env()
        parse_manifest()
        migrate_airflow()
        with running_simulator(units, seed=args.seed, scale=args.scale) as feed_url:
            export_feed_connection(feed_url)
            log_path = settings.airflow_home / "logs" / "demo.log"
            print(f"running the DAGs with dag.test(); their logs go to {log_path}")
            state = run_dag("motcua_reference", log_path=log_path)
            print(f"motcua_reference: {state}")
            if state != "success":
                return 1
            conf = {"initial_load_from": args.initial_load_from}
            for offset in range(args.days):
                day = start + timedelta(days=offset)
                state = run_dag("motcua_daily", daily_run_date(day), conf, log_path=log_path)
                print(
                    f"motcua_daily {day}: {state}"
                    + (f" (first pull from {args.initial_load_from})" if not offset else "")
                )
                if state != "success":
                    print(f"The run failed; see ops.alerts in the warehouse and {log_path}")
                    return 1
            month = start.replace(day=1)  # the last month the daily runs complete before the reform
            state = run_dag("motcua_portal", portal_run_date(month), log_path=log_path)
            print(f"motcua_portal {month:%Y-%m}: {state}")
            if state != "success":
                print(f"The run failed; see ops.alerts in the warehouse and {log_path}")
                return 1
        print_summary(wh.url, start, start + timedelta(days=args.days))
        history_from = date.fromisoformat(args.initial_load_from).replace(day=1)
        history_to = start + timedelta(days=args.days)
        print_district_scorecard(wh.url, args.district, history_from, history_to)
        commune = demo_commune_2025(args.district)
        if commune:
            print_commune_2025_scorecard(wh.url, commune, history_from, history_to)
        print_reconciliation(wh.url, f"{month:%Y-%m}")
    print(
        "\nAirflow UI: run `.venv/bin/motcua airflow standalone` and open http://localhost:8080 "
        f"(the admin password is written to {settings.airflow_home / 'simple_auth_manager_passwords.json.generated'})."
    )
    return 0


def cmd_setup(args: argparse.Namespace) -> int:
    from motcua.orchestration.dbt import parse_manifest
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    export_airflow_env(settings)
    with open_warehouse(settings) as wh:
        wh.export_env()
        parse_manifest()
        run_dbt("seed")
        migrate_airflow()
        print(f"warehouse ready at {wh.target.host}:{wh.target.port}/{wh.target.dbname}")
    return 0


def cmd_warehouse(args: argparse.Namespace) -> int:
    from motcua.warehouse.embedded import EmbeddedPostgres
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    server = EmbeddedPostgres(settings.state_dir)
    if args.action == "start":
        with open_warehouse(settings, stop_embedded=False) as wh:
            print(wh.url)
    elif args.action == "stop":
        print("stopped" if server.stop() else "not running")
    else:
        with open_warehouse(settings, stop_embedded=False) as wh:
            print(wh.url)
    return 0


def cmd_simulator(args: argparse.Namespace) -> int:
    import uvicorn

    from motcua.reference import area_units
    from motcua.simulator.app import create_app
    from motcua.simulator.dossiers import SimulationProfile

    units = area_units(args.district) if args.district else None
    app = create_app(SimulationProfile(seed=args.seed, scale=args.scale), unit_codes=units)
    uvicorn.run(app, host=args.host, port=args.port)
    return 0


def _passthrough(tool: str, argv: list[str]) -> int:
    """Run airflow or dbt with the warehouse and Airflow environment of this project."""
    from motcua.warehouse.session import open_warehouse

    settings = load_settings()
    export_airflow_env(settings)
    with open_warehouse(settings, stop_embedded=False) as wh:
        wh.export_env()
        exe = os.path.join(os.path.dirname(sys.executable), tool)
        extra = []
        if tool == "dbt":
            from motcua.orchestration.dbt import DBT_PROJECT_DIR

            extra = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
        return subprocess.call([exe, *argv, *(extra if argv else [])])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="motcua", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the daily pipeline end to end for a sample period")
    demo.add_argument("--start", default="2025-06-30", help="first day (default 2025-06-30)")
    demo.add_argument("--days", type=int, default=2, help="number of days (default 2)")
    demo.add_argument("--district", default="430", help="pre-2025 district whose area is simulated (430 Nam Đàn)")
    demo.add_argument(
        "--initial-load-from",
        default="2025-04-01",
        help="first pull of each unit starts here: a quarter of history before the reform (default 2025-04-01)",
    )
    demo.add_argument("--seed", type=int, default=20250701)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.set_defaults(func=cmd_demo)
    setup = sub.add_parser("setup", help="start the warehouse, create schemas, load reference data")
    setup.set_defaults(func=cmd_setup)
    wh = sub.add_parser("warehouse", help="manage the embedded PostgreSQL")
    wh.add_argument("action", choices=["start", "stop", "url"])
    wh.set_defaults(func=cmd_warehouse)
    sim = sub.add_parser("simulator", help="serve the source simulator over HTTP")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    sim.add_argument("--seed", type=int, default=20250701)
    sim.add_argument("--scale", type=float, default=1.0)
    sim.add_argument("--district", default=None, help="limit to one pre-2025 district's area")
    sim.set_defaults(func=cmd_simulator)
    for tool in ("airflow", "dbt"):
        p = sub.add_parser(tool, help=f"run {tool} against this project's warehouse", add_help=False)
        p.add_argument("rest", nargs=argparse.REMAINDER)
        p.set_defaults(func=lambda a, t=tool: _passthrough(t, a.rest))
    dparse = sub.add_parser("dbt-parse", help="write the dbt manifest the DAGs render from")
    dparse.set_defaults(func=lambda a: print(__import__("motcua.orchestration.dbt", fromlist=["x"]).parse_manifest()))
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as err:
        print(f"motcua: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
