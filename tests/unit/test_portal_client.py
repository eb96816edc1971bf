"""The portal client speaks the portal's evaluation API: POST bodies, HTTP 201, the envelope, paging.

Two servers answer through ``httpx.MockTransport``: the real responses kept in
``tests/corpus/portal/`` (Gia Lai, year 2026) and the simulator's implementation of the same
API (:func:`motcua_simulator.portal_api.api_response`).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import httpx
import pytest

from motcua.feeds.http import FeedError
from motcua.feeds.portal import API_PATH, AS_OF_HEADER, PortalClient, period_body
from motcua.scoring.portal import PortalFormatError
from motcua.scoring.portal_sources import API_ENDPOINTS, assemble_api_records
from motcua_simulator import portal_api
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.portal_api import api_response, root_department_id

CORPUS = Path(__file__).parents[1] / "corpus" / "portal"
BASE = "http://portal.test"
GIA_LAI_ROOT = "019d2be3-6a85-74ec-a346-6489e82ae4c7"
PROFILE = SimulationProfile(seed=11, scale=0.3)
UNITS = frozenset({"17935", "17950", "17971"})


def corpus(name: str) -> dict:
    return json.loads((CORPUS / name).read_text(encoding="utf-8"))


class Recorder:
    """A server: ``answer(endpoint, body)`` gives (status, JSON); every request is kept."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.requests: list[tuple[str, dict]] = []
        self.as_of: list[str | None] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.url.path.startswith(API_PATH + "/")
        endpoint = request.url.path.removeprefix(API_PATH + "/")
        body = json.loads(request.content)
        self.requests.append((endpoint, body))
        self.as_of.append(request.headers.get(AS_OF_HEADER))
        status, payload = self.answer(endpoint, body)
        if isinstance(payload, str | bytes):
            return httpx.Response(status, content=payload, headers={"content-type": "text/html"})
        return httpx.Response(status, json=payload)

    def client(self, **kwargs) -> PortalClient:
        return PortalClient(BASE, transport=httpx.MockTransport(self), min_interval=0, sleep=lambda s: None, **kwargs)


def real_portal(endpoint: str, body: dict) -> tuple[int, dict]:
    if body.get("departmentType") == "ADMINISTRATIVE_UNIT":
        return 201, corpus("api_service-results_national.json")
    assert body["rootDepartmentId"] == GIA_LAI_ROOT
    return 201, corpus(f"api_{endpoint}.json")


def simulated_portal(endpoint: str, body: dict, as_of: date | None = None) -> tuple[int, dict]:
    full = {"quarter": None, "month": None, "rootDepartmentId": None, "departmentType": None, **body}
    return 201, api_response(endpoint, full, PROFILE, UNITS, as_of=as_of)


def test_period_bodies() -> None:
    assert period_body("month", "2025-07") == {"timeType": "month", "year": 2025, "month": 7}
    assert period_body("quarter", "2025-Q3") == {"timeType": "quarter", "year": 2025, "quarter": 3}
    assert period_body("year", "2026") == {"timeType": "year", "year": 2026}
    with pytest.raises(ValueError, match="period_type"):
        period_body("week", "2026")


def test_real_responses_become_one_record_per_unit_with_the_request_parameters() -> None:
    server = Recorder(real_portal)
    with server.client() as client:
        items = list(client.evaluations("H21", "year", "2026", as_of=date(2026, 10, 10)))
    # The root comes from the national view, then the seven endpoints, each once.
    assert [endpoint for endpoint, _ in server.requests] == ["service-results", *API_ENDPOINTS]
    national, *province_calls = (body for _, body in server.requests)
    assert national == {"timeType": "year", "year": 2026, "pageSize": 300, "currentPage": 1,
                        "departmentType": "ADMINISTRATIVE_UNIT"}  # fmt: skip
    assert all(
        body == {"timeType": "year", "year": 2026, "pageSize": 300, "currentPage": 1, "rootDepartmentId": GIA_LAI_ROOT}
        for body in province_calls
    )
    expected = assemble_api_records({endpoint: corpus(f"api_{endpoint}.json") for endpoint in API_ENDPOINTS})
    added = {"_province": "H21", "_period_type": "year", "_period": "2026", "_as_of": "2026-10-10"}
    assert [item.payload for item in items] == [{**record, **added} for record in expected]
    assert len(items) == 11 and items[0].payload["childGroup"] == "PROVINCE"
    assert all(json.loads(item.raw_text) == item.payload for item in items)


def test_the_simulator_serves_the_same_api_and_pages_are_merged() -> None:
    server = Recorder(simulated_portal)
    with server.client(page_size=2) as client:
        items = list(client.evaluations("H41", "month", "2025-07"))
    codes = [item.payload["departmentCode"] for item in items]
    assert codes[0] == "H41" and len(codes) == len(set(codes)) == 1 + len(UNITS)
    pages = [(endpoint, body["currentPage"]) for endpoint, body in server.requests if endpoint == "transparency"]
    assert pages == [("transparency", 1), ("transparency", 2)]  # 3 units, 2 a page
    assert {body.get("rootDepartmentId") for _, body in server.requests[1:]} == {root_department_id()}
    # Every unit's metric sections arrived from the paged endpoints.
    for item in items:
        assert set(item.payload["componentIndicators"]) == {
            "CKMB_CongKhaiMinhBach",
            "MDSH_SoHoaHoSo",
            "MDHL_MucDoHaiLong",
            "TDGQ_TienDoGiaiQuyet",
            "ONLINE_DichVuTrucTuyen",
            "TTTT_ThanhToanTrucTuyen",
        }


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda e, b: (201, {"code": "ERROR", "message": "Hệ thống bận", "data": None}), "code 'ERROR'"),
        (lambda e, b: (201, {"code": "OK", "message": "OK"}), "no data object"),
        (lambda e, b: (201, {"code": "OK", "data": {"evaluation": []}, "message": "OK"}), "no province 'H21'"),
        (lambda e, b: (404, {"detail": "not found"}), "answered 404"),
        (lambda e, b: (201, "<html>maintenance</html>"), "not JSON"),
    ],
)
def test_answers_the_client_does_not_understand_are_errors(answer, message: str) -> None:
    with Recorder(answer).client() as client, pytest.raises(FeedError) as raised:
        list(client.evaluations("H21", "year", "2026"))
    assert message in str(raised.value)


def test_a_province_answer_missing_a_list_is_an_error_naming_it() -> None:
    def answer(endpoint: str, body: dict) -> tuple[int, dict]:
        status, payload = real_portal(endpoint, body)
        if endpoint == "provide-online-tree":
            payload = {**payload, "data": {"parent": payload["data"]["parent"]}}
        return status, payload

    with Recorder(answer).client() as client, pytest.raises(PortalFormatError, match=r"data\.children is missing"):
        list(client.evaluations("H21", "year", "2026"))


def test_pages_that_do_not_add_up_are_an_error() -> None:
    def answer(endpoint: str, body: dict) -> tuple[int, dict]:
        status, payload = real_portal(endpoint, body)
        if endpoint == "dossier-digitized":
            data = payload["data"]
            payload = {**payload, "data": {**data, "pagination": {**data["pagination"], "totalPages": 2}}}
        return status, payload

    with Recorder(answer).client() as client, pytest.raises(FeedError, match="the pages held"):
        list(client.evaluations("H21", "year", "2026"))


def test_requests_are_spaced_by_the_minimum_interval() -> None:
    waits: list[float] = []
    server = Recorder(real_portal)
    client = PortalClient(BASE, transport=httpx.MockTransport(server), min_interval=0.25, sleep=waits.append)
    with client:
        list(client.evaluations("H21", "year", "2026"))
    assert len(server.requests) == 8
    assert len(waits) == 7 and all(0 < wait <= 0.25 for wait in waits)


def test_the_day_the_scores_stand_at_is_sent_and_kept() -> None:
    assert AS_OF_HEADER == portal_api.AS_OF_HEADER  # the simulator's stand-in for the portal's real time
    server = Recorder(simulated_portal)
    with server.client() as client:
        july = list(client.evaluations("H41", "year", "2025", as_of=date(2025, 7, 15)))
        today = list(client.evaluations("H41", "year", "2025"))
    assert set(server.as_of[:8]) == {"2025-07-15"} and set(server.as_of[8:]) == {None}
    assert {item.payload["_as_of"] for item in july} == {"2025-07-15"}
    assert len({item.payload["_as_of"] for item in today}) == 1  # today, in Vietnam


def test_a_running_period_is_evaluated_to_date() -> None:
    def on(day: date) -> dict:
        records = assemble_api_records(
            {
                endpoint: simulated_portal(
                    endpoint,
                    {"timeType": "year", "year": 2025, "pageSize": 300, "currentPage": 1,
                     "rootDepartmentId": root_department_id()},
                    as_of=day,
                )[1]
                for endpoint in API_ENDPOINTS
            }
        )  # fmt: skip
        return {r["departmentCode"]: r["componentIndicators"]["TDGQ_TienDoGiaiQuyet"]["totalReceived"] for r in records}

    july, august, year = on(date(2025, 7, 15)), on(date(2025, 8, 15)), on(date(2025, 12, 31))
    assert all(july[code] < august[code] <= year[code] for code in july), (july, august, year)
