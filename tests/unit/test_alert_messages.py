"""What an alert says and where it goes: bilingual text naming what failed; channels from the environment."""

from __future__ import annotations

import pytest

from motcua.alerting import messages
from motcua.config import ConfigError, alert_channel_urls
from motcua.quality.gate import SuiteOutcome


def _failed_suite() -> SuiteOutcome:
    return SuiteOutcome(
        suite="fct_dossiers",
        relation="audit.fct_dossiers",
        success=False,
        evaluated=9,
        failed=1,
        failures=[
            {
                "expectation": "expect_column_values_to_match_regex",
                "kwargs": {"column": "dossier_code"},
                "unexpected_count": 3,
                "observed": None,
                "units": [f"179{n:02d}" for n in range(15)],
                "periods": ["2025-06-11"],
                "why": "dossier code format",
            }
        ],
        docs_url="http://docs.example/validations/fct_dossiers/run/x.html",
    )


def test_a_validation_alert_names_suite_counts_units_periods_docs_and_what_was_not_published():
    message = messages.validation_failed("motcua_daily", "scheduled__2025-06-11", [_failed_suite()], ["dossiers"])
    assert message.title == "[Motcua] Kiểm định không đạt / Validation failed: fct_dossiers (motcua_daily)"
    body = message.body
    assert "Lần chạy / Run: motcua_daily · scheduled__2025-06-11" in body
    assert "1 trong 9 kỳ vọng không đạt / 1 of 9 expectations failed" in body
    assert "expect_column_values_to_match_regex (dossier_code): 3 dòng không đạt / failing rows" in body
    # Long lists are cut, and say how many more there are.
    assert "Đơn vị / Units: 17900, 17901" in body and "(+3 nữa / more)" in body
    assert "Kỳ / Periods: 2025-06-11" in body
    assert "Data Docs: http://docs.example/validations/fct_dossiers/run/x.html" in body
    assert "Chưa công bố / Not published: dossiers" in body and "Đã công bố / Published: -" in body


def test_a_template_suite_says_which_mart_it_guarded():
    outcome = _failed_suite()
    outcome.suite, outcome.relation = "scorecard", "audit.fct_scorecard_yearly"
    title = messages.validation_failed("motcua_daily", "r", [outcome], []).title
    assert "scorecard → audit.fct_scorecard_yearly" in title


def test_run_and_recovery_messages():
    assert "Run timed out" in messages.run_failed("motcua_daily", "r", "timed_out").title
    assert "Run failed" in messages.run_failed("motcua_daily", "r", "task_failure").title
    recovered = messages.recovered("motcua_daily", "r2", ["#4 validation failed"])
    assert "Đã khôi phục / Recovered: motcua_daily" in recovered.title and "#4 validation failed" in recovered.body


def test_channels_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MOTCUA_ALERT_URLS", "mailtos://u:p@smtp.example.vn?to=a@example.vn  slack://T/B/C")
    monkeypatch.setenv("MOTCUA_ALERT_WEBHOOK_URL", "https://hooks.example.vn/motcua")
    assert alert_channel_urls() == [
        "mailtos://u:p@smtp.example.vn?to=a@example.vn",
        "slack://T/B/C",
        "jsons://hooks.example.vn/motcua",
    ]
    monkeypatch.delenv("MOTCUA_ALERT_URLS")
    monkeypatch.setenv("MOTCUA_ALERT_WEBHOOK_URL", "ftp://x")
    with pytest.raises(ConfigError, match="must be an http"):
        alert_channel_urls()
