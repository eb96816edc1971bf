"""Fault switches, each observable over HTTP, and reconciliation against the ground truth."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.faults import FaultConfig

DAY = {"updated_since": "2025-06-30T00:00:00+07:00", "updated_until": "2025-07-01T00:00:00+07:00"}
PATH = "/v1/units/430/dossiers"


def make(**faults) -> TestClient:
    return TestClient(create_app(SimulationProfile(), unit_codes={"430"}, faults=FaultConfig(**faults)))


def get_page(client, params):
    for _ in range(8):
        response = client.get(PATH, params=params)
        if response.status_code not in (429, 500):
            assert response.status_code == 200
            return response.json()
    raise AssertionError("retries exhausted")


def pages(client, params, limit):
    out, query = [], {**params, "limit": limit}
    while True:
        page = get_page(client, query)
        out.append(page["items"])
        if not page["next_cursor"]:
            return out
        query = {**query, "cursor": page["next_cursor"]}


def test_defaults_are_fault_free():
    assert not FaultConfig().enabled
    with pytest.raises(ValueError):
        FaultConfig(malformed=1.5)


def test_rate_limit_then_success():
    client = make(rate_limit=1.0, max_consecutive_failures=3)
    statuses = [client.get(PATH, params=DAY) for _ in range(4)]
    assert [r.status_code for r in statuses] == [429, 429, 429, 200]
    assert all(r.headers["Retry-After"] in {"0", "1"} for r in statuses[:3])


def test_server_errors():
    client = make(server_error=1.0, max_consecutive_failures=2)
    assert [client.get(PATH, params=DAY).status_code for _ in range(3)] == [500, 500, 200]


def test_http_faults_are_deterministic():
    runs = []
    for _ in range(2):
        client = make(rate_limit=0.3, server_error=0.2)
        runs.append([client.get(PATH, params={**DAY, "limit": n}).status_code for n in range(1, 30)])
    assert runs[0] == runs[1]
    assert {429, 500, 200} <= set(runs[0])


def test_slow_responses():
    client = make(slow=1.0, slow_seconds=0.3, max_consecutive_failures=5)
    started = time.perf_counter()
    assert client.get(PATH, params=DAY).status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_duplicate_pages():
    clean = pages(make(), DAY, 10)
    dup = pages(make(duplicate_page=1.0), DAY, 10)
    assert dup[0] == dup[1] == clean[0]
    assert len(dup) == 2 * len(clean)


def test_overlapping_pages():
    clean = pages(make(), DAY, 10)
    over = pages(make(overlapping_pages=1.0, overlap_items=2), DAY, 10)
    assert over[1][:2] == over[0][-2:]
    assert {json.dumps(i, sort_keys=True) for p in over for i in p} == {
        json.dumps(i, sort_keys=True) for p in clean for i in p
    }


def test_out_of_order_within_and_across_pages():
    clean = [i for p in pages(make(), DAY, 20) for i in p]
    within = pages(make(shuffle_within_page=1.0), DAY, 20)
    across = [i for p in pages(make(shuffle_across_pages=1.0), DAY, 20) for i in p]
    flat = [i for p in within for i in p]
    assert flat != clean and sorted(map(json.dumps, flat)) == sorted(map(json.dumps, clean))
    assert across != clean and sorted(map(json.dumps, across)) == sorted(map(json.dumps, clean))
    assert pages(make(shuffle_across_pages=1.0), DAY, 20)[0] != pages(make(), DAY, 20)[0]


def test_schema_drift_added_and_renamed_fields():
    client = make(added_field=1.0, renamed_field=1.0)
    items = [i for p in pages(client, DAY, 500) for i in p]
    assert all(i["nguon_dong_bo"] == "igate-v3" and "kenh_nop" in i and "channel" not in i for i in items)
    truth = client.get("/v1/_truth/dossiers").json()
    assert all(set(r["drift"]) == {"renamed:channel->kenh_nop", "added:nguon_dong_bo"} for r in truth["records"])
    partial = [i for p in pages(make(renamed_field=0.3), DAY, 500) for i in p]
    renamed = sum("kenh_nop" in i for i in partial)
    assert 0 < renamed < len(partial)


def test_malformed_items_of_every_kind():
    client = make(malformed=0.5)
    week = {"updated_since": "2025-06-23T00:00:00+07:00", "updated_until": "2025-07-01T00:00:00+07:00"}
    items = [i for p in pages(client, week, 500) for i in p]
    truth = client.get("/v1/_truth/dossiers", params={"unit_code": "430"}).json()
    reasons = {m["reason"] for m in truth["malformed"]}
    assert reasons == {"not_an_object", "missing_key", "version_not_integer", "broken_timestamp"}
    assert any(isinstance(i, str) for i in items)
    assert any(isinstance(i, dict) and isinstance(i.get("version"), str) for i in items)


def test_late_commits_are_caught_by_the_overlap_window():
    plain, late = make(), make(late_commit=0.5, late_commit_max_minutes=50)
    keys = lambda items: {(i["dossier_code"], i["version"]) for i in items}  # noqa: E731
    morning = {"updated_since": "2025-06-30T00:00:00+07:00", "updated_until": "2025-06-30T10:00:00+07:00"}
    clean = keys(i for p in pages(plain, morning, 500) for i in p)
    faulty = keys(i for p in pages(late, morning, 500) for i in p)
    assert faulty != clean
    nxt = {"updated_since": "2025-06-30T09:00:00+07:00", "updated_until": "2025-06-30T12:00:00+07:00"}
    caught = keys(i for p in pages(late, nxt, 500) for i in p)
    held_codes = {c for c, _ in faulty | caught}
    assert {c for c, _ in clean} <= held_codes
    # what was held back is served by the next, overlapping pull at the same or a later version
    for code, version in clean - faulty:
        assert any(c == code and v >= version for c, v in caught)


def _extract(client, unit, start: datetime, days: int, source: str, key_fields: tuple[str, ...]):
    """A minimal correct extractor: retries, 1-hour overlap, validation, (key, version) dedupe."""
    held: dict[str, int] = {}
    contents: dict[tuple[str, int], str] = {}
    quarantined: set[str] = set()
    for k in range(days):
        since, until = start + timedelta(days=k) - timedelta(hours=1), start + timedelta(days=k + 1)
        query = {"updated_since": since.isoformat(), "updated_until": until.isoformat(), "limit": 50}
        while True:
            for _ in range(8):
                response = client.get(f"/v1/units/{unit}/{source}", params=query)
                if response.status_code == 200:
                    break
            page = response.json()
            for item in page["items"]:
                text = json.dumps(item, ensure_ascii=False, sort_keys=isinstance(item, dict))
                ident = hashlib.sha256(text.encode()).hexdigest()[:16]
                ok = isinstance(item, dict) and all(isinstance(item.get(f), str) and item.get(f) for f in key_fields)
                ok = ok and type(item.get("version")) is int
                try:
                    ok = ok and datetime.fromisoformat(item["updated_at"]).tzinfo is not None
                except (ValueError, TypeError):
                    ok = False
                if not ok:
                    quarantined.add(ident)
                    continue
                key = "|".join(item[f] for f in key_fields)
                previous = contents.setdefault((key, item["version"]), text)
                assert previous == text, "same (key, version) served with different content"
                held[key] = max(held.get(key, 0), item["version"])
            if not page["next_cursor"]:
                break
            query = {**query, "cursor": page["next_cursor"]}
    return held, quarantined


@pytest.mark.parametrize(
    "source,key_fields", [("dossiers", ("dossier_code",)), ("ratings", ("rating_id",)), ("documents", ("document_id",))]
)
def test_reconciliation_with_every_fault(source, key_fields):
    faults = FaultConfig.chaos(0.15, late_commit_max_minutes=50)
    client = TestClient(create_app(SimulationProfile(), unit_codes={"430"}, faults=faults))
    start = datetime.fromisoformat("2025-06-28T00:00:00+07:00")
    held, quarantined = _extract(client, "430", start, 3, source, key_fields)
    truth = client.get(f"/v1/_truth/{source}", params={"unit_code": "430"}).json()
    assert held == {r["key"]: r["version"] for r in truth["records"]}
    assert quarantined == {m["malformed_id"] for m in truth["malformed"]}
    assert truth["malformed"] and truth["faults"]
    as_of = client.get(f"/v1/_truth/{source}", params={"unit_code": "430", "as_of": "2025-06-29T00:00:00+07:00"})
    assert len(as_of.json()["records"]) < len(truth["records"])
    assert client.app.state.truth.records(source, "430") == {r["key"]: r["record"] for r in truth["records"]}
