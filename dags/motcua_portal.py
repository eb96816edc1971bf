"""Monthly: the national portal's Decision 766 scores beside Motcua's own, reconciled.

portal feed -> raw -> own counters (dbt) -> scoring (one engine, both inputs) -> reconciliation
marts (dbt) -> validation gate -> published.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, get_current_context, task
from cosmos import DbtTaskGroup

from motcua.domain import TIME_ZONE_NAME
from motcua.orchestration import tasks
from motcua.orchestration.dbt import PORTAL_OWN_COUNTERS, PORTAL_RECONCILE
from motcua.orchestration.periods import portal_periods
from motcua.orchestration.release import release_section
from motcua.orchestration.schedules import PORTAL

VN_TZ = pendulum.timezone(TIME_ZONE_NAME)

with DAG(
    dag_id="motcua_portal",
    description="Điểm Bộ chỉ số 766 (Decision 766 scores) from the national portal, reconciled with own figures.",
    # Each run covers the previous calendar month and starts on the 5th, once the portal has published.
    schedule=PORTAL.timetable(),
    start_date=pendulum.datetime(2024, 1, 1, tz=VN_TZ),
    catchup=False,
    max_active_runs=1,
    params={"province": Param("H41", type="string", description="Portal province code (H41 = Nghệ An)")},
    # A failed or timed-out run alerts once (the portal month is scored once; half a day is far beyond a normal run).
    dagrun_timeout=timedelta(hours=12),
    on_failure_callback=tasks.alert_on_run_failure,
    default_args=tasks.default_args(retry_delay=timedelta(minutes=1)),
    tags=["motcua", "extract", "portal", "766", "publish"],
) as dag:

    @task
    def list_periods() -> list[dict]:
        """The month of the interval, plus its quarter and year when it closes them."""
        ctx = get_current_context()
        month_start = ctx["data_interval_start"].in_timezone(VN_TZ).date().replace(day=1)
        return [{"period_type": t, "period": p} for t, p in portal_periods(month_start)]

    @task(retries=4)
    def extract_load_portal(period: dict) -> dict:
        """Land the portal's evaluation of every child unit for the period."""
        ctx = get_current_context()
        interval = (ctx["data_interval_start"], ctx["data_interval_end"])
        # The run starts once the portal has closed the month: its figures as they stand that day.
        as_of = ctx["data_interval_end"].in_timezone(VN_TZ).date()
        province = ctx["params"]["province"]
        return tasks.extract_load_portal(province, period["period_type"], period["period"], interval, as_of)

    own_counters = DbtTaskGroup(group_id="own_counters", **PORTAL_OWN_COUNTERS.task_group_kwargs())

    @task
    def score(periods: list[dict]) -> dict:
        """Score the portal's counters and Motcua's own with the one engine."""
        ctx = get_current_context()
        return tasks.score_periods(ctx["params"]["province"], periods, ctx["run_id"], ctx["dag"].dag_id)

    reconcile = DbtTaskGroup(group_id="reconcile", **PORTAL_RECONCILE.task_group_kwargs())

    periods = list_periods()
    landed = extract_load_portal.expand(period=periods)
    scored = score(periods)
    own_counters >> scored >> reconcile
    # What a run validates and publishes: the marts it builds, nothing else.
    landed >> release_section(own_counters, reconcile, PORTAL_OWN_COUNTERS.marts() + PORTAL_RECONCILE.marts())
