"""``motcua demo``: the DAGs end to end on simulated feeds, with their progress, then the figures."""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.live import Live
from rich.spinner import Spinner

from motcua.cli import html_report, reports
from motcua.cli.dag_runs import daily_run_date, portal_run_date, run_dag, task_counts
from motcua.config import load_settings
from motcua.runtime import export_airflow_env, export_feed_connection


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def terminal_console() -> Console:
    """A console on the terminal as it is now: it keeps writing there while a run's logs go to a file."""
    try:
        stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1, encoding="utf-8")
    except (AttributeError, OSError, ValueError):  # no real stdout (e.g. captured)
        return Console(soft_wrap=True)
    # Piped or redirected: lines are not wrapped and tables get room for their columns.
    return Console(file=stream, soft_wrap=True, width=None if stream.isatty() else 160)


class DagRunWatch:
    """Shows one ``dag.test()`` run: a line when it starts, its tasks while it runs, a line when it ends."""

    def __init__(self, console: Console, dag_id: str, label: str) -> None:
        self.console, self.dag_id, self.label = console, dag_id, label
        self.counts = None
        self._stop = threading.Event()

    def _poll(self, since: datetime, spinner: Spinner, started: float) -> None:
        while not self._stop.wait(1.0):
            with suppress(Exception):  # the metadata database is busy: show the last counts
                self.counts = task_counts(self.dag_id, since) or self.counts
            elapsed = _duration(time.monotonic() - started)
            spinner.update(text=f"{self.label}: running, {elapsed}" + (f", {self.counts}" if self.counts else ""))

    @contextmanager
    def running(self) -> Iterator[DagRunWatch]:
        self.console.print(f"[bold]▶[/] {self.label}: started")
        started, since = time.monotonic(), datetime.now(UTC)
        with suppress(Exception):  # once here: Airflow's modules are imported before the poller needs them
            task_counts(self.dag_id, since)
        spinner = Spinner("dots", text=f"{self.label}: running")
        # Airflow's task logs keep going to the run's log file (Live would send them to the terminal).
        live = Live(spinner, console=self.console, transient=True, redirect_stdout=False, redirect_stderr=False)
        poller = threading.Thread(target=self._poll, args=(since, spinner, started), daemon=True)
        if self.console.is_terminal:
            live.start()
        poller.start()
        try:
            yield self
        finally:
            self._stop.set()
            poller.join(timeout=5)
            live.stop()
            self.elapsed = time.monotonic() - started
            with suppress(Exception):
                self.counts = task_counts(self.dag_id, since) or self.counts

    def finished(self, state: str, note: str = "") -> None:
        mark = "[green]✓[/]" if state == "success" else "[red]✗[/]"
        tasks = f", {self.counts.total} tasks" if self.counts else ""
        if self.counts and self.counts.failed:
            tasks += f" ({self.counts.failed} failed)"
        self.console.print(f"{mark} {self.label}: {state} in {_duration(self.elapsed)}{tasks}{note}")


def run_watched(console: Console, label: str, dag_id: str, *args, log_path: Path, note: str = "") -> str:
    watch = DagRunWatch(console, dag_id, label)
    with watch.running():
        state = run_dag(dag_id, *args, log_path=log_path)
    watch.finished(state, note)
    return state


def cmd_demo(args: argparse.Namespace) -> int:
    from motcua.cli.simulator import require_simulator
    from motcua.cli.tools import migrate_airflow
    from motcua.orchestration.dbt import parse_manifest
    from motcua.warehouse.session import open_warehouse

    simulator = require_simulator("demo")  # before anything starts: one line when it is not installed
    console = terminal_console()
    settings = load_settings()
    export_airflow_env(settings)
    start = date.fromisoformat(args.start)
    units = simulator.area_units(args.district) | ({args.agency} if args.agency else set())
    agency = f" and province agency {args.agency}" if args.agency else ""
    console.print(
        f"Motcua demo: {len(units)} units around district {args.district}{agency}, {args.days} day(s) from {start}"
    )
    with open_warehouse(settings) as wh:
        console.print(
            ("embedded PostgreSQL at " if wh.embedded else "warehouse at ")
            + f"{wh.target.host}:{wh.target.port}/{wh.target.dbname}"
        )
        wh.export_env()
        with console.status("parsing the dbt project and migrating Airflow's metadata database"):
            parse_manifest()
            migrate_airflow()
        with simulator.running_simulator(units, seed=args.seed, scale=args.scale) as feed_url:
            export_feed_connection(feed_url)
            log_path = settings.airflow_home / "logs" / "demo.log"
            console.print(f"running the DAGs with dag.test(); their logs go to {log_path}")
            if run_watched(console, "motcua_reference", "motcua_reference", log_path=log_path) != "success":
                return 1
            conf = {"initial_load_from": args.initial_load_from}
            for offset in range(args.days):
                day = start + timedelta(days=offset)
                note = f" (first pull from {args.initial_load_from})" if not offset else ""
                label = f"motcua_daily {day}"
                state = run_watched(
                    console, label, "motcua_daily", daily_run_date(day), conf, log_path=log_path, note=note
                )
                if state != "success":
                    console.print(f"The run failed; see ops.alerts in the warehouse and {log_path}")
                    return 1
            month = start.replace(day=1)  # the last month the daily runs complete before the reform
            label = f"motcua_portal {month:%Y-%m}"
            if run_watched(console, label, "motcua_portal", portal_run_date(month), log_path=log_path) != "success":
                console.print(f"The run failed; see ops.alerts in the warehouse and {log_path}")
                return 1
        console.print()
        reports.print_summary(console, wh.url, start, start + timedelta(days=args.days))
        history_from = date.fromisoformat(args.initial_load_from).replace(day=1)
        history_to = start + timedelta(days=args.days)
        reports.print_district_scorecard(console, wh.url, args.district, history_from, history_to)
        commune = reports.demo_commune_2025(args.district)
        if commune:
            reports.print_commune_2025_scorecard(console, wh.url, commune, history_from, history_to)
        reports.print_reconciliation(console, wh.url, f"{month:%Y-%m}")
        report = html_report.write(wh.url, None, None, scope=None, console=console)
        console.print(
            f"\nScorecard report (báo cáo), self-contained HTML: [bold]{report}[/] (or: motcua report --month YYYY-MM)"
        )
    console.print(
        "\nAirflow UI: run `.venv/bin/motcua airflow standalone` and open http://localhost:8080 "
        f"(the admin password is written to {settings.airflow_home / 'simple_auth_manager_passwords.json.generated'})."
    )
    return 0


def add_command(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="run the daily pipeline end to end for a sample period")
    demo.add_argument("--start", default="2025-06-30", help="first day (default 2025-06-30)")
    demo.add_argument("--days", type=int, default=2, help="number of days (default 2)")
    demo.add_argument("--district", default="430", help="pre-2025 district whose area is simulated (430 Nam Đàn)")
    demo.add_argument(
        "--agency",
        default="H41.01",
        help="a province agency simulated beside the area from 1 July 2025 (default H41.01 Sở Tư pháp; '' for none)",
    )
    demo.add_argument(
        "--initial-load-from",
        default="2025-04-01",
        help="first pull of each unit starts here: a quarter of history before the reform (default 2025-04-01)",
    )
    demo.add_argument("--seed", type=int, default=20250701)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.set_defaults(func=cmd_demo)
