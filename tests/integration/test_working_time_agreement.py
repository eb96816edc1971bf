"""The warehouse's working time (SQL) and its Python counterpart agree on thousands of dossiers.

Production computes every dossier's clock in SQL: ``dbt_project/macros/working_time.sql`` maps
instants to working offsets, ``int_dossiers_deadlines`` adds the required time and the pauses.
:func:`motcua_simulator.workdays.deadlines.dossier_deadline` walks office hours day by day
instead. Two independent implementations of docs/working_time.md: this module generates
dossiers (seeded, so every run sees the same ones) across 2024-2026, lands them as raw dossier
records, builds ``+int_dossiers_deadlines`` with dbt and requires every column of every row to
equal the Python's, to the microsecond and to the model's 0.0001 h.

The cases lean on what is easy to get wrong: receipt at any minute (nights, weekends, the lunch
break, a window's first and last minute, exactly 11:30 or 17:00), the days around every holiday
and compensatory working Saturday of the seed, the Tết weeks; 0.5 to 30 working days, fractional
ones among them (some landing exactly on a window's end); online submissions received later;
none, one or several supplement requests, overlapping, outside office hours, zero-length, begun
before the clock started, or still open; completed or not (or before an intake recorded late); UTC
and Vietnam offsets; seconds and microseconds.

Not generated: 0 working days (no procedure has them). There the two differ when a supplement
request covers the counting start: the model's ``required_seconds = 0`` branch returns the
counting start, the Python the first instant the clock runs (or no deadline while the request is
open), as it does for any positive time.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest

from motcua.orchestration.dbt import run_dbt
from motcua_simulator.workdays.calendar import default_calendar
from motcua_simulator.workdays.deadlines import VN_TZ, DossierDeadline, dossier_deadline

SEED = 20260701
CASES = 5000
FIRST_DAY, LAST_DAY = date(2024, 1, 1), date(2026, 12, 31)
COLUMNS = (
    "clock_started_at",
    "counting_started_at",
    "statutory_due_at",
    "is_clock_paused",
    "paused_working_hours",
    "working_hours_taken",
    "working_days_taken",
)
# Minutes a clerk's clock is most often wrong about: before, at and after each opening and closing.
EDGE_TIMES = [
    (0, 0),
    (6, 59),
    (7, 0),
    (7, 1),
    (11, 29),
    (11, 30),
    (11, 31),
    (12, 0),
    (13, 29),
    (13, 30),
    (13, 31),
    (16, 59),
    (17, 0),
    (17, 1),
    (23, 59),
]
# Working days that end exactly on a window's edge from 07:00 (4.5 h = 0.5625 day) or cross one; and
# a few below the half day no procedure has (0.36 s, 30 min).
EDGE_DAYS = ["0.0001", "0.0625", "0.5", "0.5625", "1", "1.4375", "1.5625", "2", "3", "5", "7", "10", "15", "20", "30"]


@dataclass
class Case:
    code: str
    received_at: datetime
    working_days: Decimal
    intake_at: datetime | None = None
    status_history: list[dict] = field(default_factory=list)
    pauses: list[tuple[datetime, datetime | None]] = field(default_factory=list)
    completed_at: datetime | None = None

    def payload(self, rng: random.Random) -> dict:
        return {
            "dossier_code": self.code,
            "version": 1,
            "updated_at": _iso(self.completed_at or self.received_at, rng),
            "unit_code": "430",
            "unit_level": "district",
            "procedure_code": "1.001193",
            "status": 10 if self.completed_at else 4,
            "channel": 3 if self.intake_at else 1,
            "received_at": _iso(self.received_at, rng),
            # A JSON number, as the feed sends it: 7.25, 30
            "statutory_working_days": json.loads(str(self.working_days)),
            "completed_at": _iso(self.completed_at, rng) if self.completed_at else None,
            "status_history": self.status_history,
            "supplement_requests": [
                {"requested_at": _iso(begin, rng), "received_at": _iso(end, rng) if end else None}
                for begin, end in self.pauses
            ],
        }


def _iso(moment: datetime, rng: random.Random) -> str:
    """Vietnam time mostly; UTC sometimes (the same instant)."""
    return (moment.astimezone(UTC) if rng.random() < 0.2 else moment).isoformat()


def _focus_days() -> list[date]:
    """Days near the seed's holidays, days off in lieu and compensatory Saturdays in 2024-2026."""
    days = set()
    for holiday in default_calendar().holidays:
        if FIRST_DAY <= holiday.date <= LAST_DAY:
            days.update(holiday.date + timedelta(days=k) for k in range(-4, 5))
    return sorted(d for d in days if FIRST_DAY <= d <= LAST_DAY)


def _moment(rng: random.Random, focus: list[date]) -> datetime:
    day = (
        rng.choice(focus)
        if rng.random() < 0.35
        else FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    )
    if rng.random() < 0.3:
        hour, minute = rng.choice(EDGE_TIMES)
    elif rng.random() < 0.6:
        hour, minute = rng.randrange(6, 18), rng.randrange(60)
    else:
        hour, minute = rng.randrange(24), rng.randrange(60)
    second = microsecond = 0
    if rng.random() < 0.1:
        second = rng.randrange(60)
        if rng.random() < 0.5:
            microsecond = rng.randrange(1_000_000)
    return datetime(day.year, day.month, day.day, hour, minute, second, microsecond, tzinfo=VN_TZ)


def _working_days(rng: random.Random) -> Decimal:
    roll = rng.random()
    if roll < 0.4:
        return Decimal(rng.choice(EDGE_DAYS))
    if roll < 0.7:
        return Decimal(rng.randrange(1, 31))
    places = rng.choice([1, 2, 3, 4])
    return Decimal(f"{rng.uniform(0.5, 30):.{places}f}")


def _later(rng: random.Random, after: datetime, max_days: float) -> datetime:
    """A moment after ``after``: minutes to ``max_days`` later, sometimes on an edge minute."""
    moment = after + timedelta(seconds=rng.uniform(0, max_days * 86_400))
    if rng.random() < 0.3:
        hour, minute = rng.choice(EDGE_TIMES)
        edged = moment.replace(hour=hour, minute=minute, second=0, microsecond=0)
        moment = edged if edged >= after else edged + timedelta(days=1)
    elif rng.random() < 0.7:
        moment = moment.replace(second=0, microsecond=0)
        moment = max(moment, after)
    return moment


def _case(index: int, rng: random.Random, focus: list[date]) -> Case:
    received = _moment(rng, focus)
    case = Case(code=f"WT{index:06d}-{received:%y%m%d}-0001", received_at=received, working_days=_working_days(rng))
    roll = rng.random()
    if roll < 0.55:  # received at the desk: the intake is the receipt
        case.status_history = [{"status": 2, "at": received.isoformat()}]
    elif roll < 0.85:  # online: waits in the queue until an officer receives it (the first status 2)
        intake = _later(rng, received, rng.choice([0.05, 1, 5]))
        case.intake_at = intake
        case.status_history = [{"status": 1, "at": received.isoformat()}, {"status": 2, "at": intake.isoformat()}]
        if rng.random() < 0.2:  # a second intake event later (re-received): the first one counts
            case.status_history.append({"status": 2, "at": _later(rng, intake, 3).isoformat()})
        if rng.random() < 0.3:
            rng.shuffle(case.status_history)  # the history's order is not the events' order
    # else: no status history; the clock starts at received_at
    start = case.intake_at or received
    span = float(case.working_days) * 1.6 + 2  # calendar days the processing roughly takes
    requests = rng.choices([0, 1, 2, 3, 4], weights=[45, 30, 13, 8, 4])[0]
    for _ in range(requests):
        kind = rng.random()
        if kind < 0.1:  # begun before the clock started (an online dossier asked for more before intake)
            begin = start - timedelta(hours=rng.uniform(0.5, 60))
        elif kind < 0.35 and case.pauses:  # overlapping the previous request
            prev_begin, prev_end = case.pauses[-1]
            begin = _later(rng, prev_begin, max(((prev_end or prev_begin) - prev_begin).total_seconds() / 86_400, 0.01))
        else:
            begin = _later(rng, start, span)
        if rng.random() < 0.05:
            end = begin  # zero length
        elif rng.random() < 0.1:  # outside office hours only: from 17:30 to the next 06:30
            begin = begin.replace(hour=17, minute=30, second=0, microsecond=0)
            end = begin + timedelta(hours=13)
        else:
            end = _later(rng, begin, rng.choice([0.2, 2, 10, 25]))
        case.pauses.append((begin, end))
    if case.pauses and rng.random() < 0.25:  # the last request is still open
        case.pauses[-1] = (case.pauses[-1][0], None)
    if rng.random() < 0.7:
        latest = max([start, *(end for _, end in case.pauses if end)])
        case.completed_at = _later(rng, start if rng.random() < 0.5 else latest, span)
        if case.intake_at and rng.random() < 0.1:  # the result recorded before the intake: negative time taken
            case.completed_at = received + (case.intake_at - received) * rng.random()
    return case


def _generate() -> tuple[list[Case], list[dict]]:
    rng = random.Random(SEED)
    focus = _focus_days()
    cases = [_case(i, rng, focus) for i in range(CASES)]
    return cases, [case.payload(rng) for case in cases]


def _expected(case: Case) -> DossierDeadline:
    return dossier_deadline(
        case.received_at, case.working_days, case.pauses, intake_at=case.intake_at, completed_at=case.completed_at
    )


def _land(url: str, payloads: list[dict]) -> None:
    """COPY the records into raw.one_stop_dossiers as one loaded batch.

    Not through the loader: its contract rightly quarantines events later than the extraction,
    and these cases run to the end of 2026 whatever today is. The rows are what it would land.
    """
    batch = uuid.uuid4()
    extracted_at = datetime(2027, 1, 1, tzinfo=UTC)
    with psycopg.connect(url) as conn:
        conn.execute(
            """insert into raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                                             received, loaded, load_seq)
               values (%s, 'one_stop_dossiers', '430', %s, %s, 'loaded', %s, %s, nextval('raw.batch_load_seq'))""",
            (batch, datetime(2024, 1, 1, tzinfo=UTC), extracted_at, len(payloads), len(payloads)),
        )
        with conn.cursor().copy(
            "copy raw.one_stop_dossiers (source_key, source_version, unit_code, batch_id, extracted_at, checksum, "
            "payload) from stdin"
        ) as copy:
            for payload in payloads:
                copy.write_row((payload["dossier_code"], 1, "430", batch, extracted_at, "-", json.dumps(payload)))


@pytest.fixture(scope="module")
def landed(warehouse, reset_warehouse):
    reset_warehouse()
    started = time.monotonic()
    cases, payloads = _generate()
    _land(warehouse.url, payloads)
    target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
    run_dbt("seed", "--select", "+int_dossiers_deadlines", "--target-path", target)
    run_dbt("run", "--select", "+int_dossiers_deadlines", "--target-path", target)
    yield cases, started
    reset_warehouse()


def test_sql_and_python_working_time_agree(landed, warehouse):
    cases, started = landed
    with psycopg.connect(warehouse.url) as conn:
        rows = conn.execute(
            f"select dossier_code, {', '.join(COLUMNS)} from intermediate.int_dossiers_deadlines"
        ).fetchall()
    built = {code: dict(zip(COLUMNS, values, strict=True)) for code, *values in rows}
    assert len(built) == len(cases)

    mismatches: Counter[str] = Counter()
    examples: list[str] = []
    for case in cases:
        expected = _expected(case)
        got = built[case.code]
        for column in COLUMNS:
            want = getattr(expected, column)
            if got[column] != want:
                mismatches[column] += 1
                if len(examples) < 12:
                    examples.append(f"{case.code} {column}: sql {got[column]!r} python {want!r}\n    {case!r}")
    elapsed = time.monotonic() - started
    paused = sum(1 for case in cases if any(end is None for _, end in case.pauses))
    print(
        f"\n{len(cases)} dossiers x {len(COLUMNS)} columns compared in {elapsed:.1f} s "
        f"(generate, land, dbt seed + run, query, Python); {sum(bool(c.pauses) for c in cases)} with supplement "
        f"requests, {paused} with one still open "
        f"({sum(1 for r in built.values() if r['is_clock_paused'])} clocks stopped), "
        f"{sum(1 for c in cases if c.completed_at)} completed, {sum(1 for c in cases if c.intake_at)} online intakes"
    )
    assert not mismatches, f"{dict(mismatches)}\n" + "\n".join(examples)
