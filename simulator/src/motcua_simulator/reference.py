"""Reference data shipped with the project: Nghe An's administrative units (GSO codes).

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
# PROVINCE_CODE (GSO code, Nghệ An 40) and REFORM_DATE (1 July 2025) come from motcua.domain,
# which reads them from dbt_project.yml; they stay importable from here.


@dataclass(frozen=True)
class Unit:
    """An administrative unit that runs a one-stop department (bộ phận một cửa)."""

    code: str
    name: str
    full_name: str
    level: str  # "district" or "commune"
    parent_code: str  # district code before the reform, province code after
    valid_from: date | None
    valid_to: date | None  # exclusive


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
    return tuple(units)


def units_on(day: date) -> list[Unit]:
    """Units whose one-stop system operates on ``day`` (districts only before the reform)."""
    return [
        u
        for u in all_units()
        if (u.valid_from is None or u.valid_from <= day) and (u.valid_to is None or day < u.valid_to)
    ]


@lru_cache(maxsize=1)
def merges() -> tuple[tuple[str, str, str], ...]:
    """(new 2025 commune code, old commune code, merge type 'full'|'partial')."""
    return tuple((r["new_code"], r["old_code"], r["merge_type"]) for r in _read("nghe_an_commune_merges_2025"))


def area_units(district_code: str) -> set[str]:
    """A pre-reform district, its communes, and the 2025 communes that absorbed any of them."""
    old = {u.code for u in all_units() if u.parent_code == district_code and u.level == "commune"}
    new = {new for new, old_code, _ in merges() if old_code in old}
    return {district_code} | old | new
