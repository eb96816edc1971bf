"""Raw layer: COPY loads are idempotent by (key, version); bad records land in quarantine."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from motcua.landing.items import FeedItem
from motcua.landing.loader import advance_watermark, load_batch
from motcua.landing.raw_sources import ONE_STOP_DOSSIERS

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
    ledger = clean_raw.execute("select status, received, loaded from raw.batch_ledger order by started_at").fetchall()
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
    raw = clean_raw.execute("select convert_from(raw_bytes, 'UTF8') from raw.quarantine limit 1").fetchone()[0]
    assert json.loads(raw)["dossier_code"] == "B-250301-0002"
    mark = clean_raw.execute("select high_water_mark from raw.watermarks").fetchone()[0]
    assert mark == INTERVAL[1]


def test_pull_starts_from_a_lagging_watermark(clean_raw, warehouse):
    import psycopg

    from motcua.landing.pulls import OVERLAP, pull_since

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

    from motcua.landing.raw_sources import RawSource, raw_table_ddl

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

    from motcua.landing.pulls import OVERLAP, pull_since

    day = datetime(2025, 3, 10, tzinfo=UTC)
    first = datetime(2025, 3, 1, tzinfo=UTC)
    with psycopg.connect(warehouse.url) as conn:
        assert pull_since(conn, ONE_STOP_DOSSIERS, "431", day, first) == first - OVERLAP
        advance_watermark(conn, ONE_STOP_DOSSIERS, "431", day)
        # Once the unit has a mark, the initial day no longer applies.
        assert pull_since(conn, ONE_STOP_DOSSIERS, "431", day, first) == day - OVERLAP


def _ledger_balances(conn) -> list:
    """Batches whose counts do not add up (received = loaded + present + quarantined + repeats)."""
    return conn.execute(
        """select batch_id, received, loaded, already_present, quarantined, already_quarantined
           from raw.batch_ledger
           where status = 'loaded'
             and received <> loaded + already_present + quarantined + already_quarantined"""
    ).fetchall()


@pytest.mark.parametrize("order", ["first_a", "first_b"])
def test_conflicting_copies_in_one_batch_keep_the_first_to_arrive(clean_raw, warehouse, order):
    """Same (key, version), different content, in one batch: raw keeps the copy that arrived first,
    quarantine the other, whichever sorts first by checksum. Nothing is lost."""
    import psycopg

    a = _item(dossier("C-250301-0001", 1, status=2))
    b = _item(dossier("C-250301-0001", 1, status=4))
    first, second = (a, b) if order == "first_a" else (b, a)
    with psycopg.connect(warehouse.url) as conn:
        result = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, [first, second])
        conn.commit()
    stored = clean_raw.execute("select payload->>'status' from raw.one_stop_dossiers").fetchall()
    assert stored == [(str(first.payload["status"]),)]
    kept_aside = clean_raw.execute("select raw_bytes from raw.quarantine").fetchall()
    assert [bytes(raw) for (raw,) in kept_aside] == [second.original_bytes()]
    assert (result.loaded, result.quarantined, result.already_present) == (1, 1, 0)
    assert _ledger_balances(clean_raw) == []


def test_the_same_malformed_item_is_quarantined_once(clean_raw, warehouse):
    """Items served again in the overlap window are not quarantined again on every pull."""
    import psycopg

    broken = [_item(dossier(f"D-250301-{i:04d}", 1, received_at="30/02/2025")) for i in range(3)]
    with psycopg.connect(warehouse.url) as conn:
        first = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, broken + broken[:1])
        again = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, broken)
        conn.commit()
    assert (first.quarantined, first.already_quarantined) == (3, 1)
    assert (again.quarantined, again.already_quarantined) == (0, 3)
    assert clean_raw.execute("select count(*) from raw.quarantine").fetchone()[0] == 3
    assert _ledger_balances(clean_raw) == []


@pytest.fixture()
def catalogue(clean_raw, warehouse):
    """A landed procedure catalogue that knows 1.001193 and 1.003011."""
    import psycopg

    from motcua.landing.raw_sources import PROCEDURE_CATALOGUE

    clean_raw.execute("truncate raw.procedure_catalogue")
    records = [
        {
            "procedure_code": code,
            "authority_level": "commune",
            "version": 1,
            "updated_at": "2024-01-01T08:00:00+07:00",
            "name_vi": name,
            "valid_from": "2016-01-01",
        }
        for code, name in (("1.001193", "Đăng ký khai sinh"), ("1.003011", "Đăng ký kết hôn"))
    ]
    with psycopg.connect(warehouse.url) as conn:
        assert load_batch(conn, PROCEDURE_CATALOGUE, "province", INTERVAL, [_item(r) for r in records]).loaded == 2
        conn.commit()
    yield
    clean_raw.execute("truncate raw.procedure_catalogue")


IMPOSSIBLE = {
    "received in 2031": (
        {"received_at": "2031-03-01T08:00:00+07:00", "updated_at": "2031-03-01T09:00:00+07:00"},
        "received_at: 2031-03-01T08:00:00+07:00 is in the future",
    ),
    "placeholder date": ({"received_at": "1900-01-01T00:00:00+07:00"}, "received_at: 1900-01-01"),
    "completed before received": (
        {"status": 9, "completed_at": "2025-02-27T10:00:00+07:00"},
        "completed_at: 2025-02-27T10:00:00+07:00 is before received_at",
    ),
    "returned before completed": (
        {"status": 10, "completed_at": "2025-03-01T10:00:00+07:00", "returned_at": "2025-03-01T09:00:00+07:00"},
        "returned_at: ",
    ),
    "not a code": ({"procedure_code": "XYZ"}, "procedure_code: not a procedure code (mã TTHC): 'XYZ'"),
    "markup after a code": ({"procedure_code": "1.003011<script>alert(1)</script>"}, "procedure_code: not a"),
    "SQL as a code": ({"procedure_code": "1.003011'; drop table raw.quarantine; --"}, "procedure_code: not a"),
    "unknown code": ({"procedure_code": "9.999999"}, "procedure_code: not a"),
    "code not in the catalogue": (
        {"procedure_code": "2.002480"},
        "procedure_code: 2.002480 is not in the procedure catalogue",
    ),
    "unit code with text": (
        {"unit_code": "430 or 1=1"},
        "unit_code: not a unit code (GSO, or a province agency's H41.nn)",
    ),
}


def test_impossible_records_are_quarantined_with_the_field_named(catalogue, clean_raw, warehouse):
    """Rows that parse but cannot be true never reach raw: they would move the official figures."""
    import psycopg

    items = [_item(dossier(f"E-250301-{i:04d}", 1, **fields)) for i, (fields, _) in enumerate(IMPOSSIBLE.values())]
    good = [
        _item(dossier("E-250301-0100", 1)),
        _item(dossier("E-250301-0101", 1, procedure_code="1.003011.000.00.00.H41")),  # a local variant
    ]
    with psycopg.connect(warehouse.url) as conn:
        result = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, items + good)
        conn.commit()
    assert (result.loaded, result.quarantined) == (2, len(IMPOSSIBLE))
    reasons = dict(
        clean_raw.execute(
            "select convert_from(raw_bytes, 'UTF8')::jsonb ->> 'dossier_code', reason from raw.quarantine"
        ).fetchall()
    )
    for i, (case, (_, expected)) in enumerate(IMPOSSIBLE.items()):
        assert expected in reasons[f"E-250301-{i:04d}"], case
    assert _ledger_balances(clean_raw) == []


def test_without_a_catalogue_the_code_check_is_recorded_as_skipped(clean_raw, warehouse):
    import psycopg

    clean_raw.execute("truncate raw.procedure_catalogue")
    with psycopg.connect(warehouse.url) as conn:
        result = load_batch(conn, ONE_STOP_DOSSIERS, "430", INTERVAL, [_item(dossier("F-250301-0001", 1))])
        conn.commit()
    assert result.loaded == 1
    assert result.checks_skipped == ("procedure_code: no procedure catalogue landed yet",)
    skipped = clean_raw.execute("select checks_skipped from raw.batch_ledger").fetchone()[0]
    assert skipped == ["procedure_code: no procedure catalogue landed yet"]
