"""A province's years of one-stop feeds, generated deterministically, and history landed in bulk.

    .venv/bin/python benchmarks/province.py --scale 0.05 --years 1 [--until 2025-12-01]
        [--database-url URL] [--path bulk|load_batch] [--processes 2] [--generate-only]

**What is generated.** Every unit of ``motcua_simulator.reference`` that operates on a day (432
before the 2025 reform, 130 after), every day, exactly the items the simulator's HTTP feed serves
to that day's pull of the unit: one-stop dossiers (hồ sơ: one item per dossier whose last change
falls in the pull's interval, at its state at that change, so every status change a daily pull can
see is one version), satisfaction ratings, e-office documents, and the procedure catalogue (all of
it on the first day, its changes after). The intervals are those ``landing.pulls.land_pull`` asks
for day after day: [00:00 - 1 h, next 00:00) Vietnam time (the overlap serves changes made from
23:00 again the next day), the catalogue's first pull from 2016. Record faults of the simulator
(``FaultConfig``: malformed items, added fields) can be switched on; they are applied as the
simulator's app applies them.

**How.** The simulator answers one pull at a time: it regenerates every dossier received in the
90 days before the pull (an open dossier is regenerated on each of its days). Here each unit's
dossiers, ratings and documents are generated once, on the day they are received, with the
simulator's own functions (``generate_dossier``, ``rating_for``, ``documents_of_day``,
``procedure_entities``); the pulls that serve each of them are computed from its change times
with the app's rules (interval, overlap, look-back, which unit a code stands for on the day), and
it is kept until its last pull. Records are the entities' own ``as_of`` states.
``tests/integration/test_benchmark_harness.py`` checks the batches equal what the simulator serves
over HTTP. Memory holds the entities still changing (about three months of the province at the
most, never a year). Units are dealt to ``--processes`` workers by code (a code's units, old and
2025, stay together; the catalogue goes with worker 0).

**Scale.** ``SimulationProfile(scale=1.0)`` gives 1.28 million dossiers in 2024 for the whole
province; ``--scale 1.0`` here means a province-year of 2,000,000 (Nghệ An's order of magnitude):
the profile's scale is ``scale * 2,000,000 / (dossiers at profile scale 1 in 2024)``.

**Landing history.** ``--path load_batch`` lands every batch with ``land_pull`` (``load_batch``, the
watermark, the seal: the production path, without HTTP), one (source, unit, day) batch at a time,
as a year of daily runs would have. ``--path bulk`` (the default) lands the same batches with
COPY: the loader's rules are applied in Python on the same items (keys, versions, feed contract
with ``key_of``, catalogue check, first copy wins, identical repeats counted as already present,
every rejected item quarantined once with its reason and bytes), and the same rows are written
(same keys, versions, checksums, payloads; one ``raw.batch_ledger`` row per batch with the same
counts, sealed in commit order; the watermarks). What differs: batch ids and extraction times
(``interval end + 5 min`` for history instead of the moment of loading), and no staging temp
table or per-batch transaction: a worker commits a chunk of days at a time. A repeat is detected
against the same code's previous batch (the only one an overlap can repeat); the raw tables'
primary keys would stop the load if that ever missed one. The test proves both paths land the
same raw rows, quarantine and ledger counts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import signal
import sys
import time
import uuid
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from motcua.landing.contracts import base_procedure_code
from motcua.landing.items import FeedItem
from motcua.landing.loader import checksum, key_of
from motcua.landing.pulls import CATALOGUE_FIRST_PULL_FROM, CATALOGUE_SCOPE, OVERLAP
from motcua.landing.raw_sources import (
    EOFFICE_DOCUMENTS,
    ONE_STOP_DOSSIERS,
    PROCEDURE_CATALOGUE,
    SATISFACTION_RATINGS,
    RawSource,
)
from motcua_simulator.documents import DOCUMENT_LIFETIME, documents_of_day
from motcua_simulator.dossiers import (
    REFORM_DATE,
    Dossier,
    SimulationProfile,
    daily_mean,
    day_count,
    generate_dossier,
    handover_sources,
    max_lifetime_days,
    state_held_by,
)
from motcua_simulator.faults import FaultConfig, FaultInjector
from motcua_simulator.ratings import RATING_LAG, rating_for
from motcua_simulator.reference import Unit, all_units, in_force, units_on
from motcua_simulator.sources import procedure_entities
from motcua_simulator.workdays.deadlines import VN_TZ

#: A province-year: Nghệ An's order of magnitude of dossiers received in a year.
PROVINCE_YEAR_DOSSIERS = 2_000_000
#: The year whose volume at profile scale 1 calibrates ``--scale``.
CALIBRATION_YEAR = 2024
DEFAULT_SEED = 20250701
#: The day measured by the benchmark; history is the years before it.
DEFAULT_UNTIL = date(2025, 12, 1)
#: History is stamped as extracted this long after its interval ended (the daily run's start).
EXTRACT_DELAY = timedelta(minutes=5)
#: The unit feeds in the order ``tasks.extract_load_unit`` lands them.
UNIT_SOURCES = (ONE_STOP_DOSSIERS, SATISFACTION_RATINGS, EOFFICE_DOCUMENTS)
#: Raw source -> the simulator's feed name (its fault draws are keyed by it).
FEEDS = {
    ONE_STOP_DOSSIERS.name: "dossiers",
    SATISFACTION_RATINGS.name: "ratings",
    EOFFICE_DOCUMENTS.name: "documents",
    PROCEDURE_CATALOGUE.name: "procedures",
}
RAW_COLUMNS = ("source_key", "source_version", "unit_code", "batch_id", "extracted_at", "checksum", "payload")


def vn_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), VN_TZ)


def vn_date(moment: datetime) -> date:
    return moment.astimezone(VN_TZ).date()


def history_days(years: int, until: date = DEFAULT_UNTIL) -> tuple[date, date]:
    """[first, until): ``years`` years of daily pulls ending the day before ``until``."""
    return until.replace(year=until.year - years), until


@lru_cache(maxsize=8)
def dossiers_in_year(year: int, seed: int = DEFAULT_SEED, profile_scale: float = 1.0) -> int:
    """Dossiers the whole province receives in ``year`` (cheap: counts only, no lifecycle)."""
    profile = SimulationProfile(seed=seed, scale=profile_scale)
    total, day = 0, date(year, 1, 1)
    while day.year == year:
        total += sum(day_count(unit, day, profile) for unit in units_on(day))
        day += timedelta(days=1)
    return total


def profile_for(scale: float, seed: int = DEFAULT_SEED) -> SimulationProfile:
    """The simulation profile whose province receives ``scale`` x 2,000,000 dossiers a year."""
    calibration = _CALIBRATED.get(seed) or dossiers_in_year(CALIBRATION_YEAR, seed)
    _CALIBRATED[seed] = calibration
    return SimulationProfile(seed=seed, scale=scale * PROVINCE_YEAR_DOSSIERS / calibration)


#: seed -> dossiers at profile scale 1 in the calibration year (computed once, inherited by workers)
_CALIBRATED: dict[int, int] = {}


# -- the pulls --------------------------------------------------------------------------------
def pull_interval(source: RawSource, day: date, first_day: date) -> tuple[datetime, datetime]:
    """The interval ``land_pull`` asks for on ``day`` (daily runs since ``first_day``, no gap)."""
    start = vn_midnight(day)
    if source is PROCEDURE_CATALOGUE and day == first_day:
        return CATALOGUE_FIRST_PULL_FROM - OVERLAP, start + timedelta(days=1)
    return start - OVERLAP, start + timedelta(days=1)


@dataclass
class Batch:
    """What one pull of one source for one unit (or the province's catalogue) and day serves."""

    source: RawSource
    scope: str  # unit code, or ``CATALOGUE_SCOPE``
    day: date
    since: datetime
    until: datetime
    items: list  # as served: dicts, and malformed items when faults are on


@dataclass
class Tally:
    """What a generator produced: the ground truth the warehouse is checked against."""

    items: Counter = field(default_factory=Counter)  # source -> items served (good + malformed)
    malformed: Counter = field(default_factory=Counter)  # source -> malformed items served
    batches: Counter = field(default_factory=Counter)  # source -> batches (pulls)
    dossiers_received: int = 0  # dossiers received on the pull days (by generation)
    dossiers_generated: int = 0  # also those received before the first day that its pulls serve
    #: (unit code, received month 'YYYY-MM') -> dossier codes served (only when asked: memory)
    dossiers_by_unit_month: dict[tuple[str, str], set[str]] | None = None

    def merge(self, other: Tally) -> None:
        self.items.update(other.items)
        self.malformed.update(other.malformed)
        self.batches.update(other.batches)
        self.dossiers_received += other.dossiers_received
        self.dossiers_generated += other.dossiers_generated
        if other.dossiers_by_unit_month is not None:
            if self.dossiers_by_unit_month is None:
                self.dossiers_by_unit_month = {}
            for k, codes in other.dossiers_by_unit_month.items():
                self.dossiers_by_unit_month.setdefault(k, set()).update(codes)


def shard_codes(codes: Iterable[str], profile: SimulationProfile, shards: int) -> list[set[str]]:
    """Deal unit codes to ``shards`` workers, heaviest first, each to the lightest worker."""
    weight: dict[str, float] = defaultdict(float)
    for unit in all_units():
        if unit.code in codes:
            day = unit.valid_from or date(2024, 6, 3)
            weight[unit.code] += daily_mean(unit, day, profile)
    loads = [0.0] * shards
    out: list[set[str]] = [set() for _ in range(shards)]
    for code in sorted(weight, key=lambda c: (-weight[c], c)):
        i = loads.index(min(loads))
        out[i].add(code)
        loads[i] += weight[code]
    return out


class Province:
    """Day by day, the batches the province's daily pulls land (one worker's share of the units)."""

    def __init__(
        self,
        profile: SimulationProfile,
        first_day: date,
        end_day: date,
        *,
        unit_codes: set[str] | None = None,
        faults: FaultConfig | None = None,
        shard: int = 0,
        shards: int = 1,
        truth: bool = False,
    ) -> None:
        self.profile = profile
        self.first_day, self.end_day = first_day, end_day
        self.visible = unit_codes  # None: every unit, as the DAG pulls them
        codes = {u.code for u in all_units() if unit_codes is None or u.code in unit_codes}
        self.codes = shard_codes(codes, profile, shards)[shard] if shards > 1 else codes
        self.units = [u for u in all_units() if u.code in self.codes]
        self.with_catalogue = shard == 0
        self.injector = FaultInjector(faults or FaultConfig(), profile.seed)
        self.tally = Tally(dossiers_by_unit_month={} if truth else None)
        # pull day -> (source name, code) -> [(visible change, key, state function)]
        self.pending: dict[date, dict[tuple[str, str], list]] = defaultdict(lambda: defaultdict(list))
        self._catalogue = procedure_entities() if self.with_catalogue else []
        self._firsts: list[tuple[datetime, str]] | None = None
        self._known: dict[datetime, frozenset[str]] = {}
        self._started = False

    # -- which pulls serve an entity ------------------------------------------------------------
    @lru_cache(maxsize=4096)  # noqa: B019 - one Province per worker, days are few
    def pulled_codes(self, day: date) -> frozenset[str]:
        """Codes the DAG pulls on ``day``: the units the source lists (``GET /v1/units?on=``)."""
        return frozenset(u.code for u in units_on(day) if self.visible is None or u.code in self.visible)

    def _serves(self, unit: Unit, day: date, since: datetime, until: datetime) -> bool:
        """Whether the pull of ``unit.code`` on ``day`` serves ``unit`` (the app's unit filter)."""
        if unit.code not in self.pulled_codes(day):
            return False
        first, last = vn_date(since), vn_date(until - timedelta(microseconds=1))
        return (unit.valid_from is None or unit.valid_from <= last) and (unit.valid_to is None or first < unit.valid_to)

    def _schedule(
        self,
        source: RawSource,
        unit: Unit,
        key: str,
        changes: list[datetime],
        state: Callable[[datetime], dict | None],
        born: date,
        lookback: timedelta,
        condition: Callable[[datetime], bool] | None = None,
    ) -> None:
        """Put the entity on each pull day whose interval holds its last visible change.

        ``born``: the day the simulator's generator files it under (receipt); a pull looks back
        to ``vn_date(since - lookback)``. A pull's visible change is the last one before its end;
        it is served when that change is at or after the pull's start (so only on the day of a
        change, or the next day for a change inside the overlap hour).
        """
        days = set()
        for moment in changes:
            day = vn_date(moment)
            days.add(day)
            days.add(day + timedelta(days=1))
        for day in sorted(days):
            if not self.first_day <= day < self.end_day:
                continue
            since, until = pull_interval(source, day, self.first_day)
            if born < vn_date(since - lookback) or not self._serves(unit, day, since, until):
                continue
            i = bisect_left(changes, until) - 1
            if i < 0 or changes[i] < since or (condition is not None and not condition(since)):
                continue
            self.pending[day][(source.name, unit.code)].append((changes[i], key, state))

    def _schedule_dossier(self, dossier: Dossier, unit: Unit, day: date) -> None:
        """The dossier in ``unit``'s feed while ``unit`` holds it (filed under its receipt ``day``)."""
        self._schedule(
            ONE_STOP_DOSSIERS,
            unit,
            dossier.dossier_code,
            dossier.change_times(),
            state_held_by(dossier, unit),
            day,
            timedelta(days=max_lifetime_days()),
        )

    def _generate(self, unit: Unit, day: date) -> None:
        """Every dossier, rating and document of ``unit`` filed under ``day``."""
        profile = self.profile
        lifetime = timedelta(days=max_lifetime_days())
        if in_force(unit, day):
            for seq in range(1, day_count(unit, day, profile) + 1):
                dossier = generate_dossier(unit, day, seq, profile)
                self.tally.dossiers_generated += 1
                if self.first_day <= day < self.end_day:
                    self.tally.dossiers_received += 1
                self._schedule_dossier(dossier, unit, day)
                rating = rating_for(dossier, profile)
                if rating is not None:
                    last = dossier.last_change_at
                    self._schedule(
                        SATISFACTION_RATINGS,
                        unit,
                        rating.rating_id,
                        rating.change_times(),
                        rating.as_of,
                        day,
                        RATING_LAG + lifetime,
                        lambda since, last=last: last >= since - RATING_LAG,
                    )
        # The dossiers abolished units received in the last months before the reform and handed
        # over to this 2025 commune: its feed serves them from the hand-over on (generated here,
        # not by the old unit's worker, so shards stay independent).
        if unit.valid_from == REFORM_DATE and REFORM_DATE - lifetime <= day < REFORM_DATE:
            for source in handover_sources(unit.code):
                if not in_force(source, day):
                    continue
                for seq in range(1, day_count(source, day, profile) + 1):
                    dossier = generate_dossier(source, day, seq, profile)
                    if dossier.handed_over_to == unit:
                        self._schedule_dossier(dossier, unit, day)
        # Not cached: documents_of_day's own cache would keep thousands of days alive.
        for document in documents_of_day.__wrapped__(unit, day, profile):
            self._schedule(
                EOFFICE_DOCUMENTS,
                unit,
                document.document_id,
                document.change_times(),
                document.as_of,
                day,
                DOCUMENT_LIFETIME,
            )

    def _catalogue_items(self, day: date) -> list[tuple[datetime, str, Callable]]:
        since, until = pull_interval(PROCEDURE_CATALOGUE, day, self.first_day)
        out = []
        for entity in self._catalogue:
            i = bisect_left(entity.changes, until) - 1
            if i >= 0 and entity.changes[i] >= since:
                out.append((entity.changes[i], entity.key, entity.state))
        return out

    def known_procedure_codes(self, until: datetime) -> frozenset[str]:
        """Base codes in the catalogue landed by the pulls up to ``until`` (landing's check).

        The catalogue lands first every day, whole on the first: a code is known once its first
        version changed before the end of the day's pull."""
        if until not in self._known:
            if self._firsts is None:
                self._firsts = sorted(
                    (e.changes[0], base_procedure_code(e.key.split("|")[0])) for e in procedure_entities()
                )
            cut = bisect_left(self._firsts, (until, ""))
            self._known[until] = frozenset(code for _, code in self._firsts[:cut])
        return self._known[until]

    # -- serving ---------------------------------------------------------------------------------
    def _served(self, source: RawSource, rows: list[tuple[datetime, str, Callable]]) -> list:
        """The items of one pull, as the app builds them: sorted, drift, malformed items after."""
        items: list = []
        feed = FEEDS[source.name]
        truth = self.tally.dossiers_by_unit_month if source is ONE_STOP_DOSSIERS else None
        for visible, key, state in sorted(rows, key=lambda r: (r[0], r[1])):
            record = state(visible)
            if record is None:
                continue
            items.append(self.injector.drift(feed, key, record))
            if truth is not None:
                month = datetime.fromisoformat(record["received_at"]).astimezone(VN_TZ).strftime("%Y-%m")
                # Counted at the unit that holds it last (a dossier handed over at the reform
                # was the abolished unit's before): the warehouse's competent unit.
                if record.get("handed_over_from_unit_code"):
                    truth.get((record["handed_over_from_unit_code"], month), set()).discard(record["dossier_code"])
                truth.setdefault((record["unit_code"], month), set()).add(record["dossier_code"])
            bad = self.injector.malformed_after(feed, key, record)
            if bad is not None:
                items.append(bad)
                self.tally.malformed[source.name] += 1
        self.tally.items[source.name] += len(items)
        self.tally.batches[source.name] += 1
        return items

    def day_batches(self, day: date) -> list[Batch]:
        """The day's batches in the DAG's order: the catalogue, then each unit's three feeds."""
        if not self._started:
            # Entities filed before the first pull day that its pulls still serve.
            look = max(timedelta(days=max_lifetime_days()) + RATING_LAG, DOCUMENT_LIFETIME) + timedelta(days=2)
            back = self.first_day - timedelta(days=look.days)
            while back < self.first_day:
                for unit in self.units:
                    self._generate(unit, back)
                back += timedelta(days=1)
            self._started = True
        for unit in self.units:
            self._generate(unit, day)
        today = self.pending.pop(day, {})
        batches = []
        if self.with_catalogue:
            since, until = pull_interval(PROCEDURE_CATALOGUE, day, self.first_day)
            items = self._served(PROCEDURE_CATALOGUE, self._catalogue_items(day))
            batches.append(Batch(PROCEDURE_CATALOGUE, CATALOGUE_SCOPE, day, since, until, items))
        for code in sorted(self.pulled_codes(day) & self.codes):
            for source in UNIT_SOURCES:
                since, until = pull_interval(source, day, self.first_day)
                items = self._served(source, today.get((source.name, code), []))
                batches.append(Batch(source, code, day, since, until, items))
        return batches

    def batches(self) -> Iterator[Batch]:
        day = self.first_day
        while day < self.end_day:
            yield from self.day_batches(day)
            day += timedelta(days=1)


# -- landing: the production path ---------------------------------------------------------------
def feed_items(batch: Batch) -> list[FeedItem]:
    """The items as ``OneStopClient.changed`` hands them to landing (canonical text, parsed payload)."""
    return [
        FeedItem(json.dumps(item, ensure_ascii=False, sort_keys=True), item if isinstance(item, dict) else None)
        for item in batch.items
    ]


def land_through_load_batch(conn, batch: Batch) -> dict:
    """Land one batch exactly as a daily run does, minus HTTP: ``land_pull`` (``load_batch``,
    watermark, commit, seal), checking it asks for the interval the batch was generated for."""
    from motcua.landing.pulls import land_pull

    items = feed_items(batch)

    def fetch(since: datetime, until: datetime) -> list[FeedItem]:
        if (since, until) != (batch.since, batch.until):
            raise AssertionError(f"{batch.source.name} {batch.scope} {batch.day}: land_pull asked {since}..{until}")
        return items

    start = vn_midnight(batch.day)
    first = CATALOGUE_FIRST_PULL_FROM if batch.source is PROCEDURE_CATALOGUE else None
    return land_pull(conn, batch.source, batch.scope, fetch, start, start + timedelta(days=1), first)


# -- landing: the bulk path ---------------------------------------------------------------------
def _copy_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@dataclass
class _Prepared:
    batch: Batch
    batch_id: uuid.UUID
    extracted_at: datetime
    received: int
    loaded: int
    already_present: int
    bad: list[tuple[str, bytes]]
    unknown: list[str]


class BulkLoader:
    """``load_batch``'s rules in Python, rows written with COPY a chunk of days at a time."""

    def __init__(self, conn, province: Province, chunk_rows: int = 40_000) -> None:
        self.conn = conn
        self.province = province
        self.chunk_rows = chunk_rows
        self.rows: dict[str, list[str]] = defaultdict(list)  # raw table -> COPY text lines
        self.prepared: list[_Prepared] = []
        self.buffered = 0
        # (source, scope) -> {(key, version): checksum} of its previous batch (the overlap's repeats)
        self.previous: dict[tuple[str, str], dict[tuple[str, int], str]] = {}
        self.counts: Counter = Counter()

    def add(self, batch: Batch) -> None:
        source = batch.source
        extracted_at = batch.until + EXTRACT_DELAY
        arrived: list[tuple[str, int, str, dict, bytes]] = []
        bad: list[tuple[str, bytes]] = []
        unknown: set[str] = set()
        for item in batch.items:
            payload = item if isinstance(item, dict) else None
            original = json.dumps(item, ensure_ascii=False, sort_keys=True).encode()
            keyed = key_of(source, payload, extracted_at)
            if source.contract is not None and payload is not None:
                unknown |= source.contract.unknown_fields(payload)
            if isinstance(keyed, str):
                bad.append((keyed, original))
            else:
                arrived.append((keyed[0], keyed[1], checksum(payload), payload, original))
        catalogue_field = getattr(source.contract, "catalogue_field", None)
        if catalogue_field and arrived:
            known = self.province.known_procedure_codes(batch.until)
            kept = []
            for record in arrived:
                code = record[3][catalogue_field]
                if base_procedure_code(code) in known:
                    kept.append(record)
                else:
                    bad.append(
                        (
                            f"breaks the feed contract: {catalogue_field}: {code} is not in the procedure catalogue",
                            record[4],
                        )
                    )
            arrived = kept
        firsts: dict[tuple[str, int], tuple] = {}
        repeated = 0
        for record in arrived:
            first = firsts.setdefault((record[0], record[1]), record)
            if first is record:
                continue
            if first[2] == record[2]:
                repeated += 1
            else:
                bad.append((f"version {record[1]} of {record[0]} arrived twice with different content", record[4]))
        previous = self.previous.get((source.name, batch.scope), {})
        batch_id = uuid.uuid4()
        loaded, present = 0, repeated
        lines = self.rows[source.table]
        stamp = extracted_at.isoformat()
        for (key, version), record in firsts.items():
            seen = previous.get((key, version))
            if seen is not None:
                if seen == record[2]:
                    present += 1
                else:
                    bad.append((f"version {version} of {key} arrived again with different content", record[4]))
                continue
            payload_text = json.dumps(record[3], ensure_ascii=False)
            lines.append(
                f"{_copy_text(key)}\t{version}\t{batch.scope}\t{batch_id}\t{stamp}\t{record[2]}\t{_copy_text(payload_text)}\n"
            )
            loaded += 1
        self.previous[(source.name, batch.scope)] = {k: r[2] for k, r in firsts.items()}
        self.prepared.append(
            _Prepared(batch, batch_id, extracted_at, len(batch.items), loaded, present, bad, sorted(unknown))
        )
        self.buffered += loaded + 1
        if self.buffered >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        """One transaction: quarantine, ledger rows and raw rows of the buffered batches; then seal."""
        from motcua.landing.ledger import seal_loaded_batches

        if not self.prepared:
            return
        conn = self.conn
        with conn.transaction():
            ledger = []
            for p in self.prepared:
                quarantined = already_quarantined = 0
                if p.bad:
                    firsts: dict[bytes, tuple[str, bytes]] = {}
                    for reason, raw in p.bad:
                        firsts.setdefault(hashlib.sha256(raw).digest(), (reason, raw))
                    for reason, raw in firsts.values():
                        quarantined += conn.execute(
                            """insert into raw.quarantine
                                   (batch_id, source, unit_code, reason, raw_bytes, quarantined_at)
                               values (%s, %s, %s, %s, %s, %s) on conflict (source, raw_sha256) do nothing""",
                            (p.batch_id, p.batch.source.name, p.batch.scope, reason, raw, p.extracted_at),
                        ).rowcount
                    already_quarantined = len(p.bad) - quarantined
                ledger.append(
                    (
                        p.batch_id,
                        p.batch.source.name,
                        p.batch.scope,
                        p.batch.since,
                        p.batch.until,
                        "loaded",
                        p.received,
                        p.loaded,
                        p.already_present,
                        quarantined,
                        already_quarantined,
                        p.unknown,
                        [],
                        p.extracted_at,
                        p.extracted_at,
                    )
                )
                self.counts[p.batch.source.name, "received"] += p.received
                self.counts[p.batch.source.name, "loaded"] += p.loaded
                self.counts[p.batch.source.name, "quarantined"] += quarantined
            with conn.cursor().copy(
                """copy raw.batch_ledger (batch_id, source, unit_code, interval_start, interval_end, status,
                   received, loaded, already_present, quarantined, already_quarantined, unknown_fields,
                   checks_skipped, started_at, finished_at) from stdin"""
            ) as copy:
                for row in ledger:
                    copy.write_row(row)
            for table, lines in self.rows.items():
                if lines:
                    with conn.cursor().copy(f"copy {table} ({', '.join(RAW_COLUMNS)}) from stdin") as copy:
                        for start in range(0, len(lines), 2000):
                            copy.write("".join(lines[start : start + 2000]))
        seal_loaded_batches(conn)
        self.rows.clear()
        self.prepared.clear()
        self.buffered = 0


def set_watermarks(conn) -> None:
    """Each source and unit's high-water mark: the end of its last landed interval (``advance_watermark``)."""
    conn.execute(
        """insert into raw.watermarks (source, unit_code, high_water_mark)
           select source, unit_code, max(interval_end) from raw.batch_ledger where status = 'loaded'
           group by source, unit_code
           on conflict (source, unit_code) do update
           set high_water_mark = greatest(raw.watermarks.high_water_mark, excluded.high_water_mark),
               updated_at = now()"""
    )
    conn.commit()


# -- workers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    scale: float
    seed: int
    first_day: date
    end_day: date
    unit_codes: frozenset[str] | None = None
    faults: FaultConfig | None = None
    processes: int = 2
    path: str = "bulk"  # bulk | load_batch | none (generate only)
    url: str | None = None
    truth: bool = False
    #: Generate-only: also do landing's per-record work (key, contract, checksum, JSON text).
    prepare: bool = True


def _rss_mb() -> float:
    try:
        import psutil

        return psutil.Process().memory_info().rss / 1e6
    except ImportError:  # pragma: no cover
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _worker(job: Job, shard: int) -> dict:
    profile = profile_for(job.scale, job.seed)
    codes = set(job.unit_codes) if job.unit_codes is not None else None
    province = Province(
        profile,
        job.first_day,
        job.end_day,
        unit_codes=codes,
        faults=job.faults,
        shard=shard,
        shards=job.processes,
        truth=job.truth,
    )
    started = time.perf_counter()
    peak = 0.0
    prepared = 0
    if job.path == "none":
        day = job.first_day
        while day < job.end_day:
            for batch in province.day_batches(day):
                if job.prepare:
                    for item in batch.items:
                        payload = item if isinstance(item, dict) else None
                        keyed = key_of(batch.source, payload, batch.until)
                        if payload is not None and not isinstance(keyed, str):
                            checksum(payload)
                            json.dumps(payload, ensure_ascii=False)
                        prepared += 1
            if day.day == 1:
                peak = max(peak, _rss_mb())
            day += timedelta(days=1)
        counts: dict = {}
    else:
        from motcua.warehouse.connect import connect

        with connect(job.url) as conn:
            loader = BulkLoader(conn, province) if job.path == "bulk" else None
            day = job.first_day
            while day < job.end_day:
                for batch in province.day_batches(day):
                    if loader is not None:
                        loader.add(batch)
                    else:
                        land_through_load_batch(conn, batch)
                if day.day == 1:
                    peak = max(peak, _rss_mb())
                day += timedelta(days=1)
            if loader is not None:
                loader.flush()
                counts = {f"{s}.{k}": v for (s, k), v in loader.counts.items()}
            else:
                counts = {}
    peak = max(peak, _rss_mb())
    tally = province.tally
    return {
        "shard": shard,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": peak,
        "tally": tally,
        "prepared": prepared,
        "counts": counts,
    }


def _worker_pool(processes: int):
    """A pool of forked workers that a pool's terminate() (its ``with`` exit) can stop: each
    worker puts SIGTERM and SIGINT back to their defaults, since a handler the parent installed
    (Airflow's, in a test process that ran a DAG before) would otherwise be inherited, ignore
    the SIGTERM, and leave the exit waiting on the worker for ever."""
    return multiprocessing.get_context("fork").Pool(processes, initializer=_default_signals)


def _default_signals() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_job(job: Job) -> dict:
    """Generate (and land) ``job``'s days with ``job.processes`` workers; figures and the tally."""
    if job.path == "load_batch" and job.processes != 1:
        # Batches of one day must land catalogue first, then units: one worker keeps that order.
        job = Job(**{**job.__dict__, "processes": 1})
    profile_for(job.scale, job.seed)  # calibrate once, before the workers fork
    started = time.perf_counter()
    if job.processes == 1:
        results = [_worker(job, 0)]
    else:
        with _worker_pool(job.processes) as pool:
            results = pool.starmap(_worker, [(job, shard) for shard in range(job.processes)])
    if job.path != "none":
        from motcua.warehouse.connect import connect

        with connect(job.url) as conn:
            set_watermarks(conn)
    seconds = time.perf_counter() - started
    tally = Tally(dossiers_by_unit_month={} if job.truth else None)
    counts: Counter = Counter()
    for r in results:
        tally.merge(r["tally"])
        counts.update(r["counts"])
    items = sum(tally.items.values())
    days = (job.end_day - job.first_day).days
    return {
        "path": job.path,
        "scale": job.scale,
        "profile_scale": profile_for(job.scale, job.seed).scale,
        "first_day": job.first_day.isoformat(),
        "end_day": job.end_day.isoformat(),
        "days": days,
        "processes": job.processes,
        "seconds": seconds,
        "dossiers_received": tally.dossiers_received,
        "dossiers_generated": tally.dossiers_generated,
        "dossiers_generated_per_second": tally.dossiers_generated / seconds if seconds else 0.0,
        "items": dict(tally.items),
        "malformed": dict(tally.malformed),
        "batches": dict(tally.batches),
        "items_total": items,
        "items_per_second": items / seconds if seconds else 0.0,
        "dossiers_per_second": tally.dossiers_received / seconds if seconds else 0.0,
        "worker_seconds": [r["seconds"] for r in results],
        "worker_peak_rss_mb": [r["peak_rss_mb"] for r in results],
        "counts": dict(counts),
        "tally": tally,
    }


def describe(result: dict) -> str:
    items = result["items"]
    return (
        f"{result['days']} days {result['first_day']}..{result['end_day']} at scale {result['scale']:g} "
        f"(profile {result['profile_scale']:.3f}), {result['processes']} process(es), path {result['path']}: "
        f"{result['dossiers_received']:,} dossiers received, items served: "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(items.items()))
        + f"; {result['seconds']:.1f} s = {result['items_per_second']:,.0f} items/s, "
        f"{result['dossiers_generated_per_second']:,.0f} dossiers generated/s "
        f"({result['dossiers_generated']:,} with the look-back before the first day); worker peak RSS "
        + ", ".join(f"{m:.0f}" for m in result["worker_peak_rss_mb"])
        + " MB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 = a province-year (2,000,000 dossiers)")
    parser.add_argument("--years", type=int, default=1, help="years of daily pulls before --until")
    parser.add_argument("--days", type=int, default=None, help="instead of --years: this many days before --until")
    parser.add_argument("--until", type=date.fromisoformat, default=DEFAULT_UNTIL)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--path", choices=("bulk", "load_batch"), default="bulk")
    parser.add_argument("--generate-only", action="store_true", help="generate (and prepare) without landing")
    parser.add_argument("--database-url", default=None, help="a bootstrapped warehouse (default: MOTCUA_WAREHOUSE_URL)")
    args = parser.parse_args(argv)
    first = history_days(args.years, args.until)[0]
    if args.days is not None:
        first = args.until - timedelta(days=args.days)
    path = "none" if args.generate_only else args.path
    url = None
    if path != "none":
        from motcua.config import warehouse_url_for_tasks

        url = args.database_url or warehouse_url_for_tasks()
    result = run_job(Job(args.scale, args.seed, first, args.until, processes=args.processes, path=path, url=url))
    print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _collect_worker(job: Job, shard: int, sources: tuple[str, ...]) -> list[tuple]:
    province = Province(
        profile_for(job.scale, job.seed),
        job.first_day,
        job.end_day,
        unit_codes=set(job.unit_codes) if job.unit_codes is not None else None,
        faults=job.faults,
        shard=shard,
        shards=job.processes,
    )
    return [
        (b.source.name, b.scope, b.day, b.since, b.until, b.items)
        for b in province.batches()
        if b.source.name in sources
    ]


def collect_batches(job: Job, sources: tuple[str, ...]) -> list[Batch]:
    """The batches of ``sources`` that ``job``'s days serve, in memory (small samples only)."""
    by_name = {s.name: s for s in (*UNIT_SOURCES, PROCEDURE_CATALOGUE)}
    profile_for(job.scale, job.seed)
    if job.processes == 1:
        rows = _collect_worker(job, 0, sources)
    else:
        with _worker_pool(job.processes) as pool:
            parts = pool.starmap(_collect_worker, [(job, shard, sources) for shard in range(job.processes)])
        rows = [row for part in parts for row in part]
    batches = [Batch(by_name[name], scope, day, since, until, items) for name, scope, day, since, until, items in rows]
    # The days in order, the catalogue first on each (as the DAG lands them).
    batches.sort(key=lambda b: (b.day, b.source is not PROCEDURE_CATALOGUE))
    return batches
