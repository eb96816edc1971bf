"""The simulator's portal API: the real API's shapes (checked against real responses), its numbers.

The simulator has its own copy of the portal's arithmetic; Motcua's engine recomputes what it
serves, so an equality here is between two independent implementations.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from motcua.scoring.indicators import indicator_version
from motcua.scoring.portal import parse_evaluation, recompute
from motcua.scoring.portal_sources import assemble_api_records
from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.portal import portal_evaluation
from motcua_simulator.portal_api import (
    API_ENDPOINTS,
    AS_OF_HEADER,
    PortalApiError,
    api_response,
    root_department_id,
)

CORPUS = Path(__file__).parents[2] / "corpus" / "portal"
PROFILE = SimulationProfile(seed=11, scale=0.3)
UNITS = frozenset({"17935", "17950", "17971"})
V2025 = indicator_version("766-2025")


def body(**fields) -> dict:
    return {
        "timeType": "month",
        "year": 2025,
        "quarter": None,
        "month": 7,
        "pageSize": 300,
        "currentPage": 1,
        "rootDepartmentId": root_department_id(),
        "departmentType": None,
        **fields,
    }


def responses(**fields) -> dict[str, dict]:
    return {endpoint: api_response(endpoint, body(**fields), PROFILE, UNITS) for endpoint in API_ENDPOINTS}


def real(endpoint: str) -> dict:
    return json.loads((CORPUS / f"api_{endpoint}.json").read_text(encoding="utf-8"))


def keys_of(items: list[dict]) -> set[str]:
    return {key for item in items for key in item}


@pytest.mark.parametrize("endpoint", API_ENDPOINTS)
def test_every_endpoint_has_the_real_responses_shape(endpoint: str) -> None:
    served, saved = api_response(endpoint, body(), PROFILE, UNITS), real(endpoint)
    assert set(served) == {"code", "data", "message"} and served["code"] == "OK"
    data, real_data = served["data"], saved["data"]
    if "children" in real_data:
        assert set(data) <= set(real_data) and {"parent", "children"} <= set(data)
        # Every field a real node has is served, except the portal's extra monthly counters.
        optional = {"totalCompleted", "channelDirectSum", "channelPostalSum", "onlineOnTimeSum", "onlineOverdueSum"}
        assert set(real_data["parent"]) - optional <= set(data["parent"]) <= set(real_data["parent"]) | {"totalOverdue"}
        assert keys_of(data["children"]) == keys_of(real_data["children"])
        assert {child["level"] for child in data["children"]} <= {"PROVINCE", "COMMUNE"}
    else:
        assert keys_of(data["evaluation"]) <= keys_of(real_data["evaluation"]) | {"totalPetitions", "totalDossiers"}
        assert {"departmentId", "totalScore"} <= keys_of(data["evaluation"])
        # transparency and handling-satisfaction items carry no departmentCode, as on the portal
        with_code = "departmentCode" in keys_of(real_data["evaluation"])
        assert ("departmentCode" in keys_of(data["evaluation"])) == with_code


def test_the_assembled_api_recomputes_with_motcuas_engine() -> None:
    records = assemble_api_records(responses())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evaluation = parse_evaluation(records, V2025)
    assert evaluation.units[0].child_group == "PROVINCE"
    assert len(evaluation.units) == 1 + len(UNITS)
    for unit in evaluation.units:
        for group in recompute(unit, V2025).groups:
            if group.group_code == "ONLINE" and unit.child_group != "PROVINCE":
                assert group.status == "not recomputed", (unit.unit_code, group)
            else:
                assert group.status == "equal", (unit.unit_code, group)


def test_the_api_serves_the_same_units_and_points_as_the_evaluation_feed() -> None:
    feed = {r["departmentCode"]: r for r in portal_evaluation("H41", "month", "2025-07", PROFILE, UNITS)["data"]}
    records = {r["departmentCode"]: r for r in assemble_api_records(responses())}
    province = records.pop("H41")
    assert set(records) == set(feed)
    for code, record in records.items():
        assert record["groupScores"] == feed[code]["groupScores"]
        assert record["totalScore"] == feed[code]["totalScore"]
    # The province's node adds up its units' counters.
    tdgq = province["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]
    assert tdgq["totalReceived"] == sum(
        r["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]["totalReceived"] for r in feed.values()
    )


def test_the_national_view_lists_the_province_with_its_root() -> None:
    answer = api_response(
        "service-results", body(rootDepartmentId=None, departmentType="ADMINISTRATIVE_UNIT"), PROFILE, UNITS
    )
    (province,) = answer["data"]["evaluation"]
    assert (province["departmentCode"], province["departmentId"]) == ("H41", root_department_id())
    assert "CLGQ" in province["groupScores"] and "ONLINE" not in province["groupScores"]


def test_paged_endpoints_page() -> None:
    first = api_response("transparency", body(pageSize=2), PROFILE, UNITS)["data"]
    second = api_response("transparency", body(pageSize=2, currentPage=2), PROFILE, UNITS)["data"]
    assert first["pagination"] == {"total": 3, "currentPage": 1, "pageSize": 2, "totalPages": 2}
    assert len(first["evaluation"]) == 2 and len(second["evaluation"]) == 1
    assert [item["stt"] for item in first["evaluation"] + second["evaluation"]] == [1, 2, 3]


@pytest.mark.parametrize(
    ("endpoint", "fields", "status", "message"),
    [
        ("transparency", {"rootDepartmentId": "not-a-root"}, 404, "no department"),
        ("transparency", {"month": None}, 400, "needs month"),
        ("transparency", {"rootDepartmentId": None, "departmentType": "ADMINISTRATIVE_UNIT"}, 400, "national view"),
        ("rankings", {}, 404, "no evaluation endpoint"),
    ],
)
def test_requests_the_portal_refuses(endpoint: str, fields: dict, status: int, message: str) -> None:
    with pytest.raises(PortalApiError) as raised:
        api_response(endpoint, body(**fields), PROFILE, UNITS)
    assert raised.value.status == status and message in str(raised.value)


def test_the_app_answers_201_with_the_envelope() -> None:
    client = TestClient(create_app(PROFILE, unit_codes=set(UNITS)))
    sent = {key: value for key, value in body().items() if value is not None}
    answer = client.post("/api/v1/reporting/evaluation/formality-online-payment-tree", json=sent)
    assert answer.status_code == 201 and answer.json()["code"] == "OK"
    parent = answer.json()["data"]["parent"]
    assert parent["departmentCode"] == "H41" and "totalFeeDossierFormalityDistinct" in parent
    refused = client.post("/api/v1/reporting/evaluation/transparency", json={**sent, "year": "năm nay"})
    assert refused.status_code == 422


def test_the_app_evaluates_a_running_period_as_of_the_header_day() -> None:
    client = TestClient(create_app(PROFILE, unit_codes=set(UNITS)))
    sent = {key: value for key, value in body(timeType="year", month=None).items() if value is not None}

    def received(headers: dict) -> int:
        answer = client.post("/api/v1/reporting/evaluation/dvc-progress-tree", json=sent, headers=headers)
        assert answer.status_code == 201, answer.text
        return answer.json()["data"]["parent"]["totalReceived"]

    whole_year = received({})
    mid_august = received({AS_OF_HEADER: "2025-08-14"})
    assert 0 < mid_august < whole_year
    assert received({AS_OF_HEADER: "2025-08-15"}) > mid_august
    assert (
        client.post("/api/v1/reporting/evaluation/transparency", json=sent, headers={AS_OF_HEADER: "mai"}).status_code
        == 422
    )
