"""The DAGs' schedules, in one place: the DAG files schedule with them, ``motcua`` dates its runs by them.

Both are data-interval schedules in Vietnam's time zone: a run covers the interval between two
fire times and starts at its end.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from motcua.domain import TIME_ZONE_NAME


@dataclass(frozen=True)
class CronSchedule:
    """A cron expression whose consecutive fire times bound each run's data interval."""

    cron: str
    timezone: str = TIME_ZONE_NAME

    def timetable(self):
        """The DAG's ``schedule=`` (Task SDK timetable)."""
        from airflow.sdk import CronDataIntervalTimetable

        return CronDataIntervalTimetable(self.cron, timezone=self.timezone)

    def run_covering(self, day: date) -> datetime:
        """The date to give ``dag.test()`` for the first interval starting on or after local ``day``.

        ``dag.test(logical_date=d)`` runs a manual run whose data interval is the last complete
        one before ``d`` (``infer_manual_data_interval``): the scheduled interval's end.
        """
        import pendulum
        from airflow.timetables.base import TimeRestriction
        from airflow.timetables.interval import CronDataIntervalTimetable

        timetable = CronDataIntervalTimetable(self.cron, pendulum.timezone(self.timezone))
        earliest = pendulum.instance(datetime.combine(day, time(), ZoneInfo(self.timezone)))
        info = timetable.next_dagrun_info(
            last_automated_data_interval=None,
            restriction=TimeRestriction(earliest=earliest, latest=None, catchup=True),
        )
        if info is None or info.data_interval is None:
            raise ValueError(f"{self.cron} schedules no run after {day}")
        return info.data_interval.end.in_timezone(self.timezone)


#: motcua_daily: each run covers one local day [00:00, 24:00) and starts just after it.
DAILY = CronSchedule("0 0 * * *")
#: motcua_portal: each run covers a month and starts on the 5th after it at 03:00, once the
#: national portal has published the month's scores.
PORTAL = CronSchedule("0 3 5 * *")
#: motcua_portal_snapshots: each run covers a local day and starts at 06:00 the next morning; it
#: keeps the portal's year-to-date and quarter-to-date scores as they stand at the day's end.
PORTAL_SNAPSHOTS = CronSchedule("0 6 * * *")

#: The day of the week (ISO: 7 = Sunday) whose daily run validates every mart whole and
#: republishes it; the other days validate and publish what changed since the last publish.
FULL_VALIDATION_WEEKDAY = 7


def is_full_validation_day(interval_start: datetime) -> bool:
    """Whether a run whose interval starts at ``interval_start`` validates everything whole: it
    covers FULL_VALIDATION_WEEKDAY in Vietnam's time."""
    return interval_start.astimezone(ZoneInfo(TIME_ZONE_NAME)).isoweekday() == FULL_VALIDATION_WEEKDAY
