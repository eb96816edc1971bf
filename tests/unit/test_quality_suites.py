from __future__ import annotations

import json

import pytest

from motcua.config import load_settings
from motcua.quality.suites import SuiteFileError, load_suite_file, load_suites


def test_project_suites_load_by_name():
    suites = load_suites(load_settings().expectations_dir)
    assert suites, "expectations/ holds no suite"
    assert {"fct_dossiers", "scorecard"} <= set(suites)
    assert all(name == suite.name and suite.expectations for name, suite in suites.items())


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "a JSON object"),
        (json.dumps({"meta": {"relation": "audit.fct"}, "expectations": [{"type": "x"}]}), "meta.publish.suite"),
        (json.dumps({"expectations": []}), "non-empty"),
        (json.dumps({"expectations": [{"kwargs": {}}]}), "needs 'type'"),
        (json.dumps({"name": "other", "expectations": [{"type": "x"}]}), "name it after its file"),
    ],
)
def test_malformed_suite_files_are_rejected_with_a_reason(tmp_path, content, needle):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(SuiteFileError, match=needle):
        load_suite_file(path)


def test_parameters_come_from_the_environment_with_defaults(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps(
            {
                "expectations": [
                    {
                        "type": "expect_column_values_to_be_between",
                        "kwargs": {"column": "gap", "max_value": "${MOTCUA_TEST_TOLERANCE:-5}", "min_value": 0},
                    }
                ],
            }
        )
    )
    monkeypatch.delenv("MOTCUA_TEST_TOLERANCE", raising=False)
    assert load_suite_file(path).expectations[0]["kwargs"]["max_value"] == 5
    monkeypatch.setenv("MOTCUA_TEST_TOLERANCE", "0.5")
    kwargs = load_suite_file(path).expectations[0]["kwargs"]
    assert kwargs == {"column": "gap", "max_value": 0.5, "min_value": 0}
