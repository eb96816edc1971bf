"""The daily DAG's pulls, one Vietnam day at a time, through the real extractors (no Airflow)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from motcua.domain import TIME_ZONE
from motcua.orchestration.tasks import extract_load_procedures, extract_load_unit


def pull_days(
    units: Iterable[str], first_day: date, days: int, after_day: Callable[[int], None] | None = None
) -> None:
    """Land the procedure catalogue, then each unit's dossiers, ratings and documents for each of
    ``days`` days from ``first_day``, a day's interval at a time as the daily DAG pulls them;
    ``after_day(offset)`` runs after each day's pulls (a dbt build, for example)."""
    codes = list(units)
    for offset in range(days):
        start = datetime.combine(first_day + timedelta(days=offset), datetime.min.time(), TIME_ZONE)
        if offset == 0:
            extract_load_procedures(start - timedelta(days=1), start + timedelta(days=1))
        for unit in codes:
            extract_load_unit(unit, start, start + timedelta(days=1))
        if after_day is not None:
            after_day(offset)
