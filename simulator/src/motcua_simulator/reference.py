"""Reference data shipped with the project: Nghe An's units (GSO codes) and province agencies.

The CSV files are dbt seeds (``dbt_project/seeds/reference``) copied unchanged from public
sources (listed in docs/reform_2025.md); this module reads the same files for the simulator, so the
warehouse and the simulated source systems agree on every unit. Production reads the units from
the warehouse (the seeds), never from here; ``motcua demo`` uses :func:`area_units` to choose the
units it simulates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from motcua.config import PROJECT_DIR
from motcua.domain import PROVINCE_CODE, REFORM_DATE

UNITS_DIR = PROJECT_DIR / "dbt_project" / "seeds" / "reference"
#: agency_type of the public administration service centre (Trung tâm Phục vụ hành chính công).
SERVICE_CENTRE = "service_centre"
# PROVINCE_CODE (GSO code, Nghệ An 40) and REFORM_DATE (1 July 2025) come from motcua.domain,
# which reads them from dbt_project.yml; they stay importable from here.


@dataclass(frozen=True)
class Unit:
    """An administrative unit that runs a one-stop department (bộ phận một cửa)."""

    code: str
    name: str
    full_name: str
    level: str  # "district", "commune" or "agency" (a province agency, cơ quan cấp tỉnh)
    parent_code: str  # district code before the reform, province code after and for agencies
    valid_from: date | None
    valid_to: date | None  # exclusive
    agency_type: str | None = None  # agencies: "department", "police" or "service_centre"

    @property
    def settles_dossiers(self) -> bool:
        """False for the service centre, which receives dossiers for the agencies and settles none."""
        return self.agency_type != SERVICE_CENTRE


def _read(name: str) -> list[dict[str, str]]:
    path: Path = UNITS_DIR / f"units__{name}.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@lru_cache(maxsize=1)
def all_units() -> tuple[Unit, ...]:
    units: list[Unit] = []
    for row in _read("nghe_an_districts_pre2025"):
        units.append(Unit(row["code"], row["name"], row["full_name"], "district", PROVINCE_CODE, None, REFORM_DATE))
    for row in _read("nghe_an_communes_pre2025"):
        units.append(
            Unit(row["code"], row["name"], row["full_name"], "commune", row["district_code"], None, REFORM_DATE)
        )
    for row in _read("nghe_an_communes_2025"):
        units.append(Unit(row["code"], row["name"], row["full_name"], "commune", PROVINCE_CODE, REFORM_DATE, None))
    for row in _read("nghe_an_province_agencies"):
        units.append(
            Unit(
                row["code"],
                row["name"],
                row["full_name"],
                "agency",
                row["province_code"],
                _day(row["valid_from"]),
                _day(row["valid_to"]),
                row["agency_type"],
            )
        )
    return tuple(units)


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@lru_cache(maxsize=1)
def service_centre() -> Unit | None:
    """The province's public administration service centre, if the unit list has one."""
    return next((u for u in all_units() if u.agency_type == SERVICE_CENTRE), None)


def in_force(unit: Unit, day: date) -> bool:
    """Whether ``unit`` exists on ``day`` (its validity, ``valid_to`` exclusive)."""
    return (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to)


def units_on(day: date) -> list[Unit]:
    """Units whose one-stop system serves dossiers on ``day``: districts and communes before the
    reform; communes and the province agencies after it. The service centre serves none (the
    agencies' feeds serve the dossiers it received for them)."""
    return [u for u in all_units() if in_force(u, day) and u.settles_dossiers]


@lru_cache(maxsize=1)
def merges() -> tuple[tuple[str, str, str], ...]:
    """(new 2025 commune code, old commune code, merge type 'full'|'partial')."""
    return tuple((r["new_code"], r["old_code"], r["merge_type"]) for r in _read("nghe_an_commune_merges_2025"))


# The merge table's questions, answered in one place (a 2025 commune may reuse an old commune's
# code, so each function says which side of the reform its codes are on).


def communes_of_district(district_code: str) -> frozenset[str]:
    """The communes of a district before the reform."""
    return frozenset(
        u.code
        for u in all_units()
        if u.level == "commune" and u.valid_to == REFORM_DATE and u.parent_code == district_code
    )


@lru_cache(maxsize=1024)
def successors(abolished_code: str, level: str) -> frozenset[str]:
    """The 2025 communes that took an abolished unit, whole or in part: an old commune's merge
    rows; for a district, those of its communes."""
    old = communes_of_district(abolished_code) if level == "district" else {abolished_code}
    return frozenset(new for new, old_code, _ in merges() if old_code in old)


@lru_cache(maxsize=256)
def predecessors(commune_2025_code: str) -> frozenset[str]:
    """The old communes a 2025 commune was formed from (whole or in part)."""
    return frozenset(old for new, old, _ in merges() if new == commune_2025_code)


@lru_cache(maxsize=256)
def former_districts(commune_2025_code: str) -> frozenset[str]:
    """The districts whose communes formed a 2025 commune (one, or two across a border)."""
    district_of = {u.code: u.parent_code for u in all_units() if u.level == "commune" and u.valid_to == REFORM_DATE}
    return frozenset(district_of[old] for old in predecessors(commune_2025_code) if old in district_of)


def area_units(district_code: str) -> set[str]:
    """A pre-reform district, its communes, and the 2025 communes that absorbed any of them."""
    return {district_code} | set(communes_of_district(district_code)) | set(successors(district_code, "district"))
