"""``motcua backfill``'s loop: which periods it runs, which it skips, where it stops, what it shows.

The runs are stand-ins here (``tests/integration/test_portal_snapshots.py`` backfills real
``dag.test()`` runs of motcua_portal_snapshots, then runs the same command again to show it skips).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rich.console import Console

from motcua.cli.backfill import Cadence, backfill, cadences
from motcua.cli.dag_runs import TaskCounts, daily_run_date, portal_run_date
from motcua.config import ConfigError


def _console() -> Console:
    return Console(record=True, width=120, force_terminal=False)


class Runs:
    """A run function that records its logical dates and answers with the given states."""

    def __init__(self, states: dict[datetime, str] | None = None) -> None:
        self.states = states or {}
        self.calls: list[datetime] = []

    def __call__(self, logical: datetime) -> str:
        self.calls.append(logical)
        return self.states.get(logical, "success")


def test_a_day_cadence_runs_every_day_in_order():
    runs = Runs()
    result = backfill(
        _console(), "motcua_daily", cadences()["motcua_daily"], date(2025, 6, 29), date(2025, 7, 2), runs, set()
    )
    days = [date(2025, 6, 29), date(2025, 6, 30), date(2025, 7, 1), date(2025, 7, 2)]
    assert runs.calls == [daily_run_date(d) for d in days]
    assert result.ran == [d.isoformat() for d in days]
    assert (result.skipped, result.failed, result.exit_code) == ([], None, 0)


def test_a_month_cadence_runs_each_month_once():
    runs = Runs()
    result = backfill(
        _console(), "motcua_portal", cadences()["motcua_portal"], date(2025, 1, 15), date(2025, 3, 2), runs, set()
    )
    assert runs.calls == [portal_run_date(date(2025, m, 1)) for m in (1, 2, 3)]
    assert result.ran == ["2025-01", "2025-02", "2025-03"]


def test_periods_that_already_succeeded_are_skipped_and_said_so():
    cadence = cadences()["motcua_daily"]
    done = {daily_run_date(date(2025, 6, 1)).astimezone(UTC), daily_run_date(date(2025, 6, 3)).astimezone(UTC)}
    runs, console = Runs(), _console()
    result = backfill(console, "motcua_daily", cadence, date(2025, 6, 1), date(2025, 6, 4), runs, done)
    assert runs.calls == [daily_run_date(date(2025, 6, 2)), daily_run_date(date(2025, 6, 4))]
    assert (result.ran, result.skipped) == (["2025-06-02", "2025-06-04"], ["2025-06-01", "2025-06-03"])
    text = console.export_text()
    assert "motcua_daily 2025-06-01: already succeeded, skipped" in text
    assert "motcua_daily 2025-06-02: success in" in text


def test_the_first_failed_period_stops_the_backfill():
    cadence = cadences()["motcua_daily"]
    runs, console = Runs({daily_run_date(date(2025, 6, 2)): "failed"}), _console()
    result = backfill(console, "motcua_daily", cadence, date(2025, 6, 1), date(2025, 6, 5), runs, set())
    # Later days would build on a day that is missing: they are left for the next attempt.
    assert runs.calls == [daily_run_date(date(2025, 6, 1)), daily_run_date(date(2025, 6, 2))]
    assert (result.ran, result.failed, result.exit_code) == (["2025-06-01"], "2025-06-02", 1)
    assert "motcua_daily 2025-06-02: failed after" in console.export_text()


def test_the_current_runs_tasks_are_polled_while_it_runs():
    polled = []

    def counts(since: datetime) -> TaskCounts:
        polled.append(since)
        return TaskCounts(total=10, done=4, running=1, failed=0)

    def slow_run(logical: datetime) -> str:
        import time

        time.sleep(0.3)
        return "success"

    cadence = Cadence("day", daily_run_date)
    backfill(_console(), "motcua_daily", cadence, date(2025, 6, 1), date(2025, 6, 1), slow_run, set(), counts, 0.05)
    assert polled, "the progress line never asked for the run's tasks"


def test_an_empty_range_is_a_clear_error():
    with pytest.raises(ConfigError, match="nothing to backfill"):
        cadence = cadences()["motcua_daily"]
        backfill(_console(), "motcua_daily", cadence, date(2025, 6, 2), date(2025, 6, 1), Runs(), set())


def test_the_command_refuses_a_dag_it_cannot_step_and_bad_dates(capsys):
    from motcua.cli.main import main

    assert main(["backfill", "motcua_reference", "--from", "2025-06-01", "--to", "2025-06-02"]) == 2
    assert "not a DAG a backfill runs" in capsys.readouterr().err
    assert main(["backfill", "motcua_daily", "--from", "2025-06-31", "--to", "2025-07-02"]) == 2
    assert "bad argument" in capsys.readouterr().err
