"""Daily pipeline: one-stop dossiers -> raw -> dbt (audit) -> validation gate -> published.

Scheduling and wiring only; the task bodies live in ``motcua.orchestration.tasks`` and
``motcua.landing.extract_load``.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, get_current_context, task
from cosmos import DbtTaskGroup

from motcua.domain import TIME_ZONE_NAME
from motcua.orchestration import tasks
from motcua.orchestration.dbt import DAILY_TRANSFORM
from motcua.orchestration.release import release_section
from motcua.orchestration.schedules import DAILY

VN_TZ = pendulum.timezone(TIME_ZONE_NAME)


with DAG(
    dag_id="motcua_daily",
    description="Hồ sơ một cửa (one-stop dossiers) from every unit, modelled, validated and published daily.",
    # Each run covers one local day [00:00, 24:00) Asia/Ho_Chi_Minh and starts just after it.
    schedule=DAILY.timetable(),
    start_date=pendulum.datetime(2024, 1, 1, tz=VN_TZ),
    catchup=False,
    max_active_runs=1,
    params={
        "initial_load_from": Param(
            "",
            type="string",
            description="YYYY-MM-DD: a unit pulled for the first time loads from this day (empty: interval only)",
        ),
        "full_validation": Param(
            False,
            type="boolean",
            description="validate and republish every mart whole (Sunday runs always do)",
        ),
    },
    # A failed or timed-out run alerts once (a day's run not finished in 6 h will not finish before the next one).
    dagrun_timeout=timedelta(hours=6),
    on_failure_callback=tasks.alert_on_run_failure,
    default_args=tasks.default_args(retry_delay=timedelta(seconds=30)),
    tags=["motcua", "extract", "transform", "publish"],
) as dag:

    @task
    def list_units() -> list[str]:
        """Units with a one-stop system on the interval's day, as the source lists them."""
        start = get_current_context()["data_interval_start"]
        return tasks.units_to_pull(start.in_timezone(VN_TZ).date())

    def initial_load_from() -> pendulum.DateTime | None:
        initial = get_current_context()["params"].get("initial_load_from") or None
        return pendulum.parse(initial, tz=VN_TZ) if initial else None

    @task(retries=4, max_active_tis_per_dag=8)
    def extract_load_unit(unit_code: str) -> dict:
        """Land the unit's dossiers, ratings and e-office documents changed during the interval."""
        ctx = get_current_context()
        return tasks.extract_load_unit(
            unit_code, ctx["data_interval_start"], ctx["data_interval_end"], initial_load_from()
        )

    @task(retries=4)
    def extract_load_procedures() -> dict:
        """Land the procedure catalogue's changes (danh mục TTHC) during the interval (all of it the first time)."""
        ctx = get_current_context()
        return tasks.extract_load_procedures(ctx["data_interval_start"], ctx["data_interval_end"])

    @task
    def check_feeds() -> dict:
        """Each feed's landed batches against its thresholds: warn, or block its figures this run."""
        ctx = get_current_context()
        return tasks.check_feeds(ctx["run_id"], ctx["data_interval_start"], ctx["data_interval_end"], ctx["dag"].dag_id)

    transform = DbtTaskGroup(group_id="transform", **DAILY_TRANSFORM.task_group_kwargs())

    # The catalogue lands first: landing checks each dossier's procedure code against it.
    catalogue = extract_load_procedures()
    units = extract_load_unit.expand(unit_code=list_units())
    catalogue >> units >> check_feeds() >> release_section(transform, transform, DAILY_TRANSFORM.marts())
