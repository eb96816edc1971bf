"""Raw-feed check settings and what a blocked feed holds back (its marts in dbt's lineage)."""

from __future__ import annotations

import pytest

from motcua.config import FEED_BLOCK_SHARE, FEED_WARN_SHARE, ConfigError, feed_check_thresholds
from motcua.landing.feed_checks import marts_built_from
from motcua.orchestration.dbt import MANIFEST_PATH


def test_thresholds_default_then_global_then_per_source(monkeypatch):
    for name in ("MOTCUA_FEED_WARN_SHARE", "MOTCUA_FEED_BLOCK_SHARE", "MOTCUA_FEED_BLOCK_SHARE_SATISFACTION_RATINGS"):
        monkeypatch.delenv(name, raising=False)
    assert feed_check_thresholds("satisfaction_ratings") == (FEED_WARN_SHARE, FEED_BLOCK_SHARE)
    monkeypatch.setenv("MOTCUA_FEED_BLOCK_SHARE", "0.4")
    monkeypatch.setenv("MOTCUA_FEED_BLOCK_SHARE_SATISFACTION_RATINGS", "0.6")
    assert feed_check_thresholds("satisfaction_ratings") == (FEED_WARN_SHARE, 0.6)
    assert feed_check_thresholds("eoffice_documents") == (FEED_WARN_SHARE, 0.4)


@pytest.mark.parametrize(("value", "problem"), [("half", "between 0 and 1"), ("1.5", "between 0 and 1")])
def test_a_wrong_threshold_is_named(monkeypatch, value, problem):
    monkeypatch.setenv("MOTCUA_FEED_WARN_SHARE", value)
    with pytest.raises(ConfigError, match=f"MOTCUA_FEED_WARN_SHARE must be a share {problem}"):
        feed_check_thresholds("eoffice_documents")


def test_block_below_warn_is_refused(monkeypatch):
    monkeypatch.setenv("MOTCUA_FEED_WARN_SHARE", "0.3")
    monkeypatch.setenv("MOTCUA_FEED_BLOCK_SHARE", "0.1")
    with pytest.raises(ConfigError, match="below its warn share"):
        feed_check_thresholds("eoffice_documents")


def test_a_blocked_feed_holds_back_exactly_the_marts_built_from_it():
    assert marts_built_from(MANIFEST_PATH, ["satisfaction_ratings"]) == {"fct_ratings", "fct_ratings_monthly"}
    dossiers = marts_built_from(MANIFEST_PATH, ["one_stop_dossiers"])
    assert {"fct_dossiers", "fct_dossier_periods_monthly", "fct_scorecard_monthly", "fct_scorecard_yearly"} <= dossiers
    assert not dossiers & {"fct_ratings_monthly", "fct_documents_monthly", "dim_units", "dim_procedures"}
