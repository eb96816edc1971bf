"""Deterministic generation of dossiers (hồ sơ) and their status history.

A dossier is generated whole (every status change it will ever have) from a seed, the unit,
its receipt day and its sequence number, so any date range can be served in any order and
served again identically. What a feed returns at a moment ``as_of`` is the dossier's state at
that moment: the same dossier read again later comes back with a higher ``version``, which is
exactly the "late update" a real one-stop system produces.

Realism (see docs/simulator.md for the calibration and its sources):

- every staff event (intake, processing, supplement request, result, return, apology letter)
  falls inside office hours (07:00-11:30, 13:30-17:00, UTC+7) on a working day of the holiday
  calendar; only online submissions (status 1) arrive at any hour, also on days off;
- volumes: a district of Quynh Luu's size receives ~17,000 district-level dossiers a year;
  merged 2025 communes 40-50 a working day for the large ones;
- late dossiers are a fraction of a percent; 90-100 % of them get an apology letter;
- online share grows by year (about 20 % in 2018 to 50 % in 2025) and only for procedures
  whose online level (in force on the day) allows online submission; postal 2-10 %;
- digitisation ~82 %, online payment ~94 % of fee-paying online dossiers.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache, lru_cache
from itertools import accumulate, pairwise

from motcua.domain import status_code
from motcua_simulator.catalogue import Procedure, procedures_in_force
from motcua_simulator.clock import (
    MINUTES_PER_WORKING_DAY,
    add_working_days,
    any_moment,
    is_working_day,
    office_after,
    random_office_moment,
    rng_for,
    unit_random,
    working_seconds_between,
)
from motcua_simulator.reference import REFORM_DATE, Unit, in_force, service_centre
from motcua_simulator.workdays.deadlines import VN_TZ

# Status codes of the national synchronisation scheme (see docs/feed_contract.md), by key from the
# status seed that owns them (dbt_project/seeds/reference/dossier_statuses.csv).
SUBMITTED, RECEIVED, REJECTED, IN_PROCESS, SUPPLEMENT, AWAITING_FEE, WITHDRAWN, STOPPED, READY, RETURNED = (
    status_code(key)
    for key in (
        "submitted",
        "received",
        "rejected_at_intake",
        "in_process",
        "supplement_requested",
        "awaiting_fee",
        "withdrawn",
        "stopped",
        "result_ready",
        "result_returned",
    )
)

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Thái")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đình", "Xuân", "Minh", "Thanh", "Quốc", "Ngọc", "Thu")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Chung",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hiệp",
    "Hoa",
    "Hùng",
    "Hương",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
)

#: Approximate population (thousands, 2019 census, rounded) of Nghe An's district-level units:
#: district volumes are proportional to it, Quynh Luu (~285k) receiving ~17,300 a year.
DISTRICT_POPULATION_K = {
    "412": 340,
    "414": 70,
    "415": 70,
    "416": 60,
    "417": 78,
    "418": 77,
    "419": 134,
    "420": 128,
    "421": 285,
    "422": 73,
    "423": 139,
    "424": 113,
    "425": 287,
    "426": 283,
    "427": 203,
    "428": 228,
    "429": 190,
    "430": 160,
    "431": 120,
    "432": 112,
}
QUYNH_LUU_POPULATION_K = 285

#: Online share of dossiers by year (DVCTT take-up): ~20 % in 2018, ~50 % in 2025.
ONLINE_SHARE_BY_YEAR: tuple[tuple[int, float], ...] = (
    (2016, 0.08),
    (2017, 0.13),
    (2018, 0.20),
    (2019, 0.24),
    (2020, 0.29),
    (2021, 0.34),
    (2022, 0.39),
    (2023, 0.43),
    (2024, 0.47),
    (2025, 0.50),
    (2026, 0.52),
)


@dataclass(frozen=True)
class SimulationProfile:
    """Volumes and rates, calibrated to published press reports (see docs/simulator.md)."""

    seed: int = 20250701
    scale: float = 1.0
    # Dossiers per working day. Districts: proportional to population, Quynh Luu (17,334 in
    # 2017 over ~248 working days) ~70; ``district_daily`` is the mean for units without a
    # population figure. Communes before the reform far fewer; merged communes 40-50 a day.
    district_daily: float = 17_334 / 248
    commune_daily_pre_reform: float = 10.0
    commune_daily_post_reform: float = 38.0
    late_rate: float = 0.003  # Quynh Luu 2017: 36 late of 17,334 (0.21 %); Nam Hung: 99.73 % on time
    apology_rate: float = 0.95  # share of late dossiers that get an apology letter (target 100 %)
    supplement_rate: float = 0.04
    rejected_rate: float = 0.01
    withdrawn_rate: float = 0.005
    digitised_rate: float = 0.82  # Nam Giang: 82 % of dossiers digitised
    online_payment_rate: float = 0.94  # Nam Giang: ~94 % of online fee-paying dossiers paid online
    direct_online_payment_rate: float = 0.15  # direct/postal dossiers paid by transfer or QR
    electronic_result_rate: float = 0.7
    postal_share_range: tuple[float, float] = (0.02, 0.10)
    weekend_online_factor: float = 0.25  # online submissions on a day off vs a working day
    online_share_by_year: tuple[tuple[int, float], ...] = ONLINE_SHARE_BY_YEAR
    # Post-reform dossiers lodged in person or by post at another commune's desk (Decree
    # 118/2025). No public figure yet; a few percent, as desks near a commune border see.
    lodged_elsewhere_rate: float = 0.05
    # A province agency (sở, the police) settles province-level procedures: a few dozen dossiers
    # a working day for the larger ones (the portal lists them from 1 July 2025).
    agency_daily: float = 12.0
    # Share of an agency's dossiers lodged in person or by post that the public administration
    # service centre receives for it (Decree 118/2025); the rest at the agency's own desk.
    service_centre_rate: float = 0.9


@dataclass
class Dossier:
    """A dossier's whole life; :meth:`as_of` gives what a feed shows at a moment."""

    dossier_code: str
    unit: Unit
    procedure: Procedure
    channel: int
    received_at: datetime
    appointment_due_at: datetime
    events: list[tuple[int, datetime]]
    supplements: list[tuple[datetime, datetime]]
    is_digitised: bool
    has_electronic_result: bool
    paid_online: bool
    apology_letter_at: datetime | None
    applicant: dict[str, str]
    extra: dict = field(default_factory=dict)
    #: Since the 2025 reform a citizen may lodge a dossier at any one-stop desk of the province
    #: (Decree 118/2025): the desk that received it, when not the competent unit's own, and the
    #: moment it handed the dossier over (the competent unit's first action on it).
    receiving_unit: Unit | None = None
    transferred_at: datetime | None = None
    #: At the 2025 reform an abolished unit's open dossiers were re-assigned to a successor,
    #: which settles them: from that moment the record names the successor as its unit, and
    #: the successor's feed serves it.
    handed_over_to: Unit | None = None
    handed_over_at: datetime | None = None

    @property
    def first_seen_at(self) -> datetime:
        return self.events[0][1]

    def _other_changes(self) -> list[datetime]:
        """Changes that are not status events (one version each)."""
        return [at for at in (self.apology_letter_at, self.handed_over_at) if at is not None]

    @property
    def last_change_at(self) -> datetime:
        return max([self.events[-1][1], *self._other_changes()])

    def change_times(self) -> list[datetime]:
        """Every moment the record changed (one version each), in order."""
        return sorted([at for _, at in self.events] + self._other_changes())

    def competent_unit_at(self, as_of: datetime) -> Unit:
        """The unit that holds (and settles) the dossier at ``as_of``."""
        if self.handed_over_to is not None and self.handed_over_at is not None and self.handed_over_at <= as_of:
            return self.handed_over_to
        return self.unit

    @property
    def is_late(self) -> bool:
        ready = next((at for s, at in self.events if s == READY), None)
        return ready is not None and ready > self.appointment_due_at

    def version_as_of(self, as_of: datetime) -> int:
        return sum(1 for at in self.change_times() if at <= as_of)

    def updated_at_as_of(self, as_of: datetime) -> datetime:
        return max(at for at in self.change_times() if at <= as_of)

    def as_of(self, as_of: datetime) -> dict | None:
        """The feed record at ``as_of``, or None if the dossier did not exist yet."""
        history = [(s, at) for s, at in self.events if at <= as_of]
        if not history:
            return None
        status = history[-1][0]

        def at_status(code: int) -> datetime | None:
            return next((at for s, at in history if s == code), None)

        finished = status in (READY, RETURNED)
        competent = self.competent_unit_at(as_of)
        handed_over = competent is not self.unit
        return {
            "dossier_code": self.dossier_code,
            "version": self.version_as_of(as_of),
            "updated_at": self.updated_at_as_of(as_of).isoformat(),
            "unit_code": competent.code,
            "unit_level": competent.level,
            "receiving_unit_code": (self.receiving_unit or self.unit).code,
            "transferred_at": _iso(
                self.transferred_at if self.transferred_at and self.transferred_at <= as_of else None
            ),
            "handed_over_from_unit_code": self.unit.code if handed_over else None,
            "handed_over_from_unit_level": self.unit.level if handed_over else None,
            "handed_over_at": _iso(self.handed_over_at if handed_over else None),
            "procedure_code": self.procedure.code,
            "procedure_name": self.procedure.name,
            "field_code": self.procedure.field_code,
            "field_name": self.procedure.field_name,
            "channel": self.channel,
            "status": status,
            "received_at": self.received_at.isoformat(),
            "appointment_due_at": self.appointment_due_at.isoformat(),
            "statutory_working_days": self.procedure.statutory_working_days,
            "completed_at": _iso(at_status(READY)),
            "returned_at": _iso(at_status(RETURNED)),
            "status_history": [{"status": s, "at": at.isoformat()} for s, at in history],
            "supplement_requests": [
                {"requested_at": a.isoformat(), "received_at": _iso(b if b <= as_of else None)}
                for a, b in self.supplements
                if a <= as_of
            ],
            "is_digitised": self.is_digitised,
            "has_electronic_result": self.has_electronic_result and finished,
            "fee_amount": self.procedure.fee_amount,
            "paid_online": self.paid_online if self.procedure.fee_amount else False,
            "apology_letter_issued_at": _iso(
                self.apology_letter_at if self.apology_letter_at and self.apology_letter_at <= as_of else None
            ),
            "applicant": self.applicant,
        }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


_rng = rng_for  # backwards compatible name


def agency_identifier(unit: Unit) -> str:
    """A QCVN 102:2016-shaped agency identifier for the unit (simulated, ``H41`` = Nghe An)."""
    if unit.level == "agency":  # H41.01 -> 000.00.01.H41 (districts' numbers start at 12)
        return f"000.00.{int(unit.code.rsplit('.', 1)[1]):02d}.H41"
    number = int(unit.code)
    if unit.level == "district":
        return f"000.00.{number % 100:02d}.H41"
    return f"000.{number % 100:02d}.{(number // 100) % 100:02d}.H41"


def unit_size(unit: Unit, profile: SimulationProfile) -> float:
    """Relative size of a unit, stable across days (districts by population)."""
    if unit.level == "district" and unit.code in DISTRICT_POPULATION_K:
        return DISTRICT_POPULATION_K[unit.code] / QUYNH_LUU_POPULATION_K
    rng = rng_for(profile.seed, "size", unit.code)
    if unit.level == "district":
        return 0.4 + 0.6 * rng.random()
    if unit.level == "agency":
        return 0.4 + 1.6 * rng.random()
    if unit.valid_from is not None:  # merged 2025 commune
        return 0.6 + 0.7 * rng.random()
    return 0.5 + rng.random()


def daily_mean(unit: Unit, day: date, profile: SimulationProfile) -> float:
    """Mean number of dossiers received on a working day."""
    if not unit.settles_dossiers:
        return 0.0
    if unit.level == "district":
        base = profile.district_daily
    elif unit.level == "agency":
        base = profile.agency_daily
    elif unit.valid_from is not None:
        base = profile.commune_daily_post_reform
    else:
        base = profile.commune_daily_pre_reform
    return base * unit_size(unit, profile) * profile.scale


_daily_mean = daily_mean  # backwards compatible name


def online_share(year: int, profile: SimulationProfile) -> float:
    """Target online share of all dossiers in ``year`` (interpolated between table years)."""
    table = profile.online_share_by_year
    if year <= table[0][0]:
        return table[0][1]
    for (y0, s0), (y1, s1) in pairwise(table):
        if y0 <= year <= y1:
            return s0 + (s1 - s0) * (year - y0) / (y1 - y0)
    return table[-1][1]


def _poisson(rng: random.Random, mean: float) -> int:
    # Normal approximation above 30 keeps generation fast for the volumes here.
    if mean <= 0:
        return 0
    if mean < 30:
        count, threshold, product = 0, math.exp(-mean), rng.random()
        while product > threshold:
            count += 1
            product *= rng.random()
        return count
    return max(0, round(rng.gauss(mean, mean**0.5)))


def _catalogue_level(unit: Unit) -> str:
    # After 1 July 2025 communes also handle what district one-stop departments handled
    # (those procedures were transferred to commune level in the catalogue). The catalogue does
    # not say which agency settles which province-level procedure: each draws from all of them.
    return {"commune": "commune", "agency": "province"}.get(unit.level, "district")


@dataclass(frozen=True)
class _Menu:
    procedures: tuple[Procedure, ...]
    cum_weights: tuple[float, ...]
    online_cum_weights: tuple[float, ...]
    online_procedures: tuple[Procedure, ...]
    eligible_fraction: float


@lru_cache(maxsize=512)
def _menu_cached(level: str, epoch_day: date) -> _Menu:
    procedures = procedures_in_force(level, epoch_day)
    weights = [p.share for p in procedures]
    online = tuple(p for p in procedures if p.online_level_legacy >= 3)
    total = sum(weights) or 1.0
    eligible = sum(p.share for p in online) / total
    return _Menu(procedures, tuple(accumulate(weights)), tuple(accumulate(p.share for p in online)), online, eligible)


def _menu(level: str, day: date) -> _Menu:
    from motcua_simulator.catalogue import _change_days

    days = _change_days()
    index = bisect_right(days, day)
    return _menu_cached(level, days[index - 1] if index else days[0])


def _procedures_for_unit(unit: Unit, day: date | None = None) -> tuple[Procedure, ...]:
    return _menu(_catalogue_level(unit), day or (unit.valid_from or REFORM_DATE - timedelta(days=1))).procedures


def _mix(unit: Unit, profile: SimulationProfile) -> tuple[float, float]:
    """Per-unit online factor and postal share, stable across days."""
    rng = rng_for(profile.seed, "mix", unit.code)
    low, high = profile.postal_share_range
    return 0.75 + 0.5 * rng.random(), low + (high - low) * rng.random()


@lru_cache(maxsize=200_000)
def day_count(unit: Unit, day: date, profile: SimulationProfile) -> int:
    """How many dossiers ``unit`` received on ``day`` (cheap: no lifecycle is generated)."""
    if not in_force(unit, day):
        return 0
    rng = rng_for(profile.seed, unit.code, day.isoformat())
    mean = daily_mean(unit, day, profile)
    if not is_working_day(day):
        mean *= online_share(day.year, profile) * profile.weekend_online_factor
    return _poisson(rng, mean)


def generate_dossier(unit: Unit, day: date, seq: int, profile: SimulationProfile) -> Dossier:
    """The ``seq``-th dossier (1-based) ``unit`` received on ``day``; depends on nothing else."""
    rng = rng_for(profile.seed, unit.code, day.isoformat(), seq)
    menu = _menu(_catalogue_level(unit), day)
    online_factor, postal_share = _mix(unit, profile)
    if is_working_day(day):
        procedure = rng.choices(menu.procedures, cum_weights=menu.cum_weights)[0]
        eligible = procedure.online_level_legacy >= 3
        p_online = min(0.97, online_share(day.year, profile) * online_factor / max(menu.eligible_fraction, 0.05))
        draw = rng.random()
        channel = 2 if eligible and draw < p_online else 3 if rng.random() < postal_share else 1
        if channel == 2:
            received_at = any_moment(rng, day) if rng.random() < 0.35 else random_office_moment(rng, day)
        else:
            received_at = random_office_moment(rng, day)
    else:  # a day off: only online submissions
        if menu.online_procedures:
            procedure = rng.choices(menu.online_procedures, cum_weights=menu.online_cum_weights)[0]
        else:  # pragma: no cover - the catalogue always has online procedures
            procedure = menu.procedures[0]
        channel = 2
        received_at = any_moment(rng, day)
    dossier = _lifecycle(rng, unit, procedure, channel, received_at, seq, profile)
    dossier = _lodged_elsewhere(dossier, day, seq, profile)
    dossier = _received_at_service_centre(dossier, day, seq, profile)
    return _handed_over_at_reform(dossier, day, seq, profile)


def reform_instant() -> datetime:
    """00:00 on 1 July 2025, local time: the abolished units' systems hand over their open dossiers."""
    return datetime.combine(REFORM_DATE, datetime.min.time(), VN_TZ)


def _handed_over_at_reform(dossier: Dossier, day: date, seq: int, profile: SimulationProfile) -> Dossier:
    """A dossier of an abolished unit still open at the reform moves to one of the unit's
    successors (an old commune's 2025 commune, one of them when it was split; a district's
    dossier to a 2025 commune that took part of the district), keeping its history and its
    appointment. Drawn from a stream of its own, like the desk above."""
    moment = reform_instant()
    if dossier.unit.valid_to != REFORM_DATE or dossier.first_seen_at >= moment:
        return dossier
    if any(status in (READY, REJECTED, WITHDRAWN) and at < moment for status, at in dossier.events):
        return dossier  # settled or closed before the reform: stays with the old unit
    successors = _successors(dossier.unit.code, dossier.unit.level)
    if not successors:
        return dossier
    rng = rng_for(profile.seed, "handover", dossier.unit.code, day.isoformat(), seq)
    dossier.handed_over_to = rng.choice(successors)
    dossier.handed_over_at = moment
    return dossier


@cache
def _successors(code: str, level: str) -> tuple[Unit, ...]:
    """The 2025 communes an abolished commune merged into, or that took part of a district."""
    from motcua_simulator.reference import all_units, successors

    codes = successors(code, level)
    return tuple(
        sorted(
            (u for u in all_units() if u.level == "commune" and u.valid_from == REFORM_DATE and u.code in codes),
            key=lambda u: u.code,
        )
    )


@cache
def handover_sources(code: str) -> tuple[Unit, ...]:
    """The abolished units that may hand dossiers to the 2025 commune ``code``."""
    from motcua_simulator.reference import all_units, former_districts, predecessors

    olds, districts = predecessors(code), former_districts(code)
    return tuple(
        u
        for u in all_units()
        if u.valid_to == REFORM_DATE
        and ((u.level == "commune" and u.code in olds) or (u.level == "district" and u.code in districts))
    )


def _lodged_elsewhere(dossier: Dossier, day: date, seq: int, profile: SimulationProfile) -> Dossier:
    """After the reform, a share of the dossiers lodged in person or by post reach the competent
    commune through another commune's desk (Decree 118/2025: reception regardless of
    administrative boundaries). Drawn from a stream of its own, so the rest of the dossier (and
    every dossier generated before this rule existed) is unchanged."""
    if day < REFORM_DATE or dossier.channel == 2 or dossier.unit.level != "commune":
        return dossier
    # The cheap draw first: most dossiers are lodged at their own commune's desk.
    if unit_random(profile.seed, "lodged-elsewhere", dossier.unit.code, day.isoformat(), seq) >= (
        profile.lodged_elsewhere_rate
    ):
        return dossier
    rng = rng_for(profile.seed, "lodged-elsewhere", dossier.unit.code, day.isoformat(), seq)
    # Mostly a neighbour's desk (a commune that took part of the same former district), else any.
    neighbours = _neighbour_desks(dossier.unit.code)
    if neighbours and rng.random() < 0.8:
        desk = rng.choice(neighbours)
    else:
        desk = rng.choice([u for u in _communes_on(day) if u.code != dossier.unit.code])
    return _received_at_desk(dossier, desk)


def _received_at_desk(dossier: Dossier, desk: Unit) -> Dossier:
    """The dossier as received at another unit's ``desk``, which hands it over when the competent
    unit first acts on it (processing, or the rejection)."""
    dossier.receiving_unit = desk
    dossier.transferred_at = dossier.events[1][1]
    return dossier


def _received_at_service_centre(dossier: Dossier, day: date, seq: int, profile: SimulationProfile) -> Dossier:
    """Most of a province agency's dossiers lodged in person or by post are received at the
    province's public administration service centre, which hands them to the agency: its first
    action is when it has them. Drawn from a stream of its own, as the desk above."""
    if dossier.unit.level != "agency" or dossier.channel == 2:
        return dossier
    centre = service_centre()
    if centre is None or not in_force(centre, day):
        return dossier
    if unit_random(profile.seed, "service-centre", dossier.unit.code, day.isoformat(), seq) >= (
        profile.service_centre_rate
    ):
        return dossier
    return _received_at_desk(dossier, centre)


@cache
def _neighbour_desks(code: str) -> tuple[Unit, ...]:
    """The 2025 communes that absorbed communes of a former district that ``code`` also did."""
    from motcua_simulator.reference import all_units, former_districts

    mine = former_districts(code)
    return tuple(
        sorted(
            (
                u
                for u in all_units()
                if u.level == "commune"
                and u.valid_from is not None
                and u.code != code
                and former_districts(u.code) & mine
            ),
            key=lambda u: u.code,
        )
    )


@lru_cache(maxsize=64)
def _communes_on(day: date) -> tuple[Unit, ...]:
    from motcua_simulator.reference import units_on

    return tuple(u for u in units_on(day) if u.level == "commune")


@lru_cache(maxsize=4096)
def dossiers_received(unit: Unit, day: date, profile: SimulationProfile) -> tuple[Dossier, ...]:
    """Every dossier ``unit`` received on ``day``, in a deterministic order."""
    return tuple(generate_dossier(unit, day, seq, profile) for seq in range(1, day_count(unit, day, profile) + 1))


@lru_cache(maxsize=200_000)
def day_index(unit: Unit, day: date, profile: SimulationProfile) -> tuple[float, ...]:
    """Last-change time (epoch seconds) of each dossier received on ``day``, by sequence.

    Kept small so a long look-back only regenerates dossiers still changing in the interval.
    """
    return tuple(d.last_change_at.timestamp() for d in dossiers_received(unit, day, profile))


def _lifecycle(
    rng: random.Random,
    unit: Unit,
    procedure: Procedure,
    channel: int,
    received_at: datetime,
    seq: int,
    profile: SimulationProfile,
) -> Dossier:
    code = f"{agency_identifier(unit)}-{received_at:%y%m%d}-{seq:04d}"
    statutory = procedure.statutory_working_days
    budget_minutes = statutory * MINUTES_PER_WORKING_DAY
    events: list[tuple[int, datetime]] = []
    if channel == 2:
        events.append((SUBMITTED, received_at))
        intake = office_after(received_at, rng.randrange(5, 240))
    else:
        intake = received_at
    events.append((RECEIVED, intake))
    supplements: list[tuple[datetime, datetime]] = []
    # Deadlines use the warehouse's arithmetic (8 working hours a day, pauses not counted);
    # clock.add_working_days is a fast equivalent of workdays.deadlines.due_at.
    due = add_working_days(intake, statutory)
    draw = rng.random()
    apology_at = None
    if draw < profile.rejected_rate:
        events.append((REJECTED, office_after(intake, rng.randrange(10, 120))))
    elif draw < profile.rejected_rate + profile.withdrawn_rate:
        events.append((IN_PROCESS, office_after(intake, 30)))
        events.append((WITHDRAWN, office_after(intake, max(31, budget_minutes * rng.uniform(0.2, 0.9)))))
    else:
        start = office_after(intake, rng.randrange(5, 60))
        events.append((IN_PROCESS, start))
        paused = 0
        if rng.random() < profile.supplement_rate:
            asked = office_after(intake, max(61, budget_minutes * rng.uniform(0.1, 0.4)))
            # The applicant comes back with the missing papers 1-5 days later, in office hours.
            answered = office_after(asked + timedelta(days=rng.randrange(1, 6)), rng.randrange(0, 400))
            supplements.append((asked, answered))
            paused = working_seconds_between(asked, answered)
            events.append((SUPPLEMENT, asked))
            events.append((IN_PROCESS, answered))
            due = add_working_days(intake, statutory, paused)
        last = events[-1][1]
        if rng.random() < profile.late_rate:
            ready = office_after(due, rng.randrange(30, 10 * MINUTES_PER_WORKING_DAY))
            if rng.random() < profile.apology_rate:
                # Form 04 is sent before the deadline, once the delay is known.
                apology_at = add_working_days(intake, statutory * rng.uniform(0.8, 0.98), paused)
                apology_at = max(apology_at, office_after(last, 5))
        else:
            ready = min(add_working_days(intake, statutory * rng.uniform(0.15, 0.98), paused), due)
        if ready <= last:
            ready = min(office_after(last, 15), due) if last < due else office_after(last, 15)
        events.append((READY, ready))
        events.append((RETURNED, office_after(ready, rng.randrange(1, 3 * MINUTES_PER_WORKING_DAY))))
    family, middle, given = rng.choice(FAMILY_NAMES), rng.choice(MIDDLE_NAMES), rng.choice(GIVEN_NAMES)
    applicant = {
        "full_name": f"{family} {middle} {given}",
        "id_number": f"040{rng.randrange(0, 10**9):09d}",
        "phone": f"09{rng.randrange(0, 10**8):08d}",
        "address": f"Xóm {rng.randrange(1, 15)}, {unit.full_name}, Nghệ An",
    }
    return Dossier(
        dossier_code=code,
        unit=unit,
        procedure=procedure,
        channel=channel,
        received_at=received_at,
        appointment_due_at=due,
        events=events,
        supplements=supplements,
        is_digitised=rng.random() < profile.digitised_rate,
        has_electronic_result=rng.random() < profile.electronic_result_rate,
        paid_online=rng.random()
        < (profile.online_payment_rate if channel == 2 else profile.direct_online_payment_rate),
        apology_letter_at=apology_at,
        applicant=applicant,
    )


def max_lifetime_days() -> int:
    """Calendar days a dossier can keep changing after receipt (bounds the look-back)."""
    return 90


def active_dossiers(
    unit: Unit,
    updated_since: datetime,
    updated_until: datetime,
    profile: SimulationProfile,
    lookback_days: int | None = None,
) -> list[Dossier]:
    """Dossiers of ``unit`` received before ``updated_until`` still changing at or after ``updated_since``."""
    lookback = max_lifetime_days() if lookback_days is None else lookback_days
    first_day = (updated_since - timedelta(days=lookback)).astimezone(VN_TZ).date()
    last_day = updated_until.astimezone(VN_TZ).date()
    since_ts = updated_since.timestamp()
    out: list[Dossier] = []
    day = first_day
    while day <= last_day:
        if in_force(unit, day):
            index = day_index(unit, day, profile)
            if index and max(index) >= since_ts:
                dossiers = dossiers_received(unit, day, profile) if day >= last_day - timedelta(days=3) else None
                for seq, last in enumerate(index, start=1):
                    if last >= since_ts:
                        out.append(dossiers[seq - 1] if dossiers else generate_dossier(unit, day, seq, profile))
        day += timedelta(days=1)
    return out


def state_held_by(dossier: Dossier, unit: Unit) -> Callable[[datetime], dict | None]:
    """The dossier's feed record at a moment when ``unit`` holds it, else None: a unit's feed
    serves a dossier only while it holds it (before the reform the abolished unit, after it the
    successor)."""

    def state(at: datetime) -> dict | None:
        return dossier.as_of(at) if dossier.competent_unit_at(at) == unit else None

    return state


def dossiers_held(
    unit: Unit,
    updated_since: datetime,
    updated_until: datetime,
    profile: SimulationProfile,
    lookback_days: int | None = None,
) -> list[Dossier]:
    """The dossiers ``unit``'s system holds that may have changed in the interval: those it
    received and, from the reform on, those an abolished unit handed over to it. (Whether the
    unit holds one at a given moment is :meth:`Dossier.competent_unit_at`.)"""
    held = active_dossiers(unit, updated_since, updated_until, profile, lookback_days)
    if unit.valid_from == REFORM_DATE and updated_until > reform_instant():
        for source in handover_sources(unit.code):
            held += [
                d
                for d in active_dossiers(source, updated_since, updated_until, profile, lookback_days)
                if d.handed_over_to == unit
            ]
    return held


def records_updated(
    unit: Unit,
    updated_since: datetime,
    updated_until: datetime,
    profile: SimulationProfile,
    lookback_days: int = 90,
) -> list[dict]:
    """Feed records of ``unit`` whose last change falls in ``[updated_since, updated_until)``.

    Each record is the dossier's state as of ``updated_until``, ordered by (updated_at, code).
    """
    out: list[tuple[datetime, str, dict]] = []
    as_of = updated_until - timedelta(microseconds=1)
    for dossier in dossiers_held(unit, updated_since, updated_until, profile, lookback_days):
        if dossier.first_seen_at >= updated_until:
            continue
        if dossier.competent_unit_at(as_of) != unit:
            continue  # served by the unit that holds it (after the reform, the successor)
        changed = dossier.updated_at_as_of(as_of)
        if updated_since <= changed < updated_until:
            out.append((changed, dossier.dossier_code, dossier.as_of(as_of)))
    out.sort(key=lambda item: (item[0], item[1]))
    return [record for _, _, record in out]
