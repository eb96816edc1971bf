"""Daily: the portal's year-to-date and quarter-to-date Decision 766 scores, kept as snapshots.

The national portal shows a running year's and quarter's scores in real time and overwrites
them; each run keeps them as they stand at the end of its day, so that a unit's score can be
followed through the year (fct_official_scores_766_history), beside Motcua's own figures for the
same days (fct_scorecard_766_reconciliation_to_date).

portal API -> raw (a new version per unit and day) -> own counters through the day (dbt) ->
scoring (one engine, both sides) -> history and to-date reconciliation marts (dbt) -> validation
gate -> published.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, Param, get_current_context, task
from cosmos import DbtTaskGroup

from motcua.domain import TIME_ZONE_NAME
from motcua.orchestration import tasks
from motcua.orchestration.dbt import PORTAL_HISTORY, PORTAL_OWN_COUNTERS_TO_DATE
from motcua.orchestration.periods import portal_snapshot_periods
from motcua.orchestration.release import release_section
from motcua.orchestration.schedules import PORTAL_SNAPSHOTS

VN_TZ = pendulum.timezone(TIME_ZONE_NAME)

with DAG(
    dag_id="motcua_portal_snapshots",
    description="Điểm 766 lũy kế (year- and quarter-to-date Decision 766 scores) from the national portal, kept daily.",
    schedule=PORTAL_SNAPSHOTS.timetable(),
    start_date=pendulum.datetime(2024, 1, 1, tz=VN_TZ),
    # The portal keeps no history: a missed day cannot be pulled later, so there is nothing to catch up.
    catchup=False,
    max_active_runs=1,
    params={"province": Param("H41", type="string", description="Portal province code (H41 = Nghệ An)")},
    # A day's snapshot is worthless the next morning: a run that has not finished in 6 hours alerts.
    dagrun_timeout=timedelta(hours=6),
    on_failure_callback=tasks.alert_on_run_failure,
    default_args=tasks.default_args(retry_delay=timedelta(minutes=5)),
    tags=["motcua", "extract", "portal", "766", "publish"],
) as dag:

    @task
    def list_periods() -> list[dict]:
        """The year and the quarter running on the run's day."""
        return [{"period_type": t, "period": p} for t, p in portal_snapshot_periods(_as_of())]

    @task(retries=4)
    def extract_load_snapshot(period: dict) -> dict:
        """Land every unit's scores for the running period as they stand at the end of the run's day."""
        ctx = get_current_context()
        interval = (ctx["data_interval_start"], ctx["data_interval_end"])
        province = ctx["params"]["province"]
        return tasks.extract_load_portal_snapshot(province, period["period_type"], period["period"], interval, _as_of())

    def _as_of():
        """The day the run keeps: the local day its interval ends on, less the morning hours."""
        return (get_current_context()["data_interval_end"].in_timezone(VN_TZ) - timedelta(days=1)).date()

    own_counters = DbtTaskGroup(group_id="own_counters", **PORTAL_OWN_COUNTERS_TO_DATE.task_group_kwargs())

    @task
    def score(periods: list[dict]) -> dict:
        """Score the day's portal snapshot and Motcua's own counters to date with the one engine."""
        return tasks.score_snapshots(get_current_context()["params"]["province"], periods, _as_of())

    history = DbtTaskGroup(group_id="history", **PORTAL_HISTORY.task_group_kwargs())

    periods = list_periods()
    landed = extract_load_snapshot.expand(period=periods)
    own_counters >> score(periods) >> history
    # What a run validates and publishes: the marts it builds, nothing else.
    landed >> release_section(own_counters, history, PORTAL_OWN_COUNTERS_TO_DATE.marts() + PORTAL_HISTORY.marts())
