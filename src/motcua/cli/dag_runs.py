"""Run a DAG in this process with ``dag.test()``, date its runs by the DAGs' schedules, watch its tasks."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from motcua.config import ConfigError, load_settings


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
        began = datetime.now(UTC)
        run = dag.test(**kwargs)
        _start_at(run.dag_id, run.run_id, began)
    return str(run.state)


def _start_at(dag_id: str, run_id: str, began: datetime) -> None:
    """Give a ``dag.test()`` run the time it really started.

    ``dag.test()`` records a run as started at its logical date (apache/airflow#66127), so the UI
    shows a run of a past day as lasting from that day until it ended (514 days for the demo's).
    """
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from sqlalchemy import update

    with create_session() as session:
        session.execute(
            update(DagRun)
            .where(DagRun.dag_id == dag_id, DagRun.run_id == run_id, DagRun.start_date < began)
            .values(start_date=began)
        )


def daily_run_date(day: date) -> datetime:
    """Logical date of the motcua_daily run whose interval is the local ``day`` [00:00, 24:00)."""
    from motcua.orchestration.schedules import DAILY

    return DAILY.run_covering(day)


def portal_run_date(month: date) -> datetime:
    """Logical date of the motcua_portal run that scores ``month`` (its interval starts in it)."""
    from motcua.orchestration.schedules import PORTAL

    return PORTAL.run_covering(month.replace(day=1))


def snapshot_run_date(day: date) -> datetime:
    """Logical date of the motcua_portal_snapshots run that keeps the scores as of local ``day``."""
    from motcua.orchestration.schedules import PORTAL_SNAPSHOTS

    return PORTAL_SNAPSHOTS.run_covering(day)


@dataclass(frozen=True)
class TaskCounts:
    """Task instances of a DAG run, by where they are."""

    total: int
    done: int
    running: int
    failed: int

    def __str__(self) -> str:
        text = f"{self.done}/{self.total} tasks done"
        if self.running:
            text += f", {self.running} running"
        if self.failed:
            text += f", {self.failed} failed"
        return text


def task_counts(dag_id: str, since: datetime) -> TaskCounts | None:
    """The task instances of the latest ``dag.test()`` run of ``dag_id`` started since ``since``."""
    from airflow.models.dagrun import DagRun
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import func, select

    with create_session() as session:
        run_id = session.scalar(
            select(DagRun.run_id)
            .where(
                DagRun.dag_id == dag_id,
                DagRun.triggered_by == DagRunTriggeredByType.TEST,
                DagRun.run_after >= since,
            )
            .order_by(DagRun.run_after.desc())
            .limit(1)
        )
        if run_id is None:
            return None
        by_state = dict(
            session.execute(
                select(TaskInstance.state, func.count())
                .where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)
                .group_by(TaskInstance.state)
            ).all()
        )
    finished = {
        TaskInstanceState.SUCCESS,
        TaskInstanceState.SKIPPED,
        TaskInstanceState.FAILED,
        TaskInstanceState.UPSTREAM_FAILED,
        TaskInstanceState.REMOVED,
    }
    return TaskCounts(
        total=sum(by_state.values()),
        done=sum(n for state, n in by_state.items() if state in finished),
        running=by_state.get(TaskInstanceState.RUNNING, 0),
        failed=by_state.get(TaskInstanceState.FAILED, 0) + by_state.get(TaskInstanceState.UPSTREAM_FAILED, 0),
    )
