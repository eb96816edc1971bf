"""Hourly: land spreadsheet drops (tệp Excel/CSV) from units without an API.

Files are decoded (legacy Vietnamese encodings to NFC) and landed in raw.spreadsheet_dossiers;
the next motcua_daily run models them with the API feed's dossiers.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import DAG, CronTriggerTimetable, task

from motcua.domain import TIME_ZONE_NAME
from motcua.orchestration import tasks

with DAG(
    dag_id="motcua_spreadsheets",
    description="Tệp Excel/CSV của đơn vị chưa có API (spreadsheet drops) into the raw layer.",
    schedule=CronTriggerTimetable("15 * * * *", timezone=TIME_ZONE_NAME),
    start_date=pendulum.datetime(2024, 1, 1, tz=TIME_ZONE_NAME),
    catchup=False,
    max_active_runs=1,
    # A failed or timed-out run alerts once (a drop folder's files land in minutes; six hours means something hangs).
    dagrun_timeout=timedelta(hours=6),
    on_failure_callback=tasks.alert_on_run_failure,
    default_args=tasks.default_args(retry_delay=timedelta(minutes=1), exponential_backoff=False),
    tags=["motcua", "extract", "spreadsheets"],
) as dag:

    @task
    def land_drops() -> list[dict]:
        """Land every new file of MOTCUA_DROP_DIR; each distinct file is landed once."""
        return tasks.land_spreadsheet_drops()

    land_drops()
