"""Reference data: load the dbt seeds (units, calendar, indicators) when they change."""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG
from cosmos import DbtTaskGroup

from motcua.domain import TIME_ZONE_NAME
from motcua.orchestration import tasks
from motcua.orchestration.dbt import task_group_kwargs

with DAG(
    dag_id="motcua_reference",
    description="Dữ liệu tham chiếu (reference data): units, working-day calendar, indicator table.",
    schedule=None,  # triggered on demand when a seed changes (and once by `motcua setup`)
    start_date=pendulum.datetime(2024, 1, 1, tz=TIME_ZONE_NAME),
    catchup=False,
    # A failed or timed-out run alerts once (reference data is small; two hours means something hangs).
    dagrun_timeout=timedelta(hours=2),
    on_failure_callback=tasks.alert_on_run_failure,
    default_args=tasks.default_args(retry_delay=timedelta(seconds=30), retries=1, exponential_backoff=False),
    tags=["motcua", "reference"],
) as dag:
    DbtTaskGroup(group_id="seeds", **task_group_kwargs(select=["resource_type:seed"]))
