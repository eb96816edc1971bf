"""The benchmark harness builds the warehouse it measures correctly (not fast: figures are never
asserted; ``make bench`` prints them).

``benchmarks/province.py`` generates three unit codes over sixteen days across the 1 July 2025
reform (Huyện Nam Đàn and Xã Nam Thanh, which end on that day, and code 17935: Xã Nghĩa Thái
until then, the 2025 Xã Nam Đàn from then on), at a small scale, with the simulator's malformed
items and unknown fields switched on. Then:

1. its batches are what the simulator serves over HTTP to the same pulls (the generator computes
   the pulls of each entity instead of asking the simulator pull by pull: same records);
2. landed through the production path (``land_pull``: ``load_batch``, watermark, seal), every
   generated item is in the batch ledger, loaded, already present or quarantined with a reason,
   and nothing else is quarantined; raw holds each record's latest version;
3. the bulk path (COPY, two worker processes) lands the same raw rows, quarantine and ledger
   counts, and the same watermarks;
4. dbt builds ``fct_dossiers`` from it with the dossiers received per unit and month that the
   generator produced.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from datetime import date
from pathlib import Path

import psycopg
import pytest

from motcua.cli import run_dbt
from motcua.feeds.one_stop import OneStopClient
from motcua.landing.raw_sources import PROCEDURE_CATALOGUE
from motcua_simulator.app import create_app
from motcua_simulator.faults import FaultConfig
from motcua_simulator.server import running_simulator

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
import province  # the harness's generator, imported as run.py imports it

UNITS = frozenset({"430", "17935", "17938"})
FIRST_DAY, END_DAY = date(2025, 6, 20), date(2025, 7, 6)
SCALE = 0.4  # of a province-year: a few dossiers a unit and day
FAULTS = FaultConfig(malformed=0.05, added_field=0.05)
RAW_TABLES = (
    "one_stop_dossiers",
    "procedure_catalogue",
    "satisfaction_ratings",
    "eoffice_documents",
    "batch_ledger",
    "watermarks",
    "quarantine",
)


def _job(path: str, url: str | None, processes: int = 1, truth: bool = False) -> province.Job:
    return province.Job(
        SCALE,
        province.DEFAULT_SEED,
        FIRST_DAY,
        END_DAY,
        unit_codes=UNITS,
        faults=FAULTS,
        processes=processes,
        path=path,
        url=url,
        truth=truth,
    )


def _raw_state(conn: psycopg.Connection) -> dict:
    """What landing decided, without the batch ids and times that differ between two loads."""
    rows = {}
    for source in ("one_stop_dossiers", "procedure_catalogue", "satisfaction_ratings", "eoffice_documents"):
        rows[source] = set(
            conn.execute(
                f"select source_key, source_version, unit_code, checksum, payload::text from raw.{source}"
            ).fetchall()
        )
    return {
        "rows": rows,
        "quarantine": Counter(
            conn.execute("select source, unit_code, reason, encode(raw_sha256, 'hex') from raw.quarantine").fetchall()
        ),
        "ledger": Counter(
            conn.execute(
                """select source, unit_code, interval_start, interval_end, status, received, loaded,
                          already_present, quarantined, already_quarantined, array_to_string(unknown_fields, ',')
                   from raw.batch_ledger"""
            ).fetchall()
        ),
        "unsealed": conn.execute("select count(*) from raw.batch_ledger where load_seq is null").fetchone()[0],
        "watermarks": set(conn.execute("select source, unit_code, high_water_mark from raw.watermarks").fetchall()),
    }


def _truncate(conn: psycopg.Connection) -> None:
    conn.execute("truncate " + ", ".join(f"raw.{t}" for t in RAW_TABLES))


@pytest.fixture(scope="module")
def harness(warehouse, reset_warehouse):
    reset_warehouse()
    profile = province.profile_for(SCALE)
    generated = list(
        province.Province(profile, FIRST_DAY, END_DAY, unit_codes=set(UNITS), faults=FAULTS, truth=True).batches()
    )
    with psycopg.connect(warehouse.url, autocommit=True) as conn:
        _truncate(conn)
        bulk = province.run_job(_job("bulk", warehouse.url, processes=2))
        bulk_state = _raw_state(conn)
        _truncate(conn)
        real = province.run_job(_job("load_batch", warehouse.url, truth=True))
        real_state = _raw_state(conn)
        target = tempfile.mkdtemp(prefix="motcua-dbt-target-")
        run_dbt("seed", "--target-path", target)
        run_dbt("run", "--select", "+fct_dossiers", "--target-path", target)
        built = Counter(
            {
                (unit, month): n
                for unit, month, n in conn.execute(
                    """select competent_unit_code, to_char(received_date, 'YYYY-MM'), count(*)
                       from audit.fct_dossiers group by 1, 2"""
                )
            }
        )
        latest_raw = dict(
            conn.execute(
                "select source_key, max(source_version) from raw.one_stop_dossiers group by source_key"
            ).fetchall()
        )
    return {
        "profile": profile,
        "generated": generated,
        "bulk": bulk,
        "real": real,
        "bulk_state": bulk_state,
        "real_state": real_state,
        "built": built,
        "latest_raw": latest_raw,
    }


def test_the_generator_serves_what_the_simulator_serves_over_http(harness):
    app = create_app(harness["profile"], unit_codes=set(UNITS), faults=FAULTS)
    differing = []
    with running_simulator(None, seed=0, scale=0, app=app) as url, OneStopClient(url) as client:
        for batch in harness["generated"]:
            if batch.source is PROCEDURE_CATALOGUE:
                served = client.procedures(batch.since, batch.until)
            else:
                fetch = {"dossiers": client.dossiers, "ratings": client.ratings, "documents": client.documents}
                served = fetch[province.FEEDS[batch.source.name]](batch.scope, batch.since, batch.until)
            if [i.raw_text for i in served] != [i.raw_text for i in province.feed_items(batch)]:
                differing.append((batch.source.name, batch.scope, batch.day))
    assert not differing
    items = Counter()
    for batch in harness["generated"]:
        items[batch.source.name] += len(batch.items)
    assert items["one_stop_dossiers"] > 100, "too few dossiers to prove anything"
    assert {b.scope for b in harness["generated"]} >= UNITS


def test_every_generated_item_is_loaded_or_quarantined_and_counted(harness):
    real, state = harness["real"], harness["real_state"]
    tally = real["tally"]
    assert sum(tally.malformed.values()) > 0, "no malformed item: quarantine is not exercised"
    ledger = state["ledger"]
    for row in ledger:
        source, status, (received, loaded, present, quarantined, again) = row[0], row[4], row[5:10]
        assert status == "loaded"
        assert received == loaded + present + quarantined + again, source
    by_source: dict[str, Counter] = {}
    for row, n in ledger.items():
        counts = by_source.setdefault(row[0], Counter())
        for name, value in zip(("received", "loaded", "present", "quarantined", "again"), row[5:10], strict=True):
            counts[name] += value * n
        counts["batches"] += n
    assert {s: c["received"] for s, c in by_source.items()} == dict(tally.items)
    assert {s: c["batches"] for s, c in by_source.items()} == dict(tally.batches)
    for source, counts in by_source.items():
        assert counts["loaded"] == len(state["rows"][source]), source
        # Only the malformed items were rejected, each counted once per time it was served.
        assert counts["quarantined"] + counts["again"] == tally.malformed.get(source, 0), source
    # The overlap hour serves some records (and their malformed companions) again the next day.
    assert sum(c["present"] for c in by_source.values()) > 0
    assert sum(state["quarantine"].values()) == sum(c["quarantined"] for c in by_source.values())
    assert all(reason for (_source, _unit, reason, _sha) in state["quarantine"])
    assert state["unsealed"] == 0
    # Raw holds every generated dossier at the latest version the pulls served.
    served_latest: dict[str, int] = {}
    for batch in harness["generated"]:
        if batch.source.name == "one_stop_dossiers":
            for item in batch.items:
                if isinstance(item, dict) and isinstance(item.get("version"), int) and item.get("dossier_code"):
                    code = item["dossier_code"]
                    served_latest[code] = max(served_latest.get(code, 0), item["version"])
    assert harness["latest_raw"] == served_latest


def test_the_bulk_path_lands_what_the_production_path_lands(harness):
    bulk, real = harness["bulk_state"], harness["real_state"]
    assert bulk["rows"] == real["rows"]
    assert bulk["quarantine"] == real["quarantine"]
    assert bulk["ledger"] == real["ledger"]
    assert bulk["watermarks"] == real["watermarks"]
    assert bulk["unsealed"] == 0
    assert harness["bulk"]["items"] == harness["real"]["items"]


def test_dbt_builds_the_dossiers_the_generator_produced_per_unit_and_month(harness):
    truth = harness["real"]["tally"].dossiers_by_unit_month
    expected = Counter({key: len(codes) for key, codes in truth.items()})
    assert sum(expected.values()) > 100
    # Dossiers received before the first day that were still changing are served (and counted) too.
    assert {month for _unit, month in expected} >= {"2025-06", "2025-07"}
    assert harness["built"] == expected
