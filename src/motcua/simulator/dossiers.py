"""Deterministic generation of dossiers (hồ sơ) and their status history.

A dossier is generated whole (every status change it will ever have) from a seed, the unit
and its receipt day, so any date range can be served in any order and served again
identically. What a feed returns at a moment ``as_of`` is the dossier's state at that moment:
the same dossier read again later comes back with a higher ``version``, which is exactly the
"late update" a real one-stop system produces.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from motcua.reference import Unit
from motcua.simulator.catalogue import Procedure, procedures_for
from motcua.workdays.deadlines import due_at as statutory_due_at

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Status codes of the national synchronisation scheme (see docs/feed_contract.md).
SUBMITTED, RECEIVED, REJECTED, IN_PROCESS, SUPPLEMENT, AWAITING_FEE, WITHDRAWN, STOPPED, READY, RETURNED = range(
    1, 11
)

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Thái")
MIDDLE_NAMES = ("Văn", "Thị", "Hữu", "Đình", "Xuân", "Minh", "Thanh", "Quốc", "Ngọc", "Thu")
GIVEN_NAMES = ("An", "Bình", "Chung", "Dũng", "Giang", "Hà", "Hải", "Hiệp", "Hoa", "Hùng", "Hương", "Lan",
               "Linh", "Long", "Mai", "Nam", "Nga", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn")


@dataclass(frozen=True)
class SimulationProfile:
    """Volumes and rates, calibrated to the seed articles (see docs/simulator.md)."""

    seed: int = 20250701
    scale: float = 1.0
    # Dossiers per working day: a district the size of Quynh Luu receives ~17,000 a year
    # (~70 a working day); communes before the reform far fewer; merged communes 40-50 a day.
    district_daily: float = 45.0
    commune_daily_pre_reform: float = 10.0
    commune_daily_post_reform: float = 45.0
    late_rate: float = 0.004
    apology_rate: float = 0.9  # share of late dossiers that get an apology letter (phiếu xin lỗi)
    supplement_rate: float = 0.04
    rejected_rate: float = 0.01
    withdrawn_rate: float = 0.005


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

    @property
    def first_seen_at(self) -> datetime:
        return self.events[0][1]

    def version_as_of(self, as_of: datetime) -> int:
        version = sum(1 for _, at in self.events if at <= as_of)
        if self.apology_letter_at is not None and self.apology_letter_at <= as_of:
            version += 1
        return version

    def updated_at_as_of(self, as_of: datetime) -> datetime:
        moments = [at for _, at in self.events if at <= as_of]
        if self.apology_letter_at is not None and self.apology_letter_at <= as_of:
            moments.append(self.apology_letter_at)
        return max(moments)

    def as_of(self, as_of: datetime) -> dict | None:
        """The feed record at ``as_of``, or None if the dossier did not exist yet."""
        history = [(s, at) for s, at in self.events if at <= as_of]
        if not history:
            return None
        status = history[-1][0]

        def at_status(code: int) -> datetime | None:
            return next((at for s, at in history if s == code), None)

        finished = status in (READY, RETURNED)
        return {
            "dossier_code": self.dossier_code,
            "version": self.version_as_of(as_of),
            "updated_at": self.updated_at_as_of(as_of).isoformat(),
            "unit_code": self.unit.code,
            "unit_level": self.unit.level,
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


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def agency_identifier(unit: Unit) -> str:
    """A QCVN 102:2016-shaped agency identifier for the unit (simulated, ``H41`` = Nghe An)."""
    number = int(unit.code)
    if unit.level == "district":
        return f"000.00.{number % 100:02d}.H41"
    return f"000.{number % 100:02d}.{(number // 100) % 100:02d}.H41"


def _daily_mean(unit: Unit, day: date, profile: SimulationProfile) -> float:
    if unit.level == "district":
        base = profile.district_daily
    elif unit.valid_from is not None:
        base = profile.commune_daily_post_reform
    else:
        base = profile.commune_daily_pre_reform
    # Each unit has its own size, stable across days.
    size = 0.5 + _rng(profile.seed, "size", unit.code).random()
    weekday_factor = 1.0 if day.weekday() < 5 else 0.05  # some offices open Saturday mornings
    return base * size * weekday_factor * profile.scale


def _poisson(rng: random.Random, mean: float) -> int:
    # Normal approximation is fine for the volumes here and keeps generation fast.
    if mean <= 0:
        return 0
    if mean < 30:
        count, threshold, product = 0, pow(2.718281828459045, -mean), rng.random()
        while product > threshold:
            count += 1
            product *= rng.random()
        return count
    return max(0, round(rng.gauss(mean, mean**0.5)))


def _procedures_for_unit(unit: Unit) -> tuple[Procedure, ...]:
    # After 1 July 2025 communes also handle what district one-stop departments handled.
    if unit.level == "commune" and unit.valid_from is not None:
        return procedures_for("commune") + procedures_for("district")
    return procedures_for(unit.level)


def _office_time(rng: random.Random, day: date, online: bool) -> datetime:
    if online and rng.random() < 0.35:
        minutes = rng.randrange(0, 24 * 60)  # online dossiers arrive at any hour
    else:
        minutes = rng.choice((rng.randrange(7 * 60, 11 * 60 + 30), rng.randrange(13 * 60 + 30, 17 * 60)))
    return datetime.combine(day, time(minutes // 60, minutes % 60), VN_TZ) + timedelta(seconds=rng.randrange(60))


@lru_cache(maxsize=4096)
def dossiers_received(unit: Unit, day: date, profile: SimulationProfile) -> tuple[Dossier, ...]:
    """Every dossier ``unit`` received on ``day``, in a deterministic order."""
    rng = _rng(profile.seed, unit.code, day.isoformat())
    count = _poisson(rng, _daily_mean(unit, day, profile))
    procedures = _procedures_for_unit(unit)
    weights = [p.share for p in procedures]
    unit_rng = _rng(profile.seed, "mix", unit.code)
    online_share = 0.25 + 0.4 * unit_rng.random()
    postal_share = 0.02 + 0.08 * unit_rng.random()
    result = []
    for seq in range(1, count + 1):
        procedure = rng.choices(procedures, weights)[0]
        draw = rng.random()
        channel = 2 if draw < online_share else 3 if draw < online_share + postal_share else 1
        received_at = _office_time(rng, day, online=channel == 2)
        result.append(_lifecycle(rng, unit, procedure, channel, received_at, seq, profile))
    return tuple(result)


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
    events: list[tuple[int, datetime]] = []
    if channel == 2:
        events.append((SUBMITTED, received_at))
        intake = received_at + timedelta(minutes=rng.randrange(5, 240))
    else:
        intake = received_at
    events.append((RECEIVED, intake))
    supplements: list[tuple[datetime, datetime]] = []
    due = statutory_due_at(intake, procedure.statutory_working_days)
    budget = due - intake
    draw = rng.random()
    apology_at = None
    if draw < profile.rejected_rate:
        events.append((REJECTED, intake + timedelta(minutes=rng.randrange(10, 120))))
    elif draw < profile.rejected_rate + profile.withdrawn_rate:
        events.append((IN_PROCESS, intake + timedelta(minutes=30)))
        events.append((WITHDRAWN, intake + budget * rng.uniform(0.2, 0.9)))
    else:
        start = intake + timedelta(minutes=rng.randrange(5, 60))
        events.append((IN_PROCESS, start))
        if rng.random() < profile.supplement_rate:
            asked = start + budget * rng.uniform(0.1, 0.4)
            answered = asked + timedelta(days=rng.randrange(1, 6), hours=rng.randrange(0, 8))
            supplements.append((asked, answered))
            events.append((SUPPLEMENT, asked))
            events.append((IN_PROCESS, answered))
            due = statutory_due_at(intake, procedure.statutory_working_days, pauses=[(asked, answered)])
            budget = due - intake
        if rng.random() < profile.late_rate:
            ready = due + timedelta(days=rng.randrange(1, 10), hours=rng.randrange(1, 8))
            if rng.random() < profile.apology_rate:
                apology_at = due - timedelta(hours=rng.randrange(1, 20))
        else:
            ready = intake + budget * rng.uniform(0.15, 0.98)
        ready = max(ready, events[-1][1] + timedelta(minutes=15))
        events.append((READY, ready))
        events.append((RETURNED, ready + timedelta(hours=rng.randrange(1, 72))))
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
        is_digitised=rng.random() < 0.82,
        has_electronic_result=rng.random() < 0.7,
        paid_online=rng.random() < (0.94 if channel == 2 else 0.3),
        apology_letter_at=apology_at,
        applicant=applicant,
    )


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
    first_day = (updated_since - timedelta(days=lookback_days)).astimezone(VN_TZ).date()
    last_day = updated_until.astimezone(VN_TZ).date()
    out: list[tuple[datetime, str, dict]] = []
    day = first_day
    while day <= last_day:
        if (unit.valid_from is None or unit.valid_from <= day) and (unit.valid_to is None or day < unit.valid_to):
            for dossier in dossiers_received(unit, day, profile):
                if dossier.first_seen_at >= updated_until:
                    continue
                changed = dossier.updated_at_as_of(updated_until - timedelta(microseconds=1))
                if updated_since <= changed < updated_until:
                    record = dossier.as_of(updated_until - timedelta(microseconds=1))
                    out.append((changed, dossier.dossier_code, record))
        day += timedelta(days=1)
    out.sort(key=lambda item: (item[0], item[1]))
    return [record for _, _, record in out]
