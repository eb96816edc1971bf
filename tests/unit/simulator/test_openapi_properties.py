"""Property-based tests of the simulator's OpenAPI description (schemathesis, stateless).

The schema is read from the app in-process (``/openapi.json``) and every operation except the
test-only ground truth (``/v1/_truth/{source}``) is called with generated requests: valid ones
(positive), invalid ones (negative) and schemathesis' boundary cases (coverage phase). Each
response must keep the promises of the description: no 5xx, a declared status code and content
type, a body and headers that match the declared schema, and invalid requests rejected.

``positive_data_acceptance`` is left out on purpose: the feeds have rules no schema states
(``updated_since`` before ``updated_until``, a cursor only valid for its interval, a unit that
must exist, a period that must match ``period_type``), so a schema-valid request may rightly
get 400, 404 or 422; ``status_code_conformance`` checks that those answers are declared.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from motcua_simulator.app import create_app
from motcua_simulator.dossiers import SimulationProfile
from motcua_simulator.faults import FaultConfig

PROFILE = SimulationProfile(seed=7, scale=0.05)
UNITS = {"430", "17935"}  # a district (until 1 July 2025) and a commune
CONFIG = {"seed": 20250701}  # schemathesis' own draws; Hypothesis' are fixed by derandomize=True
TRUTH = r"^/v1/_truth/"  # ground truth of what was served: test-only, never faulty


def load_schema(app) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG)).exclude(
        path_regex=TRUTH
    )


SCHEMA = load_schema(create_app(PROFILE, unit_codes=UNITS))

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    unsupported_method,
]
#: For requests built by hand (valid ones, or answered by a fault switch).
CONFORMANCE = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

DAY = {"updated_since": "2025-06-30T00:00:00+07:00", "updated_until": "2025-07-01T00:00:00+07:00"}
WEEK = {"updated_since": "2025-06-23T00:00:00+07:00", "updated_until": "2025-07-01T00:00:00+07:00"}
CATALOGUE_REFORM = {"updated_since": "2025-06-30T00:00:00+07:00", "updated_until": "2025-07-02T00:00:00+07:00"}


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, database=None)
def test_every_operation_keeps_the_promises_of_its_description(case):
    case.call_and_validate(checks=CHECKS)


def _pull(operation, *, path_parameters: dict | None = None, query: dict) -> list:
    """Every page of an interval (small pages, following the server's own cursors), each validated."""
    items: list = []
    query = {**query, "limit": 7}
    for _ in range(200):
        case = operation.Case(path_parameters=path_parameters or {}, query=query)
        response = case.call()
        case.validate_response(response, checks=CONFORMANCE)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        query = {**query, "cursor": page["next_cursor"]}
    raise AssertionError("the cursors never ended")


@pytest.mark.parametrize("source", ["dossiers", "ratings", "documents"])
@pytest.mark.parametrize("unit_code", sorted(UNITS))
def test_served_records_match_the_declared_record_schema(source, unit_code):
    """Generated requests rarely name a real unit and interval: the records a pull really gets,
    page by page, are checked against the declared page and record schemas here."""
    items = _pull(
        SCHEMA[f"/v1/units/{{unit_code}}/{source}"]["GET"], path_parameters={"unit_code": unit_code}, query=WEEK
    )
    assert items, f"{source} of {unit_code}: nothing served in {WEEK}, the check would be vacuous"


def test_served_catalogue_records_match_the_declared_schema():
    assert _pull(SCHEMA["/v1/procedures"]["GET"], query=CATALOGUE_REFORM)


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/health", {}),
        ("/v1/units", {"on": "2025-06-30"}),
        ("/v1/units", {"on": "2025-07-01"}),
        ("/v1/portal/unit-map", {}),
        ("/v1/portal/evaluations", {"period_type": "month", "period": "2025-06"}),
        ("/v1/portal/evaluations", {"period_type": "quarter", "period": "2025-Q3"}),
    ],
)
def test_other_operations_serve_what_they_declare(path, query):
    case = SCHEMA[path]["GET"].Case(query=query)
    response = case.call()
    case.validate_response(response, checks=CONFORMANCE)
    assert response.status_code == 200, response.text


def test_transient_failures_are_declared_with_their_headers():
    """With the fault switches on, 429 (with Retry-After) and 500 are part of the contract."""
    app = create_app(PROFILE, unit_codes=UNITS, faults=FaultConfig(rate_limit=0.5, server_error=0.5))
    operation = load_schema(app)["/v1/units/{unit_code}/dossiers"]["GET"]
    statuses = []
    for unit_code in sorted(UNITS):
        for query in (DAY, WEEK):
            # Every attempt fails until max_consecutive_failures (3); the next one is served.
            for _ in range(4):
                case = operation.Case(path_parameters={"unit_code": unit_code}, query=query)
                response = case.call()
                case.validate_response(response, checks=CONFORMANCE)
                statuses.append(response.status_code)
    assert {200, 429, 500} <= set(statuses), statuses
