"""The simulated Decision 766 evaluation feed of the national portal (motcua_simulator.portal).

The simulator implements the portal's arithmetic on its own; these tests check it against
Motcua's scoring engine (motcua.scoring), which is what Motcua will use to recompute the
portal's points, and against counts made here straight from the generated dossiers.
"""

from __future__ import annotations

import csv
import json
import warnings
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from motcua.scoring.indicators import indicators_for
from motcua.scoring.portal import UnknownIndicatorWarning, parse_evaluation, recompute
from motcua_simulator import portal
from motcua_simulator.dossiers import READY, REJECTED, STOPPED, WITHDRAWN, SimulationProfile, dossiers_received
from motcua_simulator.portal import (
    PORTAL_UNIT_MAP,
    UNIT_MAP_COLUMNS,
    PortalFixtureError,
    gso_code_for,
    injected_differences,
    load_portal_fixture,
    parse_period,
    portal_code_for,
    portal_evaluation,
    portal_router,
    tdgq_counters,
    write_unit_map_csv,
)
from motcua_simulator.reference import REFORM_DATE, all_units, area_units
from motcua_simulator.workdays.deadlines import VN_TZ

FIXTURES = Path(__file__).parent / "fixtures"
PROFILE = SimulationProfile()
NAM_DAN = frozenset(area_units("430"))  # district 430, its old communes, the 2025 communes that absorbed them
SCORED_GROUPS = ("TDGQ", "CKMB", "MDSH", "MDHL")
CENT = Decimal("0.01")


@cache
def evaluation(period_type: str, period: str, unknown: bool = False) -> dict:
    return portal_evaluation("H41", period_type, period, PROFILE, NAM_DAN, include_unknown_metric=unknown)


@cache
def truth(period_type: str, period: str) -> dict:
    return injected_differences("H41", period_type, period, PROFILE, NAM_DAN)


def last_day(period_type: str, period: str) -> date:
    return parse_period(period_type, period)[1] - timedelta(days=1)


def parsed(response: dict, period_type: str, period: str):
    indicators = indicators_for(last_day(period_type, period))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unknown code, no schema surprise
        return parse_evaluation(response, indicators), indicators


def unit_of(gso_code: str, after_reform: bool):
    return next(
        u
        for u in all_units()
        if u.code == gso_code and (u.valid_from == REFORM_DATE if after_reform else u.level == "district")
    )


def own_tdgq(gso_code: str, after_reform: bool, period_type: str, period: str) -> tuple[int, int, int]:
    """(received, on time, overdue) counted here from the dossiers, as of the end of the period."""
    unit = unit_of(gso_code, after_reform)
    start, end = parse_period(period_type, period)
    end_at = datetime(end.year, end.month, end.day, tzinfo=VN_TZ)
    received = on_time = 0
    day = start
    while day < end:
        for dossier in dossiers_received(unit, day, PROFILE):
            received += 1
            settled = next(
                (at for s, at in dossier.events if s in (READY, REJECTED, WITHDRAWN, STOPPED) and at < end_at), None
            )
            on_time += (settled or end_at) <= dossier.appointment_due_at
        day += timedelta(days=1)
    return received, on_time, received - on_time


def record(response: dict, portal_code: str) -> dict:
    return next(r for r in response["data"] if r["departmentCode"] == portal_code)


def metric(rec: dict, section: str, code: str) -> dict:
    return next(m for m in rec["componentIndicators"][section]["metrics"] if m["code"] == code)


# --- shape and determinism ---------------------------------------------------------------------


def test_top_level_shape_and_units_listed():
    response = evaluation("month", "2025-09")
    assert (response["provinceCode"], response["periodType"], response["period"]) == ("H41", "month", "2025-09")
    communes = {u.code for u in all_units() if u.valid_from == REFORM_DATE} & NAM_DAN
    listed = {gso_code_for(r["departmentCode"]) for r in response["data"]}
    assert listed == communes and all(r["childGroup"] == "COMMUNE" for r in response["data"])
    before = evaluation("month", "2025-06")["data"]
    assert [(r["departmentCode"], r["childGroup"]) for r in before] == [
        (portal_code_for("430", date(2025, 6, 1)), "AGENCY")
    ]
    assert [r["rank"] for r in response["data"]] == sorted(r["rank"] for r in response["data"])


def test_deterministic_and_seeded():
    first = json.dumps(portal_evaluation("H41", "month", "2025-09", PROFILE, NAM_DAN), sort_keys=True)
    portal._evaluate.cache_clear()
    again = json.dumps(portal_evaluation("H41", "month", "2025-09", SimulationProfile(), set(NAM_DAN)), sort_keys=True)
    assert first == again
    other = portal_evaluation("H41", "month", "2025-09", SimulationProfile(seed=7), NAM_DAN)
    assert json.dumps(other, sort_keys=True) != first


def test_quarter_receives_what_its_months_receive():
    months = [evaluation("month", f"2025-{m:02d}") for m in (7, 8, 9)]
    quarter = evaluation("quarter", "2025-Q3")
    for rec in quarter["data"]:
        code = rec["departmentCode"]
        monthly = sum(record(m, code)["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]["totalReceived"] for m in months)
        assert rec["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]["totalReceived"] == monthly


# --- TDGQ counters from the dossiers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("period_type", "period", "after_reform"), [("month", "2025-09", True), ("month", "2025-06", False)]
)
def test_tdgq_counters_equal_the_dossiers(period_type, period, after_reform):
    response = evaluation(period_type, period)
    differing = {d["portal_code"] for d in truth(period_type, period)["differences"]}
    checked = 0
    for rec in response["data"]:
        if rec["departmentCode"] in differing:
            continue
        tdgq = rec["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]
        expected = own_tdgq(gso_code_for(rec["departmentCode"]), after_reform, period_type, period)
        assert (tdgq["totalReceived"], tdgq["totalOnTime"], tdgq["totalOverdue"]) == expected
        assert tdgq["totalReceived"] > 100 and tdgq["avgProcessingDays"] > 0
        sync = metric(rec, "CKMB_CongKhaiMinhBach", "DOSSIER_SYNC")
        assert sync["numerator"] == sync["denominator"] == tdgq["totalReceived"] and sync["score"] == 6
        checked += 1
    assert checked >= 1


# --- the portal's points recompute exactly ----------------------------------------------------


@pytest.mark.parametrize(
    ("period_type", "period"),
    [("month", "2025-09"), ("quarter", "2025-Q3"), ("month", "2025-06"), ("month", "2024-03"), ("year", "2025")],
)
def test_every_unit_parses_and_recomputes_to_the_cent(period_type, period):
    response = evaluation(period_type, period)
    result, indicators = parsed(response, period_type, period)
    assert len(result.units) == len(response["data"]) and not result.rejected
    for unit in result.units:
        recomputation = recompute(unit, indicators)
        for row in recomputation.indicators:
            if row.group_code not in SCORED_GROUPS:
                continue
            assert row.official_points is not None or row.max_points == 0, (unit.unit_code, row.indicator_code)
            if row.difference is not None:
                assert abs(row.difference) < CENT, (unit.unit_code, row.indicator_code, row)
        for group in recomputation.groups:
            if group.group_code in SCORED_GROUPS:
                assert group.difference == 0, (unit.unit_code, group)
        published = sum(v for v in unit.group_scores.values())
        assert unit.total_score == published


@pytest.mark.parametrize(("period_type", "period"), [("month", "2025-09"), ("year", "2025")])
def test_tttt_recomputes_from_its_six_counters_and_online_is_not_recomputed(period_type, period):
    response = evaluation(period_type, period)
    result, indicators = parsed(response, period_type, period)
    for unit in result.units:
        groups = {group.group_code: group for group in recompute(unit, indicators).groups}
        assert groups["TTTT"].status == "equal", (unit.unit_code, groups["TTTT"])
        # As on the portal, a child unit publishes no ONLINE counters: kept out of the comparison.
        assert groups["ONLINE"].status == "not recomputed"
        assert groups["ONLINE"].missing_counters[0] == "partialCount"
        assert Decimal(0) <= groups["ONLINE"].official_points <= Decimal(12)


def test_portal_rules_on_known_records():
    response = evaluation("month", "2025-09")
    for rec in response["data"]:
        tdgq = rec["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]
        expected = (Decimal(20) * tdgq["totalOnTime"] / tdgq["totalReceived"]).quantize(CENT, "ROUND_HALF_UP")
        assert Decimal(str(tdgq["score"])) == expected
        reuse = metric(rec, "MDSH_SoHoaHoSo", "REUSED_DIGITIZED_DATA")
        rate = Decimal(reuse["numerator"]) / reuse["denominator"]
        expected = min(Decimal(2), 2 * rate / Decimal("0.8")).quantize(CENT, "ROUND_HALF_UP")
        assert Decimal(str(reuse["score"])) == expected
        for code in ("PETITION_CLASSIFICATION_TTHC", "PETITION_CLASSIFICATION_STAFF"):
            assert metric(rec, "MDHL_MucDoHaiLong", code)["maxScore"] == 0
            assert metric(rec, "MDHL_MucDoHaiLong", code)["score"] is None


# --- occasional features ---------------------------------------------------------------------


def test_stated_ratio_zero_denominator_and_warning_are_present():
    response, facts = evaluation("month", "2025-09"), truth("month", "2025-09")
    kinds = {f["feature"] for f in facts["features"]}
    assert {"STATED_RATIO_ONLY", "ZERO_DENOMINATOR_PETITION", "DATA_QUALITY_WARNING"} <= kinds
    for feature in facts["features"]:
        rec = record(response, feature["portal_code"])
        section = {"DOSSIER_SYNC": "CKMB_CongKhaiMinhBach", "PUBLIC_CONTENT_FULL": "CKMB_CongKhaiMinhBach"}.get(
            feature["metric"], "MDHL_MucDoHaiLong" if feature["metric"].startswith("PETITION") else "MDSH_SoHoaHoSo"
        )
        entry = metric(rec, section, feature["metric"])
        if feature["feature"] == "STATED_RATIO_ONLY":
            assert entry["numerator"] is None and entry["denominator"] is None and entry["ratio"] is not None
            expected = min(Decimal(entry["maxScore"]), entry["maxScore"] * Decimal(str(entry["ratio"])) / 100)
            assert Decimal(str(entry["score"])) == expected.quantize(CENT, "ROUND_HALF_UP")
        elif feature["feature"] == "ZERO_DENOMINATOR_PETITION":
            assert entry["denominator"] == 0 and entry["score"] == 6
        else:
            assert entry["dataQualityStatus"] == "WARNING" and entry["dataQualityMessage"]


def test_unknown_metric_only_on_request_and_kept_by_the_parser():
    assert not any(f["feature"] == "UNKNOWN_METRIC" for f in truth("month", "2025-09")["features"])
    response = evaluation("month", "2025-09", unknown=True)
    indicators = indicators_for(date(2025, 9, 30))
    with pytest.warns(UnknownIndicatorWarning):
        result = parse_evaluation(response, indicators)
    with_unknown = [u for u in result.units if any(not row.known_indicator for row in u.rows)]
    assert with_unknown
    for unit in with_unknown:
        row = next(row for row in unit.rows if not row.known_indicator)
        assert row.indicator_code == portal.UNKNOWN_METRIC_CODE and row.group_code == "MDSH"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UnknownIndicatorWarning)
            mdsh = next(g for g in recompute(unit, indicators).groups if g.group_code == "MDSH")
        # The portal counts the new metric in its group; Motcua's table does not know it yet.
        assert mdsh.difference == -row.official_points


# --- injected own-vs-portal differences --------------------------------------------------------


@pytest.mark.parametrize(("period_type", "period"), [("month", "2025-09"), ("quarter", "2025-Q3")])
def test_injected_differences_are_present_and_listed(period_type, period):
    response, facts = evaluation(period_type, period), truth(period_type, period)
    assert facts["differences"], "the Nam Dan communes include units with synchronisation trouble"
    assert len(facts["differences"]) < len(response["data"])
    for difference in facts["differences"]:
        rec = record(response, difference["portal_code"])
        tdgq = rec["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]
        own = own_tdgq(difference["gso_unit_code"], True, period_type, period)
        portal_counts = (tdgq["totalReceived"], tdgq["totalOnTime"], tdgq["totalOverdue"])
        assert portal_counts != own
        assert own == tuple(
            difference["counters"]["TDGQ"]["own"][k] for k in ("totalReceived", "totalOnTime", "totalOverdue")
        )
        assert portal_counts == tuple(
            difference["counters"]["TDGQ"]["portal"][k] for k in ("totalReceived", "totalOnTime", "totalOverdue")
        )
        assert tdgq["totalReceived"] == own[0] - len(difference["unsynced_dossiers"])
        assert difference["on_time_rate_percent"]["own"] != difference["on_time_rate_percent"]["portal"]
        assert difference["points"]["TDGQ"]["portal"] == tdgq["score"]
        sync = metric(rec, "CKMB_CongKhaiMinhBach", "DOSSIER_SYNC")
        assert sync["ratio"] < 100 and sync["dataQualityStatus"] == "WARNING"
        assert sync["denominator"] - sync["numerator"] == (
            len(difference["unsynced_dossiers"]) + len(difference["stale_dossiers"])
        )


# --- unit map ----------------------------------------------------------------------------------


def test_unit_map_is_a_loadable_mapping_table(tmp_path):
    codes = [row.portal_code for row in PORTAL_UNIT_MAP]
    assert len(codes) == len(set(codes)) and all(code.startswith("H41.") for code in codes)
    communes_2025 = {u.code for u in all_units() if u.level == "commune" and u.valid_from == REFORM_DATE}
    districts = {u.code for u in all_units() if u.level == "district"}
    # The agencies the portal scores: every province agency but the service centre (settles nothing).
    agency_units = {u.code for u in all_units() if u.level == "agency" and u.agency_type != "service_centre"}
    rows = {row.child_group: [] for row in PORTAL_UNIT_MAP}
    for row in PORTAL_UNIT_MAP:
        rows[row.child_group].append(row)
    assert {r.gso_unit_code for r in rows["COMMUNE"]} == communes_2025
    assert {r.gso_unit_code for r in rows["AGENCY"]} == districts | agency_units
    assert portal_code_for("430", date(2025, 6, 30)) is not None and portal_code_for("430", REFORM_DATE) is None
    assert gso_code_for(portal_code_for("17935", REFORM_DATE)) == "17935"
    path = write_unit_map_csv(tmp_path / "map.csv")
    with path.open(encoding="utf-8", newline="") as fh:
        read = list(csv.DictReader(fh))
    assert tuple(read[0]) == UNIT_MAP_COLUMNS and len(read) == len(PORTAL_UNIT_MAP)
    department = next(r for r in read if r["portal_name"] == "Sở Tư pháp")
    # An agency has no GSO code: its unit code in Motcua is its own (the same as the portal's).
    assert department["gso_unit_code"] == "H41.01" and department["valid_from"] == "2025-07-01"


def test_agencies_records_come_from_their_dossiers():
    response = portal_evaluation("H41", "month", "2025-09", PROFILE, {"H41.01", "H41.05"})
    assert {r["departmentCode"] for r in response["data"]} == {"H41.01", "H41.05"}
    result, indicators = parsed(response, "month", "2025-09")
    for unit in result.units:
        assert unit.child_group == "AGENCY"
        agency = next(u for u in all_units() if u.code == unit.unit_code)
        september = [d for n in range(30) for d in dossiers_received(agency, date(2025, 9, 1 + n), PROFILE)]
        assert tdgq_counters(agency, "month", "2025-09", PROFILE)["totalReceived"] == len(september) > 0
        for group in recompute(unit, indicators).groups:
            if group.group_code in SCORED_GROUPS:
                assert group.difference == 0


def test_parse_period():
    assert parse_period("month", "2025-06") == (date(2025, 6, 1), date(2025, 7, 1))
    assert parse_period("month", "2025-12") == (date(2025, 12, 1), date(2026, 1, 1))
    assert parse_period("quarter", "2025-Q2") == (date(2025, 4, 1), date(2025, 7, 1))
    assert parse_period("quarter", "2025-q4") == (date(2025, 10, 1), date(2026, 1, 1))
    assert parse_period("year", "2025") == (date(2025, 1, 1), date(2026, 1, 1))
    for period_type, period in (("month", "2025-13"), ("quarter", "2025-Q5"), ("year", "25"), ("week", "2025")):
        with pytest.raises(ValueError):
            parse_period(period_type, period)
    with pytest.raises(ValueError):
        portal_evaluation("H40", "month", "2025-06", PROFILE, NAM_DAN)


# --- fixture mode and HTTP ---------------------------------------------------------------------


def test_fixture_loads_parses_and_recomputes():
    saved = load_portal_fixture(FIXTURES / "portal_h41_2025-q3.json")
    assert (saved["provinceCode"], saved["periodType"], saved["period"]) == ("H41", "quarter", "2025-Q3")
    assert len(saved["data"]) == 3
    result, indicators = parsed(saved, "quarter", "2025-Q3")
    for unit in result.units:
        assert gso_code_for(unit.unit_code) in NAM_DAN | {"16681", "H41.03"}
        for group in recompute(unit, indicators).groups:
            if group.group_code in SCORED_GROUPS:
                assert group.difference == 0, (unit.unit_code, group)


def test_fixture_shape_is_validated(tmp_path):
    bad = tmp_path / "bad.json"
    for payload in (
        [],
        {"provinceCode": "H41", "periodType": "week", "period": "2025", "data": []},
        {"provinceCode": "H41", "periodType": "year", "period": "2025", "data": [{"x": 1}]},
    ):
        bad.write_text(json.dumps(payload), encoding="utf-8")
        with pytest.raises(PortalFixtureError):
            load_portal_fixture(bad)
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(PortalFixtureError):
        load_portal_fixture(bad)


@pytest.fixture(scope="module")
def client() -> TestClient:
    app = FastAPI()
    app.include_router(portal_router(PROFILE, NAM_DAN, fixtures_dir=FIXTURES))
    return TestClient(app)


def test_router_serves_the_simulation(client):
    answer = client.get(
        "/v1/portal/evaluations", params={"province": "H41", "period_type": "month", "period": "2025-09"}
    )
    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(evaluation("month", "2025-09")))


def test_router_serves_a_saved_response(client):
    answer = client.get(
        "/v1/portal/evaluations", params={"province": "H41", "period_type": "quarter", "period": "2025-Q3"}
    )
    assert answer.status_code == 200
    assert answer.json() == load_portal_fixture(FIXTURES / "portal_h41_2025-q3.json")


def test_router_rejects_bad_requests(client):
    params = {"province": "H41", "period_type": "month", "period": "2025-13"}
    assert client.get("/v1/portal/evaluations", params=params).status_code == 422
    assert client.get("/v1/portal/evaluations", params={**params, "period_type": "week"}).status_code == 422
    assert (
        client.get("/v1/portal/evaluations", params={**params, "period": "2025-06", "province": "H01"}).status_code
        == 404
    )
    unit_map = client.get("/v1/portal/unit-map").json()["items"]
    assert len(unit_map) == len(PORTAL_UNIT_MAP) and set(unit_map[0]) == set(UNIT_MAP_COLUMNS)
