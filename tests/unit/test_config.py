from __future__ import annotations

import pytest

from motcua.config import (
    ConfigError,
    PostgresTarget,
    load_settings,
    validate_postgres_url,
    warehouse_url_for_tasks,
)


def test_target_parses_url_with_escaped_password():
    target = PostgresTarget.from_url("postgresql://etl:p%40ss%3Aw@db.example:6543/motcua")
    assert (target.host, target.port, target.user, target.password, target.dbname) == (
        "db.example",
        6543,
        "etl",
        "p@ss:w",
        "motcua",
    )
    assert target.libpq_url() == "postgresql://etl:p%40ss%3Aw@db.example:6543/motcua"
    assert target.dbt_env()["MOTCUA_DBT_PASSWORD"] == "p@ss:w"


def test_target_defaults_port_and_allows_no_password():
    target = PostgresTarget.from_url("postgres://postgres@127.0.0.1/motcua")
    assert target.port == 5432 and target.password == ""
    assert target.libpq_url() == "postgresql://postgres@127.0.0.1:5432/motcua"


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("mysql://u@h/db", "must be a PostgreSQL URL"),
        ("postgresql:///motcua", "has no host"),
        ("postgresql://u@h:5432/", "names no database"),
    ],
)
def test_bad_urls_say_what_to_set(url, needle):
    with pytest.raises(ConfigError, match=needle):
        validate_postgres_url(url, "MOTCUA_WAREHOUSE_URL")


def test_settings_reject_bad_warehouse_url(monkeypatch):
    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", "http://example")
    with pytest.raises(ConfigError, match="MOTCUA_WAREHOUSE_URL"):
        load_settings()


def test_task_url_prefers_setting_then_airflow_connection(monkeypatch):
    monkeypatch.delenv("MOTCUA_WAREHOUSE_URL", raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_MOTCUA_WAREHOUSE", "postgresql://a:b@h:1/x")
    assert warehouse_url_for_tasks() == "postgresql://a:b@h:1/x"
    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", "postgresql://c@h:2/y")
    assert warehouse_url_for_tasks() == "postgresql://c@h:2/y"


def test_task_url_missing_says_what_to_set(monkeypatch):
    monkeypatch.delenv("MOTCUA_WAREHOUSE_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_MOTCUA_WAREHOUSE", raising=False)
    with pytest.raises(ConfigError, match="set MOTCUA_WAREHOUSE_URL"):
        warehouse_url_for_tasks()
