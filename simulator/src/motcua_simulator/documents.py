"""E-office documents (văn bản đến/đi) of a unit, as a VNPT iOffice-like system holds them.

Incoming documents (văn bản đến) arrive from the province, departments and other units; some
carry a processing deadline (hạn xử lý). Outgoing documents (văn bản đi) are issued by the unit
and mostly signed digitally (chữ ký số). Calibrated to Nam Dan: 12 of 182 deadline documents
late (6.6 %), and e-signature around the 90 % target (some units below it).

Versions: incoming 1 received (đã tiếp nhận), 2 assigned (đang xử lý), 3 completed (đã xử lý);
outgoing 1 issued (đã ban hành).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from motcua_simulator.clock import (
    MINUTES_PER_WORKING_DAY,
    add_working_days,
    is_working_day,
    office_after,
    random_office_moment,
    rng_for,
)
from motcua_simulator.dossiers import SimulationProfile, _poisson
from motcua_simulator.reference import Unit, in_force

DOCUMENT_TYPES = (
    ("Công văn", "CV", 0.45),
    ("Quyết định", "QĐ", 0.15),
    ("Kế hoạch", "KH", 0.1),
    ("Báo cáo", "BC", 0.1),
    ("Thông báo", "TB", 0.08),
    ("Giấy mời", "GM", 0.07),
    ("Tờ trình", "TTr", 0.05),
)
SENDERS = (
    ("UBND tỉnh Nghệ An", "UBND-VX"),
    ("Sở Nội vụ", "SNV-CCHC"),
    ("Sở Tài chính", "STC-QLNS"),
    ("Sở Tư pháp", "STP-HCTP"),
    ("Sở Tài nguyên và Môi trường", "STNMT-ĐĐ"),
    ("Văn phòng UBND tỉnh", "VP-KSTT"),
    ("Sở Thông tin và Truyền thông", "STTTT-CNTT"),
)
TOPICS = (
    "triển khai nhiệm vụ cải cách hành chính năm {year}",
    "báo cáo kết quả giải quyết thủ tục hành chính quý",
    "tăng cường chuyển đổi số trong giải quyết thủ tục hành chính",
    "số hoá hồ sơ, kết quả giải quyết TTHC",
    "rà soát, đơn giản hoá thủ tục hành chính",
    "thực hiện Bộ chỉ số phục vụ người dân, doanh nghiệp",
    "công tác phòng, chống thiên tai",
    "kiểm tra công tác cải cách hành chính",
    "thanh toán trực tuyến phí, lệ phí",
    "cấp chữ ký số cho cán bộ, công chức",
)
INCOMING_PER_DAY = {"district": 22.0, "commune": 7.0, "commune_2025": 16.0, "agency": 25.0}
OUTGOING_SHARE = 0.6
DEADLINE_SHARE = 0.25
LATE_SHARE = 12 / 182  # Nam Dan: 12 of 182 deadline documents late (6.6 %)
SIGNED_INCOMING = 0.97


@dataclass(frozen=True)
class Document:
    document_id: str
    unit: Unit
    direction: str  # incoming | outgoing
    number: str
    document_type: str
    summary: str
    counterpart: str
    issued_on: date
    received_at: datetime
    assigned_at: datetime | None
    deadline_at: datetime | None
    completed_at: datetime | None
    is_digitally_signed: bool

    def change_times(self) -> list[datetime]:
        return sorted({t for t in (self.received_at, self.assigned_at, self.completed_at) if t is not None})

    def as_of(self, as_of: datetime) -> dict | None:
        changes = [t for t in self.change_times() if t <= as_of]
        if not changes:
            return None
        completed = self.completed_at if self.completed_at and self.completed_at <= as_of else None
        if self.direction == "outgoing":
            status = "issued"
        else:
            status = "completed" if completed else "processing" if len(changes) > 1 else "received"
        return {
            "document_id": self.document_id,
            "version": len(changes),
            "updated_at": changes[-1].isoformat(),
            "unit_code": self.unit.code,
            "direction": self.direction,
            "document_number": self.number,
            "document_type": self.document_type,
            "summary": self.summary,
            "counterpart": self.counterpart,
            "issued_on": self.issued_on.isoformat(),
            "received_at": self.received_at.isoformat(),
            "deadline_at": self.deadline_at.isoformat() if self.deadline_at else None,
            "completed_at": completed.isoformat() if completed else None,
            "status": status,
            "is_digitally_signed": self.is_digitally_signed,
        }


def _kind(unit: Unit) -> str:
    if unit.level in ("district", "agency"):
        return unit.level
    return "commune_2025" if unit.valid_from is not None else "commune"


@lru_cache(maxsize=100_000)
def day_counts(unit: Unit, day: date, profile: SimulationProfile) -> tuple[int, int]:
    """(incoming, outgoing) documents of ``unit`` on ``day``."""
    if not in_force(unit, day) or not is_working_day(day):
        return 0, 0
    rng = rng_for(profile.seed, "documents", unit.code, day.isoformat())
    size = 0.6 + 0.8 * rng_for(profile.seed, "doc-size", unit.code).random()
    mean = INCOMING_PER_DAY[_kind(unit)] * size * profile.scale
    return _poisson(rng, mean), _poisson(rng, mean * OUTGOING_SHARE)


@lru_cache(maxsize=2048)
def _outgoing_offsets(unit: Unit, year: int, profile: SimulationProfile) -> dict[date, int]:
    """Outgoing numbers restart each year: the first number of each day."""
    offsets, total = {}, 0
    day = date(year, 1, 1)
    while day.year == year:
        offsets[day] = total
        total += day_counts(unit, day, profile)[1]
        day += timedelta(days=1)
    return offsets


def signature_rate(unit: Unit, profile: SimulationProfile) -> float:
    """Share of outgoing documents signed digitally: 0.82-0.98, about 90 % on average."""
    return 0.82 + 0.16 * rng_for(profile.seed, "esign", unit.code).random()


@lru_cache(maxsize=4096)
def documents_of_day(unit: Unit, day: date, profile: SimulationProfile) -> tuple[Document, ...]:
    incoming, outgoing = day_counts(unit, day, profile)
    out: list[Document] = []
    agency = {"commune": "UBND", "agency": unit.code}.get(unit.level, "UBND-VP")
    for seq in range(1, incoming + outgoing + 1):
        rng = rng_for(profile.seed, "document", unit.code, day.isoformat(), seq)
        draw, doc_type, abbrev = rng.random(), DOCUMENT_TYPES[0][0], DOCUMENT_TYPES[0][1]
        for name, short, p in DOCUMENT_TYPES:
            if draw < p:
                doc_type, abbrev = name, short
                break
            draw -= p
        summary = "V/v " + rng.choice(TOPICS).format(year=day.year)
        at = random_office_moment(rng, day)
        if seq <= incoming:
            sender, code = rng.choice(SENDERS)
            serial = rng.randrange(1, 4000)
            number = f"{serial}/{code}" if doc_type == "Công văn" else f"{serial}/{abbrev}-{code.split('-')[0]}"
            issued = day - timedelta(days=rng.randrange(0, 4))
            assigned = office_after(at, rng.randrange(15, 240))
            deadline = completed = None
            if rng.random() < DEADLINE_SHARE:
                days = rng.choice((3, 5, 5, 7, 10, 15))
                deadline = add_working_days(at, days)
                if rng.random() < LATE_SHARE:
                    completed = office_after(deadline, rng.randrange(30, 5 * MINUTES_PER_WORKING_DAY))
                else:
                    completed = add_working_days(at, days * rng.uniform(0.1, 0.97))
            else:
                completed = office_after(at, rng.randrange(30, 8 * MINUTES_PER_WORKING_DAY))
            completed = max(completed, office_after(assigned, 10))
            out.append(
                Document(
                    f"VB.{unit.code}.{day:%y%m%d}.DEN.{seq:03d}",
                    unit,
                    "incoming",
                    number,
                    doc_type,
                    summary,
                    sender,
                    issued,
                    at,
                    assigned,
                    deadline,
                    completed,
                    rng.random() < SIGNED_INCOMING,
                )
            )
        else:
            n = _outgoing_offsets(unit, day.year, profile)[day] + seq - incoming
            number = f"{n}/{agency}" if doc_type == "Công văn" else f"{n}/{abbrev}-UBND"
            recipient = rng.choice(SENDERS)[0]
            signed = rng.random() < signature_rate(unit, profile)
            out.append(
                Document(
                    f"VB.{unit.code}.{day:%y%m%d}.DI.{seq - incoming:03d}",
                    unit,
                    "outgoing",
                    number,
                    doc_type,
                    summary,
                    recipient,
                    day,
                    at,
                    None,
                    None,
                    at,
                    signed,
                )
            )
    return tuple(out)


#: Documents keep changing for at most this long after arrival (15 working days + 5 late).
DOCUMENT_LIFETIME = timedelta(days=45)
