"""Simulated evaluation service of the national public service portal (Cổng DVCQG, đánh giá 766).

The portal publishes, per province and period (year, quarter or month), one record per child
unit (sở, ban, ngành as ``AGENCY``; xã, phường as ``COMMUNE``) with its Decision 766 points.
This module serves that feed for Nghe An (portal province code ``H41``), consistent with the
dossiers the simulator generates (:func:`motcua_simulator.dossiers.dossiers_received`), or a
saved portal response (fixture mode). See ``docs/portal_feed.md``.

The portal's arithmetic is implemented here on purpose, independently of
:mod:`motcua.scoring` (which Motcua uses to RECOMPUTE the portal's points): a test comparing the
two would be circular if one imported the other. Rules, as the portal computes them:

* CKMB metrics: ``max x numerator / denominator``; TDGQ: ``20 x totalOnTime / totalReceived``;
* MDSH metrics: ``min(max, max x rate)``, except REUSED_DIGITIZED_DATA ``min(2, 2 x rate / 0.80)``;
  a metric published with null counters and a stated ratio is scored from the ratio;
* DOSSIER_RECEIVING_SATISFACTION ``min(6, 6 x rate / 0.90)``; each PETITION indicator 6 when its
  denominator is 0, else ``6 x rate``; classification metrics carry 0 points (score null);
* ONLINE and TTTT: three terms each, from the portal's named counters (public reverse
  engineering, see ``docs/decision_766.md``); the ONLINE counters are not published for child
  units, as on the portal;
* a denominator of 0 gives 0 points (except the PETITION indicators);
* every metric is rounded to 2 decimals half up, a group is the sum of its rounded metrics, the
  total the sum of the groups; every ``ratio`` is a percentage (0-100) rounded to 2 decimals.

Deliberate differences between the portal and Motcua's own counts (``injected_differences``):
in about 15 % of units some dossiers never reach the portal and the completion of some others
is not synchronised, so the portal's DOSSIER_SYNC is below 100 % and its dossier counters (TDGQ
first of all) differ from what Motcua computes from the dossiers themselves.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from motcua_simulator.clock import TABLE_END
from motcua_simulator.dossiers import (
    READY,
    REJECTED,
    RETURNED,
    STOPPED,
    WITHDRAWN,
    Dossier,
    SimulationProfile,
    dossiers_received,
)
from motcua_simulator.reference import REFORM_DATE, Unit, all_units, in_force
from motcua_simulator.workdays.deadlines import VN_TZ, working_hours_between

if TYPE_CHECKING:
    from fastapi import APIRouter

__all__ = [
    "INJECTED_UNIT_SHARE",
    "PERIOD_TYPES",
    "PORTAL_PROVINCE_CODE",
    "PORTAL_UNIT_MAP",
    "UNIT_MAP_COLUMNS",
    "PortalFixtureError",
    "PortalUnitMapping",
    "gso_code_for",
    "injected_differences",
    "load_portal_fixture",
    "methodology_for_period",
    "parse_period",
    "portal_code_for",
    "portal_evaluation",
    "portal_router",
    "tdgq_counters",
    "unit_map_rows",
    "write_unit_map_csv",
]

PORTAL_PROVINCE_CODE = "H41"  # Nghe An on the portal (the statistics office code is 40)
PROVINCE_NAME = "UBND tỉnh Nghệ An"
PROVINCE_GROUP = "PROVINCE"  # the province's own node: the parent of the portal API's trees
PERIOD_TYPES = ("month", "quarter", "year")
INJECTED_UNIT_SHARE = 0.15  # share of units with synchronisation trouble (own vs portal differences)
UNKNOWN_METRIC_CODE = "DIGITAL_SIGNATURE_RESULT"  # a metric the portal publishes ahead of Motcua's table
#: Simulated periods end by this day: the dossiers behind them keep changing for months, and the
#: simulator counts office time up to 2040 only (motcua_simulator.clock.TABLE_END).
SIMULATED_PERIODS_END = date(TABLE_END.year - 1, 1, 1)

# --- unit mapping (portal departmentCode <-> statistics office code) ----------------------------

DISTRICT_CODE_BASE = 21  # pre-2025 districts: H41.21 .. H41.40, by statistics office code
COMMUNE_CODE_BASE = 101  # 2025 communes: H41.101 .. H41.230, by statistics office code

UNIT_MAP_COLUMNS = ("portal_code", "portal_name", "gso_unit_code", "child_group", "valid_from", "valid_to")


class PortalUnitMapping(NamedTuple):
    """One row of the mapping table portal departmentCode <-> unit code (valid_to exclusive).

    ``gso_unit_code`` is the unit's code in Motcua's unit list: the statistics office code of a
    district or commune, or for a province agency (no GSO code) its QCVN 102 identifier."""

    portal_code: str
    portal_name: str
    gso_unit_code: str | None
    child_group: str  # AGENCY or COMMUNE
    valid_from: date | None
    valid_to: date | None


def _committee_name(unit: Unit) -> str:
    return f"UBND {unit.full_name[:1].lower()}{unit.full_name[1:]}"


def _build_unit_map() -> tuple[PortalUnitMapping, ...]:
    units = all_units()
    districts = sorted((u for u in units if u.level == "district"), key=lambda u: u.code)
    communes = sorted((u for u in units if u.level == "commune" and u.valid_from == REFORM_DATE), key=lambda u: u.code)
    # The province agencies the portal scores (the service centre settles nothing: not scored),
    # under the same code as in Motcua's unit list (seeds/reference/units__nghe_an_province_agencies.csv).
    agencies = sorted((u for u in units if u.level == "agency" and u.settles_dossiers), key=lambda u: u.code)
    rows = [PortalUnitMapping(u.code, u.name, u.code, "AGENCY", u.valid_from, u.valid_to) for u in agencies]
    rows += [
        PortalUnitMapping(
            f"{PORTAL_PROVINCE_CODE}.{DISTRICT_CODE_BASE + i}", _committee_name(u), u.code, "AGENCY", None, REFORM_DATE
        )
        for i, u in enumerate(districts)
    ]
    rows += [
        PortalUnitMapping(
            f"{PORTAL_PROVINCE_CODE}.{COMMUNE_CODE_BASE + i}", _committee_name(u), u.code, "COMMUNE", REFORM_DATE, None
        )
        for i, u in enumerate(communes)
    ]
    return tuple(rows)


#: The mapping table, deterministic: province agencies H41.01-H41.08 (from 1 July 2025, their unit
#: code is their portal code: they have no GSO code),
#: districts H41.21-H41.40 (until 30 June 2025), 2025 communes H41.101-... (from 1 July 2025).
PORTAL_UNIT_MAP: tuple[PortalUnitMapping, ...] = _build_unit_map()
_BY_PORTAL_CODE = {row.portal_code: row for row in PORTAL_UNIT_MAP}


def unit_map_rows() -> list[dict[str, str | None]]:
    """The mapping table as rows of strings (dates ISO, open ends None), for the warehouse."""
    return [
        {
            "portal_code": r.portal_code,
            "portal_name": r.portal_name,
            "gso_unit_code": r.gso_unit_code,
            "child_group": r.child_group,
            "valid_from": r.valid_from.isoformat() if r.valid_from else None,
            "valid_to": r.valid_to.isoformat() if r.valid_to else None,
        }
        for r in PORTAL_UNIT_MAP
    ]


def write_unit_map_csv(path: str | Path) -> Path:
    """Write the mapping table as UTF-8 CSV (header = UNIT_MAP_COLUMNS, nulls as empty)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=UNIT_MAP_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in unit_map_rows():
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return target


def _valid_on(row: PortalUnitMapping, on: date) -> bool:
    return (row.valid_from is None or row.valid_from <= on) and (row.valid_to is None or on < row.valid_to)


def portal_code_for(gso_unit_code: str, on: date) -> str | None:
    """The portal departmentCode of a GSO unit on a day (None when the portal does not list it)."""
    return next((r.portal_code for r in PORTAL_UNIT_MAP if r.gso_unit_code == gso_unit_code and _valid_on(r, on)), None)


def gso_code_for(portal_code: str) -> str | None:
    """The GSO unit code behind a portal departmentCode (None for departments and unknown codes)."""
    row = _BY_PORTAL_CODE.get(portal_code)
    return row.gso_unit_code if row else None


@lru_cache(maxsize=1)
def _units_by_code() -> dict[str, tuple[Unit, ...]]:
    by_code: dict[str, list[Unit]] = {}
    for unit in all_units():
        by_code.setdefault(unit.code, []).append(unit)
    return {code: tuple(units) for code, units in by_code.items()}


def _unit_for(row: PortalUnitMapping) -> Unit | None:
    """The unit version behind a portal row: its code, in force while the portal lists the row
    (a 2025 commune may reuse a predecessor's code)."""
    if row.gso_unit_code is None:
        return None
    listed_on = row.valid_from or (row.valid_to - timedelta(days=1) if row.valid_to else None)
    return next(
        (u for u in _units_by_code().get(row.gso_unit_code, ()) if listed_on is None or in_force(u, listed_on)),
        None,
    )


# --- periods and methodology -------------------------------------------------------------------


def parse_period(period_type: str, period: str) -> tuple[date, date]:
    """(first day, day after the last) of a period: month "2025-06", quarter "2025-Q2", year "2025"."""
    text = (period or "").strip().upper()
    try:
        if period_type == "month":
            year, month = (int(x) for x in text.split("-"))
            if not 1 <= month <= 12 or len(text) != 7:
                raise ValueError
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1)
        elif period_type == "quarter":
            year_text, quarter_text = text.split("-Q")
            year, quarter = int(year_text), int(quarter_text)
            if not 1 <= quarter <= 4 or len(year_text) != 4:
                raise ValueError
            start = date(year, 3 * quarter - 2, 1)
            end = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
        elif period_type == "year":
            if len(text) != 4:
                raise ValueError
            start, end = date(int(text), 1, 1), date(int(text) + 1, 1, 1)
        else:
            raise ValueError(f"period_type must be one of {', '.join(PERIOD_TYPES)}, got {period_type!r}")
    except ValueError as err:
        if str(err).startswith("period_type"):
            raise
        examples = {"month": "2025-06", "quarter": "2025-Q2", "year": "2025"}
        raise ValueError(f"period {period!r} is not a {period_type} like {examples[period_type]}") from None
    return start, end


# The portal's own indicator table (max points). Deliberately not read from Motcua's seed.
_CKMB = (
    ("PUBLISH_ON_TIME", "Tỷ lệ TTHC công bố đúng hạn", 6),
    ("PUBLIC_UPDATE_ON_TIME", "Tỷ lệ TTHC cập nhật, công khai đúng hạn", 4),
    ("PUBLIC_CONTENT_FULL", "Tỷ lệ TTHC công khai đầy đủ nội dung", 2),
    ("DOSSIER_SYNC", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", 6),
)
_MDSH_2022 = (
    ("ORIGINAL_RESULT_AVAILABLE", "Tỷ lệ hồ sơ TTHC có cấp kết quả giải quyết TTHC điện tử", 6),
    ("SO_HOA_GIAY_TO_GIAI_QUYET", "Tỷ lệ hồ sơ TTHC thực hiện số hóa hồ sơ", 4),
    ("REUSED_DIGITIZED_DATA", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", 2),
    (
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
        "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
        4,
    ),
    ("ELECTRONIC_CERTIFIED_COPY", "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính", 2),
)
_MDSH_2025 = (
    *_MDSH_2022[:4],
    ("CITIZEN_DATA_CONNECTED_DOSSIER", "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", 2),
    (
        "CITIZEN_DATA_CONNECTED_FORMALITY",
        "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ giải quyết TTHC",
        2,
    ),
    _MDSH_2022[4],
)
_MDHL = (
    ("DOSSIER_RECEIVING_SATISFACTION", "Mức độ hài lòng trong tiếp nhận, giải quyết TTHC", 6),
    ("PETITION_PROCESSING_ON_TIME", "Tỷ lệ phản ánh, kiến nghị xử lý đúng hạn", 6),
    ("PETITION_HANDLING_SATISFACTION", "Mức độ hài lòng trong xử lý phản ánh, kiến nghị", 6),
    ("PETITION_CLASSIFICATION_TTHC", "Phản ánh, kiến nghị về quy định, TTHC", 0),
    ("PETITION_CLASSIFICATION_STAFF", "Phản ánh, kiến nghị về cán bộ, công chức", 0),
)
_MAX = {"TDGQ": 20, "ONLINE": 12, "TTTT": 10}
_TARGETS = {"REUSED_DIGITIZED_DATA": Fraction(8, 10), "DOSSIER_RECEIVING_SATISFACTION": Fraction(9, 10)}
_METHODOLOGIES = (  # (version, first day, MDSH metrics)
    ("766-2022", date(2022, 8, 1), _MDSH_2022),
    ("766-2025", date(2025, 1, 1), _MDSH_2025),
)


def methodology_for_period(period_type: str, period: str) -> str:
    """The methodology version the portal applies to a period (the one in force on its last day)."""
    _, end = parse_period(period_type, period)
    return _methodology(end - timedelta(days=1))[0]


def _methodology(last_day: date) -> tuple[str, date, tuple[tuple[str, str, int], ...]]:
    chosen = None
    for entry in _METHODOLOGIES:
        if entry[1] <= last_day:
            chosen = entry
    if chosen is None:
        raise ValueError(f"the portal has no Decision 766 evaluation for periods ending before {_METHODOLOGIES[0][1]}")
    return chosen


# --- the portal's arithmetic -------------------------------------------------------------------


def _round2(value: Fraction) -> Fraction:
    """Round a non-negative value to 2 decimals, half up."""
    return Fraction(int(value * 100 + Fraction(1, 2)), 100)


def _num(value: Fraction | None) -> float | None:
    """A 2-decimal Fraction as a JSON number (shortest float repr: 19.94, not 19.9399...)."""
    return None if value is None else float(f"{float(value):.2f}")


def _rate(numerator: int, denominator: int) -> Fraction:
    return min(Fraction(1), Fraction(numerator, denominator))


def _metric_points(code: str, max_points: int, rate: Fraction) -> Fraction:
    target = _TARGETS.get(code)
    if target is not None:
        return min(Fraction(max_points), max_points * rate / target)
    return min(Fraction(max_points), max_points * rate)


def _metric(
    code: str,
    name: str,
    max_points: int,
    numerator: int,
    denominator: int,
    *,
    stated: bool = False,
    dq: tuple[str, str] | None = None,
) -> tuple[dict, Fraction]:
    """One metrics[] entry and its rounded points (0 for classification metrics)."""
    ratio = _round2(100 * Fraction(numerator, denominator)) if denominator else None
    if max_points == 0:  # classification: tracked, not scored
        points, score = Fraction(0), None
    elif denominator == 0:
        points = Fraction(max_points) if code.startswith("PETITION_") else Fraction(0)
        score = points
    elif stated:
        points = _round2(_metric_points(code, max_points, min(Fraction(1), ratio / 100)))
        score = points
    else:
        points = _round2(_metric_points(code, max_points, _rate(numerator, denominator)))
        score = points
    entry: dict[str, Any] = {
        "code": code,
        "name": name,
        "numerator": None if stated else numerator,
        "denominator": None if stated else denominator,
        "ratio": _num(ratio),
        "score": _num(score),
        "maxScore": max_points,
    }
    if dq is not None:
        entry["dataQualityStatus"], entry["dataQualityMessage"] = dq
    return entry, points


def _tdgq_points(on_time: int, received: int) -> Fraction:
    return _round2(20 * _rate(on_time, received)) if received else Fraction(0)


# --- deterministic randomness ------------------------------------------------------------------


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _draw(*parts: object) -> float:
    return _rng(*parts).random()


@dataclass(frozen=True)
class _UnitTraits:
    """Per-unit rates, stable across periods."""

    reuse_rate: float
    share_rate: float
    citizen_rate: float
    satisfaction_rate: float
    online_availability: float
    unsynced_rate: float  # 0 for units without synchronisation trouble
    stale_rate: float


def _traits(seed: int, portal_code: str) -> _UnitTraits:
    rng = _rng(seed, "portal-unit", portal_code)
    reuse, share, citizen = rng.uniform(0.45, 0.95), rng.uniform(0.6, 1.0), rng.uniform(0.7, 0.99)
    satisfaction, availability = rng.uniform(0.86, 0.995), rng.uniform(0.5, 1.0)
    troubled = _draw(seed, "portal-sync-trouble", portal_code) < INJECTED_UNIT_SHARE
    unsynced = rng.uniform(0.01, 0.04) if troubled else 0.0
    stale = rng.uniform(0.01, 0.03) if troubled else 0.0
    return _UnitTraits(reuse, share, citizen, satisfaction, availability, unsynced, stale)


# --- counters ----------------------------------------------------------------------------------

_TERMINAL = (READY, REJECTED, WITHDRAWN, STOPPED)


@dataclass
class _Counts:
    """Dossier-based counters of one unit and period, as one party (Motcua or the portal) sees them."""

    received: int = 0
    on_time: int = 0
    overdue: int = 0
    processing_hours: Fraction = Fraction(0)
    ready: int = 0
    electronic: int = 0
    digitised: int = 0
    reused: int = 0
    shared: int = 0
    citizen: int = 0
    eligible_online: int = 0
    online: int = 0
    fee_dossiers: int = 0
    paid_online: int = 0
    rated: int = 0
    satisfied: int = 0
    procedures: set[str] = field(default_factory=set)
    fee_procedures: set[str] = field(default_factory=set)
    paid_procedures: set[str] = field(default_factory=set)

    def tdgq(self) -> dict[str, Any]:
        return {
            "totalReceived": self.received,
            "totalOnTime": self.on_time,
            "totalOverdue": self.overdue,
            "avgProcessingDays": _num(_round2(self.processing_hours / 8 / self.ready)) if self.ready else None,
        }


def _first(dossier: Dossier, statuses: Iterable[int], before: datetime) -> datetime | None:
    wanted = set(statuses)
    return next((at for s, at in dossier.events if s in wanted and at < before), None)


def _add_dossier(
    counts: _Counts,
    d: Dossier,
    end_at: datetime,
    draws: list[float],
    traits: _UnitTraits,
    *,
    completion_synced: bool = True,
) -> None:
    """Count one dossier received in the period, as of the period's end ``end_at``."""
    counts.received += 1
    settled_at = _first(d, _TERMINAL, end_at) if completion_synced else None
    # Settled before the period's end: on time if by the due moment; still open: within time or overdue.
    on_time = (settled_at if settled_at is not None else end_at) <= d.appointment_due_at
    counts.on_time += on_time
    counts.overdue += not on_time
    ready_at = _first(d, (READY,), end_at) if completion_synced else None
    if ready_at is not None:
        counts.ready += 1
        counts.electronic += d.has_electronic_result
        hours = working_hours_between(d.received_at, ready_at, d.supplements)
        counts.processing_hours += Fraction(hours)
    counts.procedures.add(d.procedure.code)
    if d.is_digitised:
        counts.digitised += 1
        counts.reused += draws[2] < traits.reuse_rate
        counts.shared += draws[3] < traits.share_rate
    counts.citizen += draws[4] < traits.citizen_rate
    if d.procedure.online_level_legacy >= 3:
        counts.eligible_online += 1
        counts.online += d.channel == 2
    if d.procedure.fee_amount:
        counts.fee_dossiers += 1
        counts.fee_procedures.add(d.procedure.code)
        if d.paid_online:
            counts.paid_online += 1
            counts.paid_procedures.add(d.procedure.code)
    returned = _first(d, (RETURNED,), end_at) if completion_synced else None
    if returned is not None and draws[5] < 0.3:
        counts.rated += 1
        counts.satisfied += draws[6] < (0.55 if d.is_late else traits.satisfaction_rate)


def _days(start: date, end: date) -> Iterable[date]:
    day = start
    while day < end:
        yield day
        day += timedelta(days=1)


def _months(start: date, end: date) -> list[tuple[int, int]]:
    out, day = [], start
    while day < end:
        out.append((day.year, day.month))
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return out


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VN_TZ)


def _active_window(row: PortalUnitMapping, start: date, end: date) -> tuple[date, date]:
    first = max(start, row.valid_from) if row.valid_from else start
    last = min(end, row.valid_to) if row.valid_to else end
    return first, last


@dataclass
class _UnitView:
    own: _Counts
    portal: _Counts
    unsynced: list[str]
    stale: list[str]


def _dossier_view(
    row: PortalUnitMapping, unit: Unit, start: date, end: date, profile: SimulationProfile, traits: _UnitTraits
) -> _UnitView:
    own, portal = _Counts(), _Counts()
    unsynced: list[str] = []
    stale: list[str] = []
    end_at = _start_of(end)
    first, last = _active_window(row, start, end)
    for day in _days(first, last):
        for d in dossiers_received(unit, day, profile):
            rng = _rng(profile.seed, "portal-dossier", d.dossier_code)
            draws = [rng.random() for _ in range(7)]
            _add_dossier(own, d, end_at, draws, traits)
            if draws[0] < traits.unsynced_rate:
                unsynced.append(d.dossier_code)  # never reached the portal
                continue
            synced = not (draws[1] < traits.stale_rate and _first(d, _TERMINAL, end_at) is not None)
            if not synced:
                stale.append(d.dossier_code)  # the portal still sees it open
            _add_dossier(portal, d, end_at, draws, traits, completion_synced=synced)
    return _UnitView(own, portal, unsynced, stale)


# --- monthly synthetic items (publication, petitions, certified copies) ------------------------


@dataclass
class _Monthly:
    to_publish: int = 0
    published_on_time: int = 0
    to_update: int = 0
    updated_on_time: int = 0
    public: int = 0
    public_full: int = 0
    copies: int = 0
    copies_electronic: int = 0
    petitions: int = 0
    petitions_on_time: int = 0
    petitions_rated: int = 0
    petitions_satisfied: int = 0
    petitions_tthc: int = 0
    petitions_staff: int = 0


def _monthly(row: PortalUnitMapping, start: date, end: date, profile: SimulationProfile) -> _Monthly:
    out = _Monthly()
    first, last = _active_window(row, start, end)
    is_commune = row.child_group == "COMMUNE"
    for year, month in _months(first, last):
        rng = _rng(profile.seed, "portal-month", row.portal_code, f"{year}-{month:02d}")
        to_publish = rng.randint(1, 6)
        out.to_publish += to_publish
        out.published_on_time += sum(rng.random() < 0.92 for _ in range(to_publish))
        to_update = rng.randint(1, 8)
        out.to_update += to_update
        out.updated_on_time += sum(rng.random() < 0.88 for _ in range(to_update))
        public = rng.randint(40, 120)
        out.public += public
        out.public_full += public - sum(rng.random() < 0.03 for _ in range(public))
        copies = rng.randint(60, 400) if is_commune else rng.randint(5, 60)
        out.copies += copies
        out.copies_electronic += round(copies * rng.uniform(0.2, 0.95))
        petitions = sum(rng.random() < 0.25 for _ in range(4))  # 0..4, often 0
        out.petitions += petitions
        for _ in range(petitions):
            out.petitions_on_time += rng.random() < 0.85
            if rng.random() < 0.6:
                out.petitions_rated += 1
                out.petitions_satisfied += rng.random() < 0.8
            if rng.random() < 0.6:
                out.petitions_tthc += 1
            else:
                out.petitions_staff += 1
    return out


# --- records -----------------------------------------------------------------------------------

_SECTIONS = {
    "CKMB": "CKMB_CongKhaiMinhBach",
    "TDGQ": "TDGQ_TienDoGiaiQuyet",
    "ONLINE": "ONLINE_DichVuTrucTuyen",
    "TTTT": "TTTT_ThanhToanTrucTuyen",
    "MDSH": "MDSH_SoHoaHoSo",
    "MDHL": "MDHL_MucDoHaiLong",
}


def _section(metrics: list[tuple[dict, Fraction]]) -> tuple[dict, Fraction]:
    points = sum((p for _, p in metrics), Fraction(0))
    max_points = sum(m["maxScore"] for m, _ in metrics)
    ratio = _round2(100 * points / max_points) if max_points else None
    return {
        "score": _num(points),
        "maxScore": max_points,
        "ratio": _num(ratio),
        "metrics": [m for m, _ in metrics],
    }, points


def _connected(seed: int, procedure_code: str) -> bool:
    return _draw(seed, "portal-citizen-connected", procedure_code) < 0.75


# (max points, numerator counters, denominator counter, target rate or None): the portal's terms.
_ONLINE_TERMS = (
    (2, ("partialCount", "fullCount"), "authorityCount", Fraction(8, 10)),
    (4, ("onlineDossierCount",), "onlineServiceTotal", None),
    (6, ("channelOnlineSum",), "channelTotalSum", Fraction(5, 10)),
)
_TTTT_TERMS = (
    (6, ("totalDossierOnlinePaymentSuccess",), "totalDossierFinancialObligation", None),
    (2, ("totalDossierOnlineFormalityPaymentSuccess",), "totalFeeDossierFormalityDistinct", Fraction(8, 10)),
    (2, ("totalFeeDossierFormality",), "totalFeeFormality", Fraction(8, 10)),
)


def _composite_points(terms: tuple, counts: dict[str, int]) -> Fraction:
    """Sum of the terms, each rounded half up to 2 decimals; a zero denominator scores 0."""
    total = Fraction(0)
    for max_points, numerators, denominator, target in terms:
        if not counts[denominator]:
            continue
        rate = Fraction(sum(counts[name] for name in numerators), counts[denominator])
        points = max_points * rate / target if target else max_points * min(Fraction(1), rate)
        total += _round2(min(Fraction(max_points), points))
    return total


def _online_counters(c: _Counts, seed: int, code: str, availability: float) -> dict[str, int]:
    # Procedures in the unit's competence: those with dossiers plus some without any this period.
    authority = len(c.procedures) + round(len(c.procedures) * _draw(seed, "portal-idle-procedures", code) * 0.5)
    offered = round(authority * availability)
    full = round(offered * 0.6)
    return {
        "authorityCount": authority,
        "partialCount": offered - full,
        "fullCount": full,
        "onlineDossierCount": c.online,
        "onlineServiceTotal": c.eligible_online,
        "channelOnlineSum": c.online,
        "channelTotalSum": c.received,
    }


def _tttt_counters(c: _Counts, seed: int, code: str) -> dict[str, int]:
    # Fee-charging procedures: those with fee dossiers this period and some without any. On the
    # real portal totalFeeFormality equals totalFeeDossierFormalityDistinct on every node seen,
    # and totalFeeDossierFormality (undocumented) is a small share of them.
    fee_procedures = len(c.fee_procedures)
    fee_procedures += round(fee_procedures * _draw(seed, "portal-idle-fee-procedures", code) * 0.4)
    return {
        "totalDossierOnlinePaymentSuccess": c.paid_online,
        "totalDossierFinancialObligation": c.fee_dossiers,
        "totalDossierOnlineFormalityPaymentSuccess": len(c.paid_procedures),
        "totalFeeDossierFormalityDistinct": fee_procedures,
        "totalFeeDossierFormality": round(fee_procedures * _draw(seed, "portal-fee-dossier-formality", code) * 0.6),
        "totalFeeFormality": fee_procedures,
    }


@dataclass
class _Built:
    record: dict
    points: dict[str, Fraction]
    features: list[dict]


def _build_record(
    row: PortalUnitMapping,
    view: _UnitView,
    monthly: _Monthly,
    mdsh: tuple,
    period_key: str,
    profile: SimulationProfile,
    traits: _UnitTraits,
    include_unknown_metric: bool,
    force_unknown: bool = False,
) -> _Built:
    seed, code = profile.seed, row.portal_code
    c = view.portal
    features: list[dict] = []

    def feature(kind: str, metric: str, **extra: Any) -> None:
        features.append({"portal_code": code, "feature": kind, "metric": metric, **extra})

    # CKMB
    own_received = view.own.received
    sync_missing = len(view.unsynced) + len(view.stale)
    sync_dq = None
    if sync_missing:
        sync_dq = (
            "WARNING",
            f"{len(view.unsynced)} hồ sơ chưa đồng bộ và {len(view.stale)} hồ sơ chưa cập nhật "
            "trạng thái lên Cổng DVCQG",
        )
        feature("DATA_QUALITY_WARNING", "DOSSIER_SYNC")
    content_dq = None
    if _draw(seed, "portal-dq", code, period_key) < 0.1:
        content_dq = ("WARNING", "Số liệu công khai TTHC chưa được đơn vị xác nhận")
        feature("DATA_QUALITY_WARNING", "PUBLIC_CONTENT_FULL")
    ckmb_counts = {
        "PUBLISH_ON_TIME": (monthly.published_on_time, monthly.to_publish, None),
        "PUBLIC_UPDATE_ON_TIME": (monthly.updated_on_time, monthly.to_update, None),
        "PUBLIC_CONTENT_FULL": (monthly.public_full, monthly.public, content_dq),
        "DOSSIER_SYNC": (own_received - sync_missing, own_received, sync_dq),
    }
    ckmb = [_metric(m, name, mx, *ckmb_counts[m][:2], dq=ckmb_counts[m][2]) for m, name, mx in _CKMB]

    # TDGQ
    tdgq_points = _tdgq_points(c.on_time, c.received)
    tdgq = {
        **c.tdgq(),
        "ratio": _num(_round2(100 * Fraction(c.on_time, c.received))) if c.received else None,
        "score": _num(tdgq_points),
        "maxScore": _MAX["TDGQ"],
    }

    # ONLINE and TTTT: the formulas reverse-engineered from the portal (see docs/decision_766.md),
    # each term rounded half up on its own. The portal publishes no ONLINE counters for a child
    # unit, so neither does the simulator; TTTT's six counters are on every node of the portal's
    # payment tree, and here on every record.
    online_counts = _online_counters(c, seed, code, traits.online_availability)
    online_points = _composite_points(_ONLINE_TERMS, online_counts)
    online = {
        "score": _num(online_points),
        "maxScore": _MAX["ONLINE"],
        "ratio": _num(_round2(100 * Fraction(c.online, c.eligible_online))) if c.eligible_online else None,
        **(online_counts if row.child_group == PROVINCE_GROUP else {}),
    }

    tttt_counts = _tttt_counters(c, seed, code)
    tttt_points = _composite_points(_TTTT_TERMS, tttt_counts)
    tttt = {
        "score": _num(tttt_points),
        "maxScore": _MAX["TTTT"],
        "ratio": _num(_round2(100 * Fraction(c.paid_online, c.fee_dossiers))) if c.fee_dossiers else None,
        **tttt_counts,
    }

    # MDSH
    connected = sum(_connected(seed, p) for p in c.procedures)
    mdsh_counts = {
        "ORIGINAL_RESULT_AVAILABLE": (c.electronic, c.ready),
        "SO_HOA_GIAY_TO_GIAI_QUYET": (c.digitised, c.received),
        "REUSED_DIGITIZED_DATA": (c.reused, c.digitised),
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE": (c.shared, c.digitised),
        "CITIZEN_DATA_CONNECTED_DOSSIER": (c.citizen, c.received),
        "CITIZEN_DATA_CONNECTED_FORMALITY": (connected, len(c.procedures)),
        "ELECTRONIC_CERTIFIED_COPY": (monthly.copies_electronic, monthly.copies),
    }
    stated_metric = None
    if _draw(seed, "portal-stated", code, period_key) < 0.2:
        stated_metric = ("SYNCED_WITH_DVCQG_PERSONAL_STORAGE", "ELECTRONIC_CERTIFIED_COPY")[
            _draw(seed, "portal-stated-which", code, period_key) < 0.5
        ]
        if mdsh_counts[stated_metric][1] == 0:
            stated_metric = None
        else:
            feature("STATED_RATIO_ONLY", stated_metric)
    mdsh_metrics = [_metric(m, name, mx, *mdsh_counts[m], stated=m == stated_metric) for m, name, mx in mdsh]
    if include_unknown_metric and (_draw(seed, "portal-unknown", code, period_key) < 0.35 or force_unknown):
        unknown = _metric(UNKNOWN_METRIC_CODE, "Tỷ lệ kết quả giải quyết TTHC được ký số", 1, c.electronic, c.ready)
        mdsh_metrics.append(unknown)
        feature("UNKNOWN_METRIC", UNKNOWN_METRIC_CODE, score=unknown[0]["score"])

    # MDHL
    m = monthly
    mdhl_metrics = [
        _metric("DOSSIER_RECEIVING_SATISFACTION", _MDHL[0][1], 6, c.satisfied, c.rated),
        _metric("PETITION_PROCESSING_ON_TIME", _MDHL[1][1], 6, m.petitions_on_time, m.petitions),
        _metric("PETITION_HANDLING_SATISFACTION", _MDHL[2][1], 6, m.petitions_satisfied, m.petitions_rated),
        _metric("PETITION_CLASSIFICATION_TTHC", _MDHL[3][1], 0, m.petitions_tthc, m.petitions),
        _metric("PETITION_CLASSIFICATION_STAFF", _MDHL[4][1], 0, m.petitions_staff, m.petitions),
    ]
    for entry, _ in mdhl_metrics[1:3]:
        if entry["denominator"] == 0:
            feature("ZERO_DENOMINATOR_PETITION", entry["code"])

    ckmb_section, ckmb_points = _section(ckmb)
    mdsh_section, mdsh_points = _section(mdsh_metrics)
    mdhl_section, mdhl_points = _section(mdhl_metrics)
    mdhl_section = {**mdhl_section, "totalPetitions": m.petitions, "totalDossiers": c.rated}
    points = {
        "CKMB": ckmb_points,
        "TDGQ": tdgq_points,
        "ONLINE": online_points,
        "TTTT": tttt_points,
        "MDSH": mdsh_points,
        "MDHL": mdhl_points,
    }
    record = {
        "departmentId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"dichvucong.gov.vn/danhgia/{code}")),
        "departmentName": row.portal_name,
        "departmentCode": code,
        "childGroup": row.child_group,
        "totalScore": None,  # filled in with the ranks
        "ratio": None,
        "rank": None,
        "groupRank": None,
        "groupScores": {group: _num(value) for group, value in points.items()},
        "componentIndicators": {
            _SECTIONS["CKMB"]: ckmb_section,
            _SECTIONS["TDGQ"]: tdgq,
            _SECTIONS["ONLINE"]: online,
            _SECTIONS["TTTT"]: tttt,
            _SECTIONS["MDSH"]: mdsh_section,
            _SECTIONS["MDHL"]: mdhl_section,
        },
    }
    return _Built(record, points, features)


def _competition_ranks(items: list[tuple[Fraction, str]]) -> dict[str, int]:
    """Rank by score descending; ties share a rank (1, 2, 2, 4)."""
    ordered = sorted(items, key=lambda item: (-item[0], item[1]))
    ranks: dict[str, int] = {}
    for position, (score, code) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        ranks[code] = ranks[previous[1]] if previous and previous[0] == score else position
    return ranks


def _difference_entry(row: PortalUnitMapping, view: _UnitView, mdsh_codes: set[str]) -> dict | None:
    own, portal = view.own, view.portal
    if not view.unsynced and not view.stale:
        return None
    counters: dict[str, dict] = {
        "TDGQ": {"own": own.tdgq(), "portal": portal.tdgq()},
        "DOSSIER_SYNC": {
            "own": {"numerator": own.received, "denominator": own.received},
            "portal": {"numerator": own.received - len(view.unsynced) - len(view.stale), "denominator": own.received},
        },
        "ORIGINAL_RESULT_AVAILABLE": {
            "own": {"numerator": own.electronic, "denominator": own.ready},
            "portal": {"numerator": portal.electronic, "denominator": portal.ready},
        },
        "SO_HOA_GIAY_TO_GIAI_QUYET": {
            "own": {"numerator": own.digitised, "denominator": own.received},
            "portal": {"numerator": portal.digitised, "denominator": portal.received},
        },
        "TTTT": {
            "own": {"numerator": own.paid_online, "denominator": own.fee_dossiers},
            "portal": {"numerator": portal.paid_online, "denominator": portal.fee_dossiers},
        },
    }
    if "CITIZEN_DATA_CONNECTED_DOSSIER" in mdsh_codes:
        counters["CITIZEN_DATA_CONNECTED_DOSSIER"] = {
            "own": {"numerator": own.citizen, "denominator": own.received},
            "portal": {"numerator": portal.citizen, "denominator": portal.received},
        }
    own_rate = Fraction(own.on_time, own.received) if own.received else None
    portal_rate = Fraction(portal.on_time, portal.received) if portal.received else None
    return {
        "portal_code": row.portal_code,
        "gso_unit_code": row.gso_unit_code,
        "unit_name": row.portal_name,
        "kind": "UNSYNCED_DOSSIERS",
        "description": (
            f"{len(view.unsynced)} dossiers never reached the portal and {len(view.stale)} reached it without "
            "their completion: the portal's DOSSIER_SYNC is below 100 % and its dossier counters (TDGQ, MDSH, "
            "TTTT) differ from Motcua's own counts"
        ),
        "unsynced_dossiers": list(view.unsynced),
        "stale_dossiers": list(view.stale),
        "counters": counters,
        "points": {
            "TDGQ": {
                "own": _num(_tdgq_points(own.on_time, own.received)),
                "portal": _num(_tdgq_points(portal.on_time, portal.received)),
            },
            "DOSSIER_SYNC": {
                "own": 6.0 if own.received else 0.0,
                "portal": _num(_round2(6 * _rate(own.received - len(view.unsynced) - len(view.stale), own.received)))
                if own.received
                else 0.0,
            },
        },
        "on_time_rate_percent": {
            "own": _num(_round2(100 * own_rate)) if own_rate is not None else None,
            "portal": _num(_round2(100 * portal_rate)) if portal_rate is not None else None,
        },
    }


def _selected_rows(start: date, end: date, unit_codes: frozenset[str] | None) -> list[PortalUnitMapping]:
    rows = []
    for row in PORTAL_UNIT_MAP:
        if row.valid_from is not None and row.valid_from >= end:
            continue
        if row.valid_to is not None and row.valid_to <= start:
            continue
        if unit_codes is not None and row.gso_unit_code not in unit_codes and row.portal_code not in unit_codes:
            continue
        rows.append(row)
    return rows


def _check_province(province: str) -> str:
    if (province or "").strip().upper() != PORTAL_PROVINCE_CODE:
        raise ValueError(f"the simulator serves province {PORTAL_PROVINCE_CODE} (Nghệ An) only, got {province!r}")
    return PORTAL_PROVINCE_CODE


@lru_cache(maxsize=64)
def _evaluate(
    province: str,
    period_type: str,
    period: str,
    profile: SimulationProfile,
    unit_codes: frozenset[str] | None,
    include_unknown_metric: bool,
    as_of: date | None = None,
) -> tuple[dict, dict, dict]:
    province = _check_province(province)
    start, end = parse_period(period_type, period)
    if as_of is not None:
        # The portal is real time: a period still running is evaluated to date (through as_of).
        if as_of < start:
            raise ValueError(f"the period {period} starts after {as_of}: nothing to evaluate yet")
        end = min(end, as_of + timedelta(days=1))
    if end > SIMULATED_PERIODS_END:
        last = SIMULATED_PERIODS_END - timedelta(days=1)
        raise ValueError(f"the simulated portal has no evaluation for periods ending after {last}")
    _, _, mdsh = _methodology(end - timedelta(days=1))
    period_key = f"{period_type}:{start.isoformat()}"
    rows = _selected_rows(start, end, unit_codes)
    built: list[tuple[PortalUnitMapping, _Built]] = []
    differences: list[dict] = []
    features: list[dict] = []
    views: list[_UnitView] = []
    monthlies: list[_Monthly] = []
    mdsh_codes = {m[0] for m in mdsh}
    for position, row in enumerate(rows):
        traits = _traits(profile.seed, row.portal_code)
        unit = _unit_for(row)
        if unit is None:
            raise ValueError(f"portal unit {row.portal_code} has no unit in the reference data")
        view = _dossier_view(row, unit, start, end, profile, traits)
        monthly = _monthly(row, start, end, profile)
        views.append(view)
        monthlies.append(monthly)
        one = _build_record(
            row,
            view,
            monthly,
            mdsh,
            period_key,
            profile,
            traits,
            include_unknown_metric,
            force_unknown=position == 0,
        )
        built.append((row, one))
        features.extend(one.features)
        entry = _difference_entry(row, view, mdsh_codes)
        if entry is not None:
            differences.append(entry)

    max_total = sum(_MAX.values()) + 18 + sum(m[2] for m in mdsh) + 18  # + CKMB + MDSH + MDHL
    totals = {row.portal_code: sum(one.points.values(), Fraction(0)) for row, one in built}
    ranks = _competition_ranks([(t, code) for code, t in totals.items()])
    group_ranks: dict[str, int] = {}
    for group in ("AGENCY", "COMMUNE"):
        group_ranks.update(
            _competition_ranks([(totals[r.portal_code], r.portal_code) for r, _ in built if r.child_group == group])
        )
    records = []
    for row, one in built:
        total = totals[row.portal_code]
        one.record.update(
            totalScore=_num(total),
            ratio=_num(_round2(100 * total / max_total)),
            rank=ranks[row.portal_code],
            groupRank=group_ranks[row.portal_code],
        )
        records.append(one.record)
    records.sort(key=lambda r: (r["rank"], r["departmentCode"]))
    # The province's own node (the parent of the API's trees): its units' counters added up and
    # scored with the same arithmetic; the only node that publishes ONLINE's counters.
    province_row = PortalUnitMapping(province, PROVINCE_NAME, None, PROVINCE_GROUP, None, None)
    parent = _build_record(
        province_row,
        _sum_views(views),
        _sum_monthlies(monthlies),
        mdsh,
        period_key,
        profile,
        _traits(profile.seed, province),
        include_unknown_metric=False,
    )
    parent_total = sum(parent.points.values(), Fraction(0))
    parent.record.update(totalScore=_num(parent_total), ratio=_num(_round2(100 * parent_total / max_total)))
    response = {"provinceCode": province, "periodType": period_type, "period": period, "data": records}
    truth = {
        "provinceCode": province,
        "periodType": period_type,
        "period": period,
        "methodologyVersion": _methodology(end - timedelta(days=1))[0],
        "differences": differences,
        "features": features,
    }
    return response, truth, parent.record


def _sum_counts(parts: list[_Counts]) -> _Counts:
    total = _Counts()
    for part in parts:
        for name, value in vars(part).items():
            current = getattr(total, name)
            setattr(total, name, current | value if isinstance(value, set) else current + value)
    return total


def _sum_views(views: list[_UnitView]) -> _UnitView:
    return _UnitView(
        _sum_counts([v.own for v in views]),
        _sum_counts([v.portal for v in views]),
        [code for v in views for code in v.unsynced],
        [code for v in views for code in v.stale],
    )


def _sum_monthlies(monthlies: list[_Monthly]) -> _Monthly:
    total = _Monthly()
    for monthly in monthlies:
        for name, value in vars(monthly).items():
            setattr(total, name, getattr(total, name) + value)
    return total


def _args(
    province: str, period_type: str, period: str, profile: SimulationProfile | None, unit_codes: Iterable[str] | None
) -> tuple:
    if not period:
        raise ValueError("period is required, e.g. '2025-06', '2025-Q2' or '2025'")
    return (
        province,
        period_type,
        period.strip().upper(),
        profile or SimulationProfile(),
        None if unit_codes is None else frozenset(unit_codes),
    )


def portal_evaluation(
    province: str = PORTAL_PROVINCE_CODE,
    period_type: str = "month",
    period: str = "",
    profile: SimulationProfile | None = None,
    unit_codes: Iterable[str] | None = None,
    *,
    include_unknown_metric: bool = False,
) -> dict:
    """The portal's evaluation response for a province and period.

    ``{"provinceCode": "H41", "periodType": ..., "period": ..., "data": [record, ...]}``, one record
    per child unit listed in the period (districts until 30 June 2025; departments and 2025
    communes from 1 July 2025). ``unit_codes`` limits the units (GSO codes, or portal codes for
    the departments, which have no GSO code); ranks are computed among the units returned.
    ``include_unknown_metric`` adds a metric code Motcua's indicator table does not know.
    Raises ValueError for an unknown province, period type or malformed period.
    """
    response, _, _ = _evaluate(*_args(province, period_type, period, profile, unit_codes), include_unknown_metric)
    return copy.deepcopy(response)


def injected_differences(
    province: str = PORTAL_PROVINCE_CODE,
    period_type: str = "month",
    period: str = "",
    profile: SimulationProfile | None = None,
    unit_codes: Iterable[str] | None = None,
    *,
    include_unknown_metric: bool = False,
    as_of: date | None = None,
) -> dict:
    """The truth behind :func:`portal_evaluation` for the same arguments (``as_of``: a running
    period as the portal evaluated it through that day).

    ``differences``: one entry per unit whose portal counters differ from Motcua's own counts
    (kind ``UNSYNCED_DOSSIERS``), with the dossier codes involved and both sides' counters and
    points. ``features``: where the response carries a stated-ratio-only metric, a zero-denominator
    petition metric, a data-quality warning or an unknown metric code.
    """
    _, truth, _ = _evaluate(*_args(province, period_type, period, profile, unit_codes), include_unknown_metric, as_of)
    return copy.deepcopy(truth)


def tdgq_counters(unit: Unit, period_type: str, period: str, profile: SimulationProfile | None = None) -> dict:
    """Motcua's own TDGQ counters of a unit from its dossiers (what the portal shows when in sync)."""
    start, end = parse_period(period_type, period)
    profile = profile or SimulationProfile()
    row = next(r for r in PORTAL_UNIT_MAP if _unit_for(r) == unit)
    return _dossier_view(row, unit, start, end, profile, _traits(profile.seed, row.portal_code)).own.tdgq()


# --- fixture mode ------------------------------------------------------------------------------


class PortalFixtureError(ValueError):
    """A saved portal response does not have the evaluation service's top-level shape."""


def _validate_response(payload: object, source: str) -> dict:
    if not isinstance(payload, dict):
        raise PortalFixtureError(f"{source}: the response must be a JSON object")
    for key in ("provinceCode", "periodType", "period"):
        if not isinstance(payload.get(key), str) or not payload[key].strip():
            raise PortalFixtureError(f"{source}: {key} must be a non-empty string")
    if payload["periodType"] not in PERIOD_TYPES:
        raise PortalFixtureError(f"{source}: periodType must be one of {', '.join(PERIOD_TYPES)}")
    try:
        parse_period(payload["periodType"], payload["period"])
    except ValueError as err:
        raise PortalFixtureError(f"{source}: {err}") from None
    data = payload.get("data")
    if not isinstance(data, list):
        raise PortalFixtureError(f"{source}: data must be a list of child-unit records")
    for index, record in enumerate(data):
        if not isinstance(record, dict) or not isinstance(record.get("departmentCode"), str):
            raise PortalFixtureError(f"{source}: data[{index}] must be an object with a departmentCode")
    return payload


def load_portal_fixture(path: str | Path) -> dict:
    """Read a saved evaluation response (UTF-8 JSON) and check its top-level shape.

    Records are returned as saved (unknown fields and codes included): the parser in
    :mod:`motcua.scoring.portal` decides what a record means. Raises PortalFixtureError.
    """
    source = Path(path)
    try:
        payload = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as err:
        raise PortalFixtureError(f"{source}: cannot read a JSON response ({err})") from None
    return _validate_response(payload, str(source))


def _fixture_path(fixtures_dir: Path, province: str, period: str) -> Path | None:
    name = f"portal_{province}_{period}.json"
    for candidate in (fixtures_dir / name, fixtures_dir / name.lower()):
        if candidate.is_file():
            return candidate
    return None


# --- HTTP --------------------------------------------------------------------------------------


def portal_router(
    profile: SimulationProfile | None = None,
    unit_codes: Iterable[str] | None = None,
    fixtures_dir: str | Path | None = None,
) -> APIRouter:
    """A FastAPI router with ``GET /v1/portal/evaluations`` and ``GET /v1/portal/unit-map``.

    With ``fixtures_dir``, a saved response ``<fixtures_dir>/portal_<province>_<period>.json``
    (or its lower-case name) is served when present; otherwise the response is simulated.
    """
    from fastapi import APIRouter, HTTPException, Query

    from motcua_simulator import models

    profile = profile or SimulationProfile()
    codes = None if unit_codes is None else frozenset(unit_codes)
    directory = Path(fixtures_dir) if fixtures_dir is not None else None
    router = APIRouter(tags=["portal"])

    @router.get(
        "/v1/portal/evaluations",
        response_model=None,
        responses={
            200: {"model": models.PortalEvaluations},
            404: {"model": models.ErrorMessage, "description": "a province other than H41"},
            422: {"model": models.ValidationFailure, "description": "a bad period_type or period"},
            500: {"model": models.ErrorMessage, "description": "fixture mode: the saved response is broken"},
        },
    )
    def evaluations(
        province: str = Query(PORTAL_PROVINCE_CODE, description="Portal province code (H41 = Nghệ An)"),
        period_type: Literal["month", "quarter", "year"] = Query(
            ..., description="month, quarter or year", examples=["month"]
        ),
        period: str = Query(
            ...,
            description="2025-06, 2025-Q2 or 2025 (as period_type says)",
            pattern=r"^\s*[0-9]{4}(-[0-9]{2}|-[Qq][1-4])?\s*$",
            examples=["2025-06"],
        ),
    ) -> dict:
        """Decision 766 evaluation of the province's child units for the period (Cổng DVCQG)."""
        if period_type not in PERIOD_TYPES:
            raise HTTPException(status_code=422, detail=f"period_type must be one of {', '.join(PERIOD_TYPES)}")
        try:
            parse_period(period_type, period)
        except ValueError as err:
            raise HTTPException(status_code=422, detail=str(err)) from None
        if directory is not None:
            path = _fixture_path(directory, province.strip().upper(), period.strip().upper())
            if path is not None:
                try:
                    saved = load_portal_fixture(path)
                except PortalFixtureError as err:
                    raise HTTPException(status_code=500, detail=str(err)) from None
                if saved["periodType"] != period_type:
                    raise HTTPException(
                        status_code=422, detail=f"saved response {path.name} is for periodType {saved['periodType']}"
                    )
                return saved
        if province.strip().upper() != PORTAL_PROVINCE_CODE:
            raise HTTPException(status_code=404, detail=f"no evaluation for province {province!r}")
        try:
            return portal_evaluation(province, period_type, period, profile, codes)
        except ValueError as err:
            raise HTTPException(status_code=422, detail=str(err)) from None

    @router.get("/v1/portal/unit-map", response_model=None, responses={200: {"model": models.PortalUnitMap}})
    def unit_map() -> dict:
        """The mapping table portal departmentCode <-> statistics office unit code."""
        return {"items": unit_map_rows()}

    return router
