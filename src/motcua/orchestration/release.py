"""The release section of a DAG that builds marts: hold the warehouse, build, validate, publish,
give the warehouse back. One definition for every such DAG (``motcua_daily``, ``motcua_portal``).

Imported by DAG files only (it needs Airflow); the task bodies are in ``orchestration.tasks``.
"""

from __future__ import annotations

from airflow.sdk import get_current_context, task

from motcua.orchestration import tasks
from motcua.orchestration.schedules import is_full_validation_day


def _holder() -> str:
    ctx = get_current_context()
    return f"{ctx['dag'].dag_id}/{ctx['run_id']}"


def _dag_id() -> str:
    return get_current_context()["dag"].dag_id


def _full_validation() -> bool:
    """The weekly full validation: the run of the day FULL_VALIDATION_WEEKDAY (its interval starts
    on it, local time), or one triggered with the ``full_validation`` param."""
    ctx = get_current_context()
    if (ctx.get("params") or {}).get("full_validation"):
        return True
    start = ctx.get("data_interval_start")
    return start is not None and is_full_validation_day(start)


@task(retries=2)
def begin_release() -> None:
    """Wait until no other run builds, validates or publishes, then hold the warehouse."""
    tasks.begin_release(_holder())


@task(retries=0)
def validate(marts: list[str]) -> dict:
    """Great Expectations suites on the run's marts (what changed since the last publish; whole
    once a week); a failure alerts and stops the run."""
    return tasks.validate(get_current_context()["run_id"], marts, _dag_id(), full=_full_validation())


@task(retries=1)
def publish(marts: list[str]) -> dict:
    """Copy the run's validated marts to what BI reads, in one transaction."""
    return tasks.publish_run(get_current_context()["run_id"], marts, _dag_id())


@task(retries=1)
def document() -> str:
    """dbt docs of what the run published (columns as built, lineage), for Browse > dbt Docs."""
    return tasks.document_build()


@task(retries=2)
def end_release() -> None:
    """Give the warehouse back, whether the run published or failed."""
    tasks.end_release(_holder())


def release_section(first_build, last_build, marts: list[str]):
    """Wire ``begin_release >> first_build ... last_build >> validate >> publish >> end_release``
    in the DAG being defined; ``end_release`` is the teardown of ``begin_release``. The dbt docs
    are written after a publish, outside the hold (they only read). Returns ``begin_release``,
    for what must come before the release (landing)."""
    held = begin_release()
    released = end_release().as_teardown(setups=held)
    held >> first_build
    published = publish(marts)
    last_build >> validate(marts) >> published >> released
    published >> document()
    return held
