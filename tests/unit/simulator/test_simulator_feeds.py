"""HTTP feeds: pagination, the new sources, OpenAPI, fixture mode."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from motcua_simulator.app import create_app
from motcua_simulator.catalogue import catalogue_history
from motcua_simulator.documents import documents_of_day, signature_rate
from motcua_simulator.dossiers import RETURNED, VN_TZ, SimulationProfile, dossiers_received
from motcua_simulator.reference import all_units

DAY = {"updated_since": "2025-06-30T00:00:00+07:00", "updated_until": "2025-07-01T00:00:00+07:00"}


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(SimulationProfile(), unit_codes={"430", "17611"}))


def pull(client, path, params, limit=500):
    items, query = [], {**params, "limit": limit}
    while True:
        response = client.get(path, params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if not page["next_cursor"]:
            return items, page["total"]
        query = {**query, "cursor": page["next_cursor"]}


def test_cursor_pagination_returns_everything_once(client):
    whole, total = pull(client, "/v1/units/430/dossiers", DAY, limit=1000)
    paged, _ = pull(client, "/v1/units/430/dossiers", DAY, limit=7)
    assert total == len(whole) > 20
    assert paged == whole
    first = client.get("/v1/units/430/dossiers", params={**DAY, "limit": 7}).json()
    other = {**DAY, "updated_until": "2025-07-02T00:00:00+07:00", "cursor": first["next_cursor"]}
    assert client.get("/v1/units/430/dossiers", params=other).status_code == 400
    assert client.get("/v1/units/430/dossiers", params={**DAY, "cursor": "garbage"}).status_code == 400
    naive = {**DAY, "updated_since": "2025-06-30T00:00:00"}
    assert client.get("/v1/units/430/dossiers", params=naive).status_code == 422
    assert client.get("/v1/units/999/dossiers", params=DAY).status_code == 404


def test_every_unit_source_follows_the_interval_semantics(client):
    since, until = datetime.fromisoformat(DAY["updated_since"]), datetime.fromisoformat(DAY["updated_until"])
    for source, key in (("dossiers", "dossier_code"), ("ratings", "rating_id"), ("documents", "document_id")):
        items, _ = pull(client, f"/v1/units/430/{source}", DAY)
        assert items, source
        assert len({i[key] for i in items}) == len(items)
        for item in items:
            assert since <= datetime.fromisoformat(item["updated_at"]) < until
            assert item["version"] >= 1


def test_ratings_belong_to_returned_dossiers(client):
    week = {"updated_since": "2025-06-23T00:00:00+07:00", "updated_until": "2025-06-30T00:00:00+07:00"}
    ratings, _ = pull(client, "/v1/units/430/ratings", week)
    unit = next(u for u in all_units() if u.code == "430")
    dossiers = {}
    for k in range(60):
        for d in dossiers_received(unit, date(2025, 6, 29) - timedelta(days=k), SimulationProfile()):
            dossiers[d.dossier_code] = d
    assert len(ratings) > 20
    for rating in ratings:
        dossier = dossiers[rating["dossier_code"]]
        returned = next(at for s, at in dossier.events if s == RETURNED)
        assert datetime.fromisoformat(rating["rated_at"]) >= returned
        assert rating["channel"] in {"kiosk", "portal", "sms"}
        assert (rating["score"] is None) == (rating["channel"] == "sms")
        assert rating["satisfaction"] in {"satisfied", "normal", "unsatisfied"}
    satisfied = sum(r["satisfaction"] == "satisfied" for r in ratings) / len(ratings)
    assert satisfied >= 0.8


def test_documents_calibration_for_a_district_year():
    unit = next(u for u in all_units() if u.code == "430")
    docs = [
        d for k in range(365) for d in documents_of_day(unit, date(2023, 1, 1) + timedelta(days=k), SimulationProfile())
    ]
    with_deadline = [d for d in docs if d.deadline_at]
    late = [d for d in with_deadline if d.completed_at > d.deadline_at]
    assert 0.03 <= len(late) / len(with_deadline) <= 0.11  # Nam Dan: 12 of 182 (6.6 %)
    outgoing = [d for d in docs if d.direction == "outgoing"]
    signed = sum(d.is_digitally_signed for d in outgoing) / len(outgoing)
    assert abs(signed - signature_rate(unit, SimulationProfile())) < 0.03
    assert 0.8 <= signed <= 1.0
    numbers = [int(d.number.split("/")[0]) for d in outgoing]
    assert len(set(numbers)) == len(numbers)  # outgoing numbers are unique within the year


def test_procedure_catalogue_history(client):
    everything = {"updated_since": "2015-01-01T00:00:00+07:00", "updated_until": "2026-01-01T00:00:00+07:00"}
    items, _ = pull(client, "/v1/procedures", everything, limit=200)
    assert 400 <= len({(i["procedure_code"], i["authority_level"]) for i in items}) <= 800
    in_2022 = {"updated_since": "2015-01-01T00:00:00+07:00", "updated_until": "2022-12-01T00:00:00+07:00"}
    items_2022, _ = pull(client, "/v1/procedures", in_2022)
    local = [i for i in items_2022 if i["authority_level"] in ("district", "commune") and not i["valid_to"]]
    levels = {lvl: sum(i["online_level_legacy"] == lvl for i in local) / len(local) for lvl in (2, 3, 4)}
    assert 0.2 <= levels[4] <= 0.45 and 0.05 <= levels[3] <= 0.2  # Nam Dan: 143 / 52 / 256 of 451
    # a snapshot taken in 2018 and again now sees new versions of upgraded procedures
    history = catalogue_history()
    changes = {v.change for versions in history.values() for v in versions}
    assert {"online_upgrade", "time_cut", "transferred_to_commune", "transferred_from_district"} <= changes
    birth = client.get(
        "/v1/procedures",
        params={"updated_since": "2021-06-01T00:00:00+07:00", "updated_until": "2021-06-02T00:00:00+07:00"},
    ).json()["items"]
    record = next(i for i in birth if i["procedure_code"] == "1.001193")
    assert record["online_level_legacy"] == 4 and record["online_service_type"] == "full" and record["version"] == 3


def test_openapi_describes_every_endpoint(client):
    spec = client.get("/openapi.json").json()
    for path in (
        "/v1/units",
        "/v1/units/{unit_code}/dossiers",
        "/v1/units/{unit_code}/ratings",
        "/v1/units/{unit_code}/documents",
        "/v1/procedures",
        "/v1/_truth/{source}",
    ):
        operation = spec["paths"][path]["get"]
        assert operation.get("description") and operation.get("summary"), path
        assert "200" in operation["responses"]
    for model in ("Dossier", "Procedure", "Rating", "Document"):
        assert model in spec["components"]["schemas"]


def test_fixture_mode_serves_the_folder(tmp_path):
    (tmp_path / "dossiers").mkdir()
    base = {"dossier_code": "000.00.30.H41-250630-0001", "unit_code": "430", "channel": 1, "status": 2}
    records = [
        {**base, "version": 1, "updated_at": "2025-06-30T08:00:00+07:00"},
        {**base, "version": 2, "status": 4, "updated_at": "2025-06-30T09:00:00+07:00"},
        {**base, "version": 3, "status": 9, "updated_at": "2025-07-01T10:00:00+07:00"},
        {**base, "dossier_code": "X-2", "version": 1, "updated_at": "2025-06-30T10:00:00+07:00"},
        "not a record",
    ]
    (tmp_path / "dossiers" / "430.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "procedures.json").write_text(
        json.dumps(
            {
                "items": [
                    {
                        "procedure_code": "1.001193",
                        "authority_level": "commune",
                        "version": 1,
                        "updated_at": "2016-01-01T08:00:00+07:00",
                        "name_vi": "Đăng ký khai sinh",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    app = create_app(fixtures_dir=tmp_path)
    client = TestClient(app)
    day1 = client.get("/v1/units/430/dossiers", params=DAY).json()["items"]
    assert [i if isinstance(i, str) else (i["dossier_code"], i["version"]) for i in day1] == [
        ("000.00.30.H41-250630-0001", 2),
        ("X-2", 1),
        "not a record",
    ]
    day2 = client.get(
        "/v1/units/430/dossiers",
        params={"updated_since": "2025-07-01T00:00:00+07:00", "updated_until": "2025-07-02T00:00:00+07:00"},
    ).json()
    assert [(i["dossier_code"], i["version"]) for i in day2["items"] if isinstance(i, dict)] == [
        ("000.00.30.H41-250630-0001", 3)
    ]
    assert client.get("/v1/units/999/dossiers", params=DAY).status_code == 404
    assert [u["unit_code"] for u in client.get("/v1/units", params={"on": "2025-06-30"}).json()["items"]] == ["430"]
    procs = client.get(
        "/v1/procedures",
        params={"updated_since": "2015-01-01T00:00:00+07:00", "updated_until": "2026-01-01T00:00:00+07:00"},
    ).json()["items"]
    assert procs[0]["name_vi"] == "Đăng ký khai sinh"
    truth = client.get("/v1/_truth/dossiers", params={"unit_code": "430"}).json()
    assert {r["key"]: r["version"] for r in truth["records"]} == {"000.00.30.H41-250630-0001": 3, "X-2": 1}
    assert [m["raw_text"] for m in truth["malformed"]] == ['"not a record"']
    assert truth["malformed"][0]["times_served"] == 2


def test_units_listing_and_health(client):
    units = client.get("/v1/units", params={"on": "2025-06-30"}).json()["items"]
    assert {u["unit_code"]: u["level"] for u in units}["430"] == "district"
    after = client.get("/v1/units", params={"on": "2025-07-01"}).json()["items"]
    assert [(u["unit_code"], u["level"], u["parent_code"]) for u in after] == [("17611", "commune", "40")]
    assert client.get("/health").json()["mode"] == "generated"
    assert datetime.now(VN_TZ)  # keeps VN_TZ import meaningful for readers
