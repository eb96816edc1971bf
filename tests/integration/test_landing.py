"""Raw layer: COPY loads are idempotent by (key, version); bad records land in quarantine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from motcua.feeds.one_stop import FeedItem
from motcua.landing.ledger import ONE_STOP_DOSSIERS
from motcua.landing.loader import advance_watermark, load_batch

INTERVAL = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 2, tzinfo=UTC))


def dossier(code: str, version: int, **fields) -> dict:
    """A record that satisfies the feed contract, with ``fields`` overriding."""
    return {
        "dossier_code": code,
        "version": version,
        "updated_at": "2025-03-01T09:00:00+07:00",
        "unit_code": "430",
        "procedure_code": "1.001193",
        "status": 2,
        "received_at": "2025-03-01T08:00:00+07:00",
        "channel": 2,
        **fields,
    }


def _item(payload) -> FeedItem:
    text = json.dumps(payload, ensure_ascii=False)
    return FeedItem(text, payload if isinstance(payload, dict) else None)


@pytest.fixture()
def clean_raw(wh_conn):
    wh_conn.execute("truncate raw.one_stop_dossiers, raw.quarantine, raw.batch_ledger, raw.watermarks")
    return wh_conn


def _table_digest(conn) -> list:
    return conn.execute(
        "select source_key, source_version, checksum, batch_id from raw.one_stop_dossiers order by 1, 2"
    ).fetchall()


def test_reloading_an_interval_changes_nothing(clean_raw, warehouse):
    import psycopg

    items = [_item(dossier(f"A-250301-{i:04d}", 1)) for i in range(50)]
    with psycopg.connect(warehouse.url) as conn:
        first = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, items)
        before = _table_digest(conn)
        second = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, items)
        assert _table_digest(conn) == before
    assert (first.loaded, first.already_present) == (50, 0)
    assert (second.loaded, second.already_present, second.quarantined) == (0, 50, 0)
    ledger = clean_raw.execute(
        "select status, received, loaded from raw.batch_ledger order by started_at"
    ).fetchall()
    assert ledger == [("loaded", 50, 50), ("loaded", 50, 0)]


def test_duplicates_versions_and_malformed_records(clean_raw, warehouse):
    import psycopg

    items = [
        _item(dossier("B-250301-0001", 1, status=2)),
        _item(dossier("B-250301-0001", 1, status=2)),  # duplicate page
        _item(dossier("B-250301-0001", 3, status=9)),  # newer version
        _item(dossier("B-250301-0001", 2, status=4)),  # out of order
        _item(dossier("B-250301-0002", "2")),  # malformed version
        _item({"version": 1}),  # no key
        _item("not an object"),
        _item(dossier("B-250301-0003", 1, received_at="30/02/2025")),  # broken timestamp
        _item(dossier("B-250301-0004", 1, kenh_nop=3, extra_field="x", channel=None)),  # drift: renamed + added
    ]
    with psycopg.connect(warehouse.url) as conn:
        result = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, items)
        # The same version later arrives with different content: a source defect, kept aside.
        changed = load_batch(
            conn,
            ONE_STOP_DOSSIERS,
            "430",
            INTERVAL,
            [_item(dossier("B-250301-0001", 3, status=10))],
        )
        advance_watermark(conn, ONE_STOP_DOSSIERS, "430", INTERVAL[1])
        advance_watermark(conn, ONE_STOP_DOSSIERS, "430", INTERVAL[0])  # a backfill never rewinds it
        conn.commit()
    assert (result.received, result.loaded, result.already_present, result.quarantined) == (9, 4, 1, 4)
    assert result.unknown_fields == ("extra_field",)
    assert (changed.loaded, changed.quarantined) == (0, 1)
    versions = clean_raw.execute(
        "select source_version, payload->>'status' from raw.one_stop_dossiers"
        " where source_key in ('B-250301-0001', 'B-250301-0004') order by 1, 2"
    ).fetchall()
    assert versions == [(1, "2"), (1, "2"), (2, "4"), (3, "9")]
    reasons = [r for (r,) in clean_raw.execute("select reason from raw.quarantine order by quarantine_id")]
    assert reasons == [
        "version must be a positive integer, got '2'",
        "missing or empty dossier_code",
        "record is not a JSON object",
        "breaks the feed contract: received_at: not an ISO timestamp: '30/02/2025'",
        "version 3 of B-250301-0001 arrived again with different content",
    ]
    raw = clean_raw.execute("select convert_from(raw_bytes, 'UTF8') from raw.quarantine limit 1").fetchone()[
        0
    ]
    assert json.loads(raw)["dossier_code"] == "B-250301-0002"
    mark = clean_raw.execute("select high_water_mark from raw.watermarks").fetchone()[0]
    assert mark == INTERVAL[1]


def test_pull_starts_from_a_lagging_watermark(clean_raw, warehouse):
    import psycopg

    from motcua.landing.extract_load import OVERLAP, pull_since

    day = datetime(2025, 3, 10, tzinfo=UTC)
    with psycopg.connect(warehouse.url) as conn:
        assert pull_since(conn, ONE_STOP_DOSSIERS, "430", day) == day - OVERLAP  # first pull
        advance_watermark(conn, ONE_STOP_DOSSIERS, "430", day - timedelta(days=3))  # three days missed
        assert pull_since(conn, ONE_STOP_DOSSIERS, "430", day) == day - timedelta(days=3) - OVERLAP
        advance_watermark(conn, ONE_STOP_DOSSIERS, "430", day + timedelta(days=5))
        # A backfill of an old interval is not narrowed by a mark ahead of it.
        assert pull_since(conn, ONE_STOP_DOSSIERS, "430", day) == day - OVERLAP


def test_unversioned_source_numbers_distinct_contents(clean_raw, warehouse):
    import psycopg

    from motcua.landing.ledger import RawSource, raw_table_ddl

    source = RawSource("test_portal_scores", ("period", "departmentCode"), None, "test source without versions")
    clean_raw.execute(f"drop table if exists {source.table}")
    clean_raw.execute(raw_table_ddl(source))
    first = [_item({"period": "2025-Q1", "departmentCode": "H41.1", "totalScore": 80.5})]
    revised = [_item({"period": "2025-Q1", "departmentCode": "H41.1", "totalScore": 81.0})]
    with psycopg.connect(warehouse.url) as conn:
        assert load_batch(conn, source, "40", INTERVAL, first).loaded == 1
        assert load_batch(conn, source, "40", INTERVAL, first).already_present == 1  # same content again
        assert load_batch(conn, source, "40", INTERVAL, revised).loaded == 1  # the portal revised it
        assert load_batch(conn, source, "40", INTERVAL, first + revised).loaded == 0
        bad = load_batch(conn, source, "40", INTERVAL, [_item({"period": "2025-Q1"})])
    assert bad.quarantined == 1
    rows = clean_raw.execute(
        f"select source_key, source_version, payload->>'totalScore' from {source.table} order by 2"
    ).fetchall()
    assert rows == [("2025-Q1:H41.1", 1, "80.5"), ("2025-Q1:H41.1", 2, "81.0")]
    clean_raw.execute(f"drop table {source.table}")


def test_first_pull_starts_at_the_initial_load_day(clean_raw, warehouse):
    import psycopg

    from motcua.landing.extract_load import OVERLAP, pull_since

    day = datetime(2025, 3, 10, tzinfo=UTC)
    first = datetime(2025, 3, 1, tzinfo=UTC)
    with psycopg.connect(warehouse.url) as conn:
        assert pull_since(conn, ONE_STOP_DOSSIERS, "431", day, first) == first - OVERLAP
        advance_watermark(conn, ONE_STOP_DOSSIERS, "431", day)
        # Once the unit has a mark, the initial day no longer applies.
        assert pull_since(conn, ONE_STOP_DOSSIERS, "431", day, first) == day - OVERLAP
