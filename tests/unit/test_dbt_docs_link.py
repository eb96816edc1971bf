"""The dbt docs site `motcua dbt-docs` writes is the one Airflow's UI shows: the environment
Motcua gives Airflow names it as a Cosmos docs project, and Cosmos's plugin app serves its index,
manifest and catalogue from there (no Airflow server needed to prove the wiring)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient

from motcua.config import Settings
from motcua.runtime import airflow_env


def test_airflow_serves_the_dbt_docs_that_motcua_writes(tmp_path, monkeypatch):
    settings = Settings(project_dir=tmp_path / "project", state_dir=tmp_path / "state", warehouse_url=None)
    env = airflow_env(settings)
    projects = json.loads(env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"])
    assert projects["motcua"]["dir"] == str(settings.dbt_docs_dir)
    site = settings.dbt_docs_dir
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html><body>dbt docs of motcua</body></html>")
    (site / "manifest.json").write_text(json.dumps({"exposures": {"exposure.motcua.scorecard_report": {}}}))
    (site / "catalog.json").write_text(json.dumps({"nodes": {}}))
    monkeypatch.setenv("AIRFLOW__COSMOS__DBT_DOCS_PROJECTS", env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"])
    monkeypatch.setenv("DO_NOT_TRACK", "1")

    from cosmos.plugin.airflow3 import create_cosmos_fastapi_app

    client = TestClient(create_cosmos_fastapi_app())
    index = client.get("/motcua/dbt_docs_index.html")
    assert index.status_code == 200 and "dbt docs of motcua" in index.text
    manifest = client.get("/motcua/manifest.json")
    assert manifest.status_code == 200 and "scorecard_report" in manifest.text
    assert client.get("/motcua/catalog.json").status_code == 200
