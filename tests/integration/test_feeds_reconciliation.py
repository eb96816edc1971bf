"""Issue 3's proof: a month of the simulator with every fault switched on, pulled by the real
extractors, reconciled against the simulator's ground truth.

Every good record must be in the raw layer exactly once per version, at its latest version;
every malformed item must be in quarantine with a reason; re-running the month must leave the
raw tables identical.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from motcua.orchestration.tasks import extract_load_procedures, extract_load_unit
from motcua.runtime import export_feed_connection
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.faults import FaultConfig
from motcua_simulator.server import running_simulator

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = ("430", "17935")  # Huyện Nam Đàn and Xã Nghĩa Thái, before the reform
MONTH = [date(2025, 3, 1) + timedelta(days=i) for i in range(31)]
SOURCES = {"dossiers": "one_stop_dossiers", "ratings": "satisfaction_ratings", "documents": "eoffice_documents"}
RAW_TABLES = (*SOURCES.values(), "procedure_catalogue")


def _day(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), VN)
    return start, start + timedelta(days=1)


def _pull_month() -> None:
    for day in MONTH:
        start, end = _day(day)
        for unit in UNITS:
            extract_load_unit(unit, start, end)
        extract_load_procedures(start, end)


def _raw_digest(conn) -> dict[str, str]:
    """A checksum per raw table over every row, including when and by which batch it landed."""
    digests = {}
    for table in RAW_TABLES:
        (text,) = conn.execute(
            f"""select coalesce(string_agg(concat_ws('|', source_key, source_version, checksum, batch_id,
                                                     extracted_at), ',' order by source_key, source_version), '')
                from raw.{table}"""
        ).fetchone()
        digests[table] = hashlib.sha256(text.encode()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def chaos(warehouse):
    """The month pulled through a simulator with every fault on; yields its ground truth."""
    import psycopg

    conn = psycopg.connect(warehouse.url, autocommit=True)
    wh_conn = conn
    faults = FaultConfig.chaos(0.05, slow_seconds=1.5)
    app = create_app(SimulationProfile(seed=11, scale=0.5), unit_codes=set(UNITS), faults=faults)
    wh_conn.execute("truncate " + ", ".join(f"raw.{t}" for t in RAW_TABLES) + ", raw.quarantine, raw.watermarks")
    mp = pytest.MonkeyPatch()
    # Slow responses (1.5 s) exceed the client's timeout: they become timeouts, retried quickly.
    mp.setenv("MOTCUA_FEED_TIMEOUT_SECONDS", "1.0")
    mp.setenv("MOTCUA_FEED_BACKOFF_SECONDS", "0.01")
    with running_simulator(None, seed=0, scale=0, app=app) as url:
        export_feed_connection(url)
        _pull_month()
        first = _raw_digest(wh_conn)
        _pull_month()
        second = _raw_digest(wh_conn)
        yield app.state, first, second
    mp.undo()
    conn.close()


def test_every_fault_was_exercised(chaos):
    state, _, _ = chaos
    injected = {name for name, n in state.faults.counts.items() if n}
    assert {"http_429", "http_500", "slow", "duplicate_page", "malformed", "shuffle_within_page"} <= injected
    drift = {
        tag.split(":")[0]
        for unit in UNITS
        for record in state.truth.records("dossiers", unit).values()
        for tag in state.truth.drift_of("dossiers", record)
    }
    assert drift == {"renamed", "added"}


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_raw_holds_each_record_once_at_its_latest_version(chaos, wh_conn, source):
    state, _, _ = chaos
    table = SOURCES[source]
    for unit in UNITS:
        truth = state.truth.records(source, unit)
        assert truth, f"the simulator served no {source} for {unit}"
        raw = {
            key: (version, payload)
            for key, version, payload in wh_conn.execute(
                f"""select distinct on (source_key) source_key, source_version, payload
                    from raw.{table} where unit_code = %s
                    order by source_key, source_version desc""",
                (unit,),
            )
        }
        missing, extra = set(truth) - set(raw), set(raw) - set(truth)
        assert not missing and not extra, f"{source}/{unit}: missing {missing}, extra {extra}"
        for key, record in truth.items():
            assert raw[key] == (record["version"], record), f"{source}/{unit}/{key}"
        duplicates = wh_conn.execute(
            f"select count(*) - count(distinct (source_key, source_version)) from raw.{table}"
        ).fetchone()[0]
        assert duplicates == 0


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_every_malformed_item_is_quarantined_with_a_reason(chaos, wh_conn, source):
    state, _, _ = chaos
    malformed = state.truth.malformed(source)
    assert malformed, f"no malformed {source} served: the fault switch did nothing"
    quarantined = {
        hashlib.sha256(bytes(raw)).hexdigest()[:16]: reason
        for raw, reason in wh_conn.execute(
            "select raw_bytes, reason from raw.quarantine where source = %s", (SOURCES[source],)
        )
    }
    for item in malformed:
        assert item["malformed_id"] in quarantined, item
        assert quarantined[item["malformed_id"]], item


def test_rerunning_the_month_leaves_raw_identical(chaos):
    _, first, second = chaos
    assert first == second
    assert all(first.values())
