"""Unit holdback: which failures may hold back a few units while the others publish, and what
each mart keeps of them."""

from __future__ import annotations

import pytest

from motcua.config import ConfigError, holdback_max_units
from motcua.publishing.contract import PublishedView
from motcua.quality.gate import SuiteOutcome, held_codes, holdable_units


def _view(mart: str, holdback: str | None, unit_column: str | None = "unit_code") -> PublishedView:
    return PublishedView(
        view=mart, mart=mart, description="", columns=(("unit_code", "u"),), unit_column=unit_column, holdback=holdback
    )


def _failed(relation: str, *failures: dict) -> SuiteOutcome:
    return SuiteOutcome("suite", relation, False, 5, len(failures), list(failures))


def _rows(units: list[str], count: int = 1) -> dict:
    return {"expectation": "expect_column_values_to_be_between", "unexpected_count": count, "units": units}


VIEWS = {
    "audit.facts": _view("facts", "unit"),
    "audit.scorecards": _view("scorecards", "rollup"),
    "audit.reference": _view("reference", None),
}


def test_row_failures_of_a_few_units_are_held_back():
    failed = [
        _failed("audit.facts", _rows(["17938"]), _rows(["17935", "17938"], 3)),
        _failed("audit.scorecards", _rows(["430"])),
    ]
    assert holdable_units(failed, VIEWS, max_units=5) == ["17935", "17938", "430"]


@pytest.mark.parametrize(
    "failed",
    [
        # A mart that declares no holdback (reference data): its failure blocks the release.
        [_failed("audit.reference", _rows(["17938"]))],
        # A table-level failure (a row count, a column missing) names no unit.
        [_failed("audit.facts", {"expectation": "expect_table_row_count_to_be_between", "unexpected_count": None})],
        [_failed("audit.facts", _rows(["17938"]), {"expectation": "columns_documented", "unexpected_count": 1})],
        # GX could not evaluate it: an error, not failing rows.
        [_failed("audit.facts", {"expectation": "x", "unexpected_count": None, "units": ["17938"]})],
        # Failures spread over more units than allowed are a systemic fault.
        [_failed("audit.facts", _rows([str(n) for n in range(6)]))],
    ],
)
def test_failures_that_cannot_be_pinned_to_a_few_units_block(failed):
    assert holdable_units(failed, VIEWS, max_units=5) == []


def test_holdback_off_blocks_everything():
    assert holdable_units([_failed("audit.facts", _rows(["17938"]))], VIEWS, max_units=0) == []


def test_a_rollup_mart_also_holds_the_units_above():
    above = ["430", "40"]
    assert held_codes(VIEWS["audit.facts"], ["17938"], above) == ["17938"]
    assert held_codes(VIEWS["audit.scorecards"], ["17938"], above) == ["17938", "40", "430"]
    assert held_codes(VIEWS["audit.reference"], ["17938"], above) == []


def test_the_held_predicate_matches_the_held_units_and_no_other_row():
    view = _view("facts", "unit")
    assert view.held_predicate([]) is None
    assert view.held_predicate(["b", "a"]) == "coalesce(\"unit_code\" in ('a', 'b'), false)"
    assert view.held_predicate(["o'x"], alias="t") == "coalesce(t.\"unit_code\" in ('o''x'), false)"


def test_the_unit_limit_setting(monkeypatch):
    monkeypatch.delenv("MOTCUA_HOLDBACK_MAX_UNITS", raising=False)
    assert holdback_max_units() == 5
    monkeypatch.setenv("MOTCUA_HOLDBACK_MAX_UNITS", "0")
    assert holdback_max_units() == 0
    for bad in ("-1", "few"):
        monkeypatch.setenv("MOTCUA_HOLDBACK_MAX_UNITS", bad)
        with pytest.raises(ConfigError, match="MOTCUA_HOLDBACK_MAX_UNITS"):
            holdback_max_units()
