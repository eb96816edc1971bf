"""Domain constants that SQL and Python share, read from the one place that owns each.

- ``vars`` in ``dbt_project/dbt_project.yml``: the 2025 reform date, the province's GSO code,
  the local time zone and the length of a working day. SQL reads them through
  ``dbt_project/macros/domain.sql``.
- ``dbt_project/seeds/reference/dossier_statuses.csv``: the dossier status codes 1-10 with their
  labels and lifecycle flags. SQL joins the seed (``stg_reference__dossier_statuses``).

Both files are read once, when this module is first imported (or :func:`dossier_statuses` first
called). Change a value in its file, never here.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from motcua.config import PROJECT_DIR

DBT_PROJECT_FILE: Path = PROJECT_DIR / "dbt_project" / "dbt_project.yml"
DOSSIER_STATUSES_CSV: Path = PROJECT_DIR / "dbt_project" / "seeds" / "reference" / "dossier_statuses.csv"


def _project_vars(path: Path = DBT_PROJECT_FILE) -> dict:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)["vars"]


_VARS = _project_vars()

#: Ngày cải cách 2025: first day of two-level local government (districts abolished, communes
#: merged). Pre-2025 units are valid until it (exclusive), 2025 communes from it.
REFORM_DATE: date = date.fromisoformat(str(_VARS["reform_date"]))
#: Mã tỉnh: the province's statistics office (GSO) code (Nghệ An: 40; the portal's code is H41).
PROVINCE_CODE: str = str(_VARS["province_code"])
#: The local time zone's IANA name ("Asia/Ho_Chi_Minh"), for APIs that take a name.
TIME_ZONE_NAME: str = str(_VARS["time_zone"])
#: The local time zone of every date, office hour and schedule.
TIME_ZONE: ZoneInfo = ZoneInfo(TIME_ZONE_NAME)
#: One working day (ngày làm việc) of statutory processing time, in seconds and in hours.
WORKING_DAY_SECONDS: int = int(_VARS["working_day_seconds"])
WORKING_DAY_HOURS: Decimal = Decimal(WORKING_DAY_SECONDS) / 3600


@dataclass(frozen=True)
class DossierStatus:
    """One dossier status of the national synchronisation scheme (a row of the status seed)."""

    code: int
    key: str  # stable English identifier, e.g. "withdrawn"
    name_vi: str
    name_en: str
    spreadsheet_label: str  # the label spreadsheet drops write, e.g. "Đã tiếp nhận"
    portal_status: str
    lifecycle_stage: str
    pauses_clock: bool
    ends_without_result: bool
    has_result: bool

    @property
    def is_final(self) -> bool:
        """The dossier has left the process: it has its result or ended without one."""
        return self.has_result or self.ends_without_result


def _flag(value: str, column: str) -> bool:
    if value not in ("true", "false"):
        raise ValueError(f"{DOSSIER_STATUSES_CSV.name}: {column} must be true or false, got {value!r}")
    return value == "true"


@lru_cache(maxsize=1)
def dossier_statuses() -> tuple[DossierStatus, ...]:
    """The statuses of the seed, in code order."""
    with DOSSIER_STATUSES_CSV.open(encoding="utf-8", newline="") as fh:
        statuses = [
            DossierStatus(
                code=int(row["status_code"]),
                key=row["status_key"],
                name_vi=row["status_name_vi"],
                name_en=row["status_name_en"],
                spreadsheet_label=row["spreadsheet_label"],
                portal_status=row["portal_status"],
                lifecycle_stage=row["lifecycle_stage"],
                pauses_clock=_flag(row["pauses_clock"], "pauses_clock"),
                ends_without_result=_flag(row["ends_without_result"], "ends_without_result"),
                has_result=_flag(row["has_result"], "has_result"),
            )
            for row in csv.DictReader(fh)
        ]
    return tuple(sorted(statuses, key=lambda status: status.code))


def status_code(key: str) -> int:
    """The code of the status whose ``key`` is given (e.g. ``status_code("withdrawn") == 7``)."""
    for status in dossier_statuses():
        if status.key == key:
            return status.code
    raise KeyError(f"no dossier status {key!r} in {DOSSIER_STATUSES_CSV.name}")
