"""``motcua backfill``: a DAG's runs over a range of days or months, in this process, with progress.

Airflow's own ``airflow backfill create`` hands the runs to a running scheduler; this command needs
none (the embedded default has none running): it runs each period with ``dag.test()``, one after
the other, and shows how far it is, the current run's tasks and the time left. It is resumable
and idempotent: a period whose run already succeeded is skipped, so after a failure the same
command goes on from the failed period.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

from motcua.config import ConfigError
from motcua.domain import TIME_ZONE


@dataclass(frozen=True)
class Cadence:
    """How a DAG's runs step through time: the periods of a range and the run of each period."""

    unit: str  # "day" or "month": what one run covers
    run_date: Callable[[date], datetime]

    def periods(self, first: date, last: date) -> Iterator[date]:
        if self.unit == "day":
            day = first
            while day <= last:
                yield day
                day += timedelta(days=1)
        else:
            month = first.replace(day=1)
            while month <= last:
                yield month
                month = (month + timedelta(days=32)).replace(day=1)

    def label(self, period: date) -> str:
        return period.isoformat() if self.unit == "day" else f"{period:%Y-%m}"


def cadences() -> dict[str, Cadence]:
    """The DAGs a backfill can run, by id: the ones whose runs each cover a day or a month."""
    from motcua.cli.dag_runs import daily_run_date, portal_run_date, snapshot_run_date

    return {
        "motcua_daily": Cadence("day", daily_run_date),
        "motcua_portal": Cadence("month", portal_run_date),
        "motcua_portal_snapshots": Cadence("day", snapshot_run_date),
    }


def succeeded_run_dates(dag_id: str) -> set[datetime]:
    """Logical dates of the DAG's runs that succeeded, whatever started them (UTC)."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import select

    with create_session() as session:
        dates = session.scalars(
            select(DagRun.logical_date).where(DagRun.dag_id == dag_id, DagRun.state == DagRunState.SUCCESS)
        ).all()
    return {d.astimezone(UTC) for d in dates if d is not None}


@dataclass
class BackfillResult:
    ran: list[str]
    skipped: list[str]
    failed: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _progress(console: Console) -> Progress:
    """A bar of the periods (or windows) done, a note (a task's field ``note``) and the time left."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeRemainingColumn(elapsed_when_finished=True),
        console=console,
        transient=True,
    )


def backfill(
    console: Console,
    dag_id: str,
    cadence: Cadence,
    first: date,
    last: date,
    run: Callable[[datetime], str],
    done_before: set[datetime],
    counts: Callable[[datetime], object | None] = lambda since: None,
    poll_seconds: float = 1.0,
) -> BackfillResult:
    """Run ``run(logical_date)`` for every period of ``[first, last]`` not in ``done_before``,
    in order, stopping at the first that does not succeed. ``counts(since)`` gives the current
    run's task counts (``total``, ``done`` and a text) for the progress line."""
    periods = list(cadence.periods(first, last))
    if not periods:
        raise ConfigError(f"nothing to backfill: {first} is after {last}")
    result = BackfillResult([], [])
    progress = _progress(console)
    span = f"{dag_id} {cadence.label(periods[0])}..{cadence.label(periods[-1])}"
    with progress:
        overall = progress.add_task(span, total=len(periods), note=cadence.unit + "s")
        for period in periods:
            label = cadence.label(period)
            logical = cadence.run_date(period)
            if logical.astimezone(UTC) in done_before:
                result.skipped.append(label)
                progress.console.print(f"[dim]·[/] {dag_id} {label}: already succeeded, skipped")
                progress.advance(overall)
                continue
            current = progress.add_task(f"  {label}", total=None, note="starting")
            stop = threading.Event()
            since = datetime.now(UTC)

            def watch(current: int = current, since: datetime = since, stop: threading.Event = stop) -> None:
                while not stop.wait(poll_seconds):
                    with suppress(Exception):  # the metadata database is busy: keep the last line
                        tasks = counts(since)
                        if tasks is not None:
                            progress.update(current, total=tasks.total, completed=tasks.done, note=str(tasks))

            poller = threading.Thread(target=watch, daemon=True)
            poller.start()
            started = time.monotonic()
            try:
                state = run(logical)
            finally:
                stop.set()
                poller.join(timeout=5)
                progress.remove_task(current)
            elapsed = round(time.monotonic() - started)
            if state != "success":
                result.failed = label
                progress.console.print(f"[red]✗[/] {dag_id} {label}: {state} after {elapsed}s")
                break
            result.ran.append(label)
            progress.console.print(f"[green]✓[/] {dag_id} {label}: success in {elapsed}s")
            progress.advance(overall)
    return result


def cmd_backfill(args: argparse.Namespace) -> int:
    from motcua.cli.dag_runs import run_dag, task_counts
    from motcua.cli.demo import terminal_console
    from motcua.cli.tools import migrate_airflow
    from motcua.config import load_settings
    from motcua.runtime import export_airflow_env
    from motcua.warehouse.session import open_warehouse

    known = cadences()
    if args.dag_id not in known:
        raise ConfigError(f"{args.dag_id} is not a DAG a backfill runs; choose one of {', '.join(sorted(known))}")
    try:
        first, last = date.fromisoformat(args.from_date), date.fromisoformat(args.to_date)
        conf = json.loads(args.conf) if args.conf else {}
    except ValueError as err:
        raise ConfigError(f"bad argument: {err}") from err
    if not isinstance(conf, dict):
        raise ConfigError(f"--conf must be a JSON object, got {args.conf}")
    console = terminal_console()
    settings = load_settings()
    export_airflow_env(settings)
    log_path = settings.airflow_home / "logs" / "backfill.log"
    with open_warehouse(settings) as wh:
        wh.export_env()
        # The DAGs render from the dbt manifest `make install` wrote (`motcua dbt-parse` after edits).
        with console.status("migrating Airflow's metadata database"):
            migrate_airflow()
        console.print(f"backfill of {args.dag_id} from {first} to {last}; the runs' logs go to {log_path}")
        result = backfill(
            console,
            args.dag_id,
            known[args.dag_id],
            first,
            last,
            run=lambda logical: run_dag(args.dag_id, logical, conf, log_path=log_path),
            done_before=set() if args.rerun else succeeded_run_dates(args.dag_id),
            counts=lambda since: task_counts(args.dag_id, since),
        )
    summary = f"{len(result.ran)} run, {len(result.skipped)} already done"
    if result.failed:
        console.print(
            f"{args.dag_id} {result.failed} failed ({summary}); see ops.alerts and {log_path}. "
            "The same command goes on from the failed period."
        )
    else:
        console.print(f"backfill done: {summary}")
    return result.exit_code


def cmd_catalogue_backfill(args: argparse.Namespace) -> int:
    """``motcua catalogue-backfill``: the procedure catalogue's versions since a past day."""
    import psycopg
    from rich.table import Table

    from motcua.cli.demo import terminal_console
    from motcua.config import load_settings, one_stop_feed_url
    from motcua.feeds.one_stop import OneStopClient
    from motcua.landing.catalogue_backfill import (
        backfill_catalogue,
        backfill_end,
        catalogue_watermark,
        catalogue_windows,
    )
    from motcua.warehouse.session import open_warehouse

    try:
        first = date.fromisoformat(args.from_date)
        until_day = date.fromisoformat(args.to_date) if args.to_date else None
    except ValueError as err:
        raise ConfigError(f"bad argument: {err}") from err
    if args.window_days < 1:
        raise ConfigError(f"--window-days must be at least 1, got {args.window_days}")
    console = terminal_console()
    feed_url = one_stop_feed_url()
    with open_warehouse(load_settings(), stop_embedded=False) as wh, psycopg.connect(wh.url) as conn:
        watermark = catalogue_watermark(conn)
        until = backfill_end(until_day, watermark, datetime.now(TIME_ZONE))
        limit = f"the daily pulls' watermark {watermark.astimezone(TIME_ZONE):%Y-%m-%d %H:%M}" if watermark else "now"
        reach = f"{until.astimezone(TIME_ZONE):%Y-%m-%d %H:%M} (at most {limit})"
        try:
            windows = catalogue_windows(first, until, timedelta(days=args.window_days))
        except ValueError as err:
            raise ConfigError(str(err)) from err
        console.print(
            f"catalogue backfill from {first} to {reach}: {len(windows)} windows of {args.window_days} day(s)"
        )
        progress = _progress(console)
        versions = 0

        def on_window(window: tuple[datetime, datetime], outcome: str, counts: dict | None) -> None:
            nonlocal versions
            versions += counts["loaded"] if counts else 0
            progress.update(task, advance=1, note=f"{window[0]:%Y-%m-%d}: {outcome}; {versions} versions new")

        with OneStopClient(feed_url) as client, progress:
            task = progress.add_task("danh mục TTHC", total=len(windows), note="")
            result = backfill_catalogue(conn, client.procedures, windows, on_window)
    table = Table(title="Catalogue backfill (lịch sử danh mục TTHC)")
    columns = ("windows", "landed", "already landed", "records received", "new versions", "already present")
    for column in (*columns, "quarantined"):
        table.add_column(column, justify="right")
    table.add_row(
        *(
            f"{n:,}"
            for n in (
                result.windows,
                result.landed,
                result.skipped,
                result.received,
                result.loaded,
                result.already_present,
                result.quarantined,
            )
        )
    )
    console.print(table)
    if result.failed:
        console.print(
            f"[red]✗[/] window {result.failed[0]:%Y-%m-%d %H:%M} .. {result.failed[1]:%Y-%m-%d %H:%M} failed: "
            f"{result.error}. It is in raw.batch_ledger; the same command goes on from it."
        )
    elif result.quarantined:
        console.print("some records went to raw.quarantine, each with its reason")
    if not result.failed:
        console.print("the next daily run rebuilds the procedure marts with these versions and publishes them")
    return result.exit_code


def add_command(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "backfill",
        help="run a DAG for every day (or month) of a range in this process, with progress; resumable",
    )
    parser.add_argument("dag_id", help="motcua_daily, motcua_portal (months) or motcua_portal_snapshots")
    parser.add_argument("--from", dest="from_date", required=True, help="first day, YYYY-MM-DD (Vietnam's calendar)")
    parser.add_argument("--to", dest="to_date", required=True, help="last day, YYYY-MM-DD (included)")
    parser.add_argument("--conf", help='run configuration, a JSON object, e.g. \'{"initial_load_from": "2025-06-01"}\'')
    parser.add_argument("--rerun", action="store_true", help="run again the periods that already succeeded")
    parser.set_defaults(func=cmd_backfill)

    catalogue = sub.add_parser(
        "catalogue-backfill",
        help="land the procedure catalogue's versions since a past day (e.g. 2016-01-01), window by window; "
        "idempotent, resumable",
    )
    catalogue.add_argument("--from", dest="from_date", required=True, help="first day, YYYY-MM-DD (Vietnam's calendar)")
    catalogue.add_argument(
        "--to",
        dest="to_date",
        help="last day, YYYY-MM-DD (included); never past where the daily pulls have reached (or now)",
    )
    catalogue.add_argument(
        "--window-days",
        type=int,
        default=1,
        help="days per request (default 1: two changes of a record in one window land as the later one)",
    )
    catalogue.set_defaults(func=cmd_catalogue_backfill)
