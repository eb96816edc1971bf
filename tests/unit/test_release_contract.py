"""The release contract: one declaration per published mart (dbt YAML ``meta.publish``) that
publishing, validation and the docs all read, refused when it and the suites disagree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from motcua.config import load_settings
from motcua.orchestration.dbt import DAILY_TRANSFORM, MANIFEST_PATH, PORTAL_OWN_COUNTERS, PORTAL_RECONCILE
from motcua.publishing.contract import ContractError, check_release_contract, published_views, undocumented_columns
from motcua.quality.suites import SuiteFile, load_suites


def test_the_project_contract_holds_and_covers_every_release():
    views = check_release_contract(MANIFEST_PATH, load_suites(load_settings().expectations_dir))
    by_mart = {v.mart: v for v in views}
    assert by_mart["fct_dossiers"].view == "dossiers"
    # The monthly, quarterly and yearly scorecards share one suite file (they differ only by table).
    assert {by_mart[m].suite for m in ("fct_scorecard_monthly", "fct_scorecard_quarterly", "fct_scorecard_yearly")} == {
        "scorecard"
    }
    # Every mart a DAG builds and a view publishes is declared; nothing is published that no DAG builds.
    built = set(DAILY_TRANSFORM.marts()) | set(PORTAL_OWN_COUNTERS.marts()) | set(PORTAL_RECONCILE.marts())
    assert set(by_mart) <= built
    assert {"dim_units", "dim_procedures", "fct_official_scores_766"} <= set(by_mart)


def _model(name: str, publish: dict | None, columns: dict[str, dict] | None = None, *, contract: bool = True) -> dict:
    return {
        "resource_type": "model",
        "name": name,
        "description": f"{name} mart",
        "columns": columns
        or {
            "unit_code": {"description": "u", "data_type": "text"},
            "month": {"description": "m", "data_type": "date"},
        },
        "config": {"meta": {"publish": publish} if publish else {}, "contract": {"enforced": contract}},
    }


def _unique_test(model: str, columns: list[str]) -> dict:
    return {
        "resource_type": "test",
        "name": f"unique_{model}",
        "attached_node": f"model.motcua.{model}",
        "test_metadata": {"name": "unique_combination_of_columns", "kwargs": {"columns": columns}},
    }


def _manifest(tmp_path: Path, nodes: list[dict]) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": {f"{n['resource_type']}.motcua.{n['name']}": n for n in nodes}}))
    return path


def _suite(name: str) -> SuiteFile:
    return SuiteFile(Path(f"{name}.json"), name, "", [{"type": "expect_table_row_count_to_be_between", "kwargs": {}}])


GOOD = {
    "view": "a",
    "suite": "s",
    "grain": ["unit_code", "month"],
    "unit_column": "unit_code",
    "period_column": "month",
}


def test_a_consistent_declaration_is_accepted(tmp_path):
    path = _manifest(tmp_path, [_model("fct_a", GOOD), _unique_test("fct_a", ["month", "unit_code"])])
    [view] = check_release_contract(path, {"s": _suite("s")})
    assert (view.view, view.mart, view.suite, view.grain) == ("a", "fct_a", "s", ("unit_code", "month"))
    assert view.relation == "audit.fct_a"


@pytest.mark.parametrize(
    ("declaration", "suites", "tests", "problem"),
    [
        ({**GOOD, "suite": "missing"}, ["s"], True, "has no file expectations/missing.json"),
        (GOOD, ["s", "orphan"], True, "expectations/orphan.json guards no published mart"),
        (GOOD, ["s"], False, "no dbt uniqueness test keeps its declared grain"),
        ({**GOOD, "grain": []}, ["s"], True, "declares no grain"),
        ({**GOOD, "unit_column": "commune"}, ["s"], True, "unit_column commune is not a published column"),
    ],
)
def test_a_broken_declaration_is_refused_with_the_reason(tmp_path, declaration, suites, tests, problem):
    nodes = [_model("fct_a", declaration)]
    if tests:
        nodes.append(_unique_test("fct_a", ["unit_code", "month"]))
    with pytest.raises(ContractError, match=problem):
        check_release_contract(_manifest(tmp_path, nodes), {name: _suite(name) for name in suites})


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        (_model("fct_a", GOOD, contract=False), "fct_a: a published mart needs config.contract.enforced: true"),
        (
            _model("fct_a", GOOD, {"unit_code": {"data_type": "text"}, "month": {"description": "m"}}),
            "fct_a: contracted columns without a data_type: month",
        ),
    ],
)
def test_a_published_mart_is_a_dbt_model_contract(tmp_path, model, problem):
    """Its columns and their types cannot change without failing the build (BI would break silently)."""
    path = _manifest(tmp_path, [model, _unique_test("fct_a", ["unit_code", "month"])])
    with pytest.raises(ContractError, match=problem):
        check_release_contract(path, {"s": _suite("s")})


def test_a_declaration_without_view_or_suite_is_refused(tmp_path):
    with pytest.raises(ContractError, match="needs at least 'view' and 'suite'"):
        published_views(_manifest(tmp_path, [_model("fct_a", {"view": "a"})]))


def test_two_marts_cannot_publish_the_same_view(tmp_path):
    path = _manifest(tmp_path, [_model("fct_a", GOOD), _model("fct_b", GOOD)])
    with pytest.raises(ContractError, match="declared by more than one mart: a"):
        published_views(path)


def test_built_columns_missing_from_the_docs_are_named(tmp_path):
    columns = {
        "unit_code": {"description": "u"},
        "month": {"description": "m"},
        "load_seq": {"meta": {"published": False}},
    }
    [view] = published_views(_manifest(tmp_path, [_model("fct_a", GOOD, columns)]))
    assert undocumented_columns(["unit_code", "month", "load_seq", "renamed_col"], view) == ["renamed_col"]
