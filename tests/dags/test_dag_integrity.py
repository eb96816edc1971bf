"""Tier 1: every DAG file imports cleanly, has no cycles, and sets owners and retries."""

from __future__ import annotations

import pytest

from motcua.config import load_settings


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(load_settings().dags_dir))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_expected_dags_present(dagbag):
    assert {
        "motcua_daily",
        "motcua_reference",
        "motcua_portal",
        "motcua_portal_snapshots",
        "motcua_spreadsheets",
    } <= set(dagbag.dag_ids)


def test_every_task_has_owner_and_retries(dagbag):
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            assert task.owner == "motcua-data-engineering", f"{dag.dag_id}.{task.task_id} has no owner"
            # Validation is the only step that must not retry: its failure is a verdict, not a glitch.
            if task.task_id != "validate":
                assert task.retries >= 1, f"{dag.dag_id}.{task.task_id} has no retries"


def test_daily_dag_wiring(dagbag):
    dag = dagbag.get_dag("motcua_daily")
    validate = dag.get_task("validate")
    publish = dag.get_task("publish")
    assert publish.upstream_task_ids == {"validate"}
    # dbt's models run between the extract and the gate, one task per model (Cosmos).
    dbt_tasks = {t.task_id for t in dag.tasks if t.task_id.startswith("transform.")}
    assert any("fct_dossiers" in t for t in dbt_tasks)
    # The procedure catalogue's snapshot runs after the model it watches.
    snapshot = next(t for t in dbt_tasks if "procedures_snapshot" in t)
    assert any("int_procedures_latest_versions" in t for t in dag.get_task(snapshot).upstream_task_ids)
    assert validate.upstream_task_ids <= dbt_tasks
    # The catalogue lands before the units (their procedure codes are checked against it), then
    # the run holds the warehouse from its first build to its publish.
    assert dag.get_task("extract_load_procedures").downstream_task_ids == {"extract_load_unit"}
    assert dag.get_task("extract_load_unit").downstream_task_ids == {"check_feeds"}
    assert dag.get_task("check_feeds").downstream_task_ids == {"begin_release"}
    assert dag.get_task("begin_release").downstream_task_ids <= dbt_tasks | {"end_release"}


@pytest.mark.parametrize("dag_id", ["motcua_daily", "motcua_portal", "motcua_portal_snapshots"])
def test_a_run_holds_the_release_from_build_to_publish(dagbag, dag_id):
    dag = dagbag.get_dag(dag_id)
    begin, end = dag.get_task("begin_release"), dag.get_task("end_release")
    assert begin.is_setup and end.is_teardown
    assert "publish" in end.upstream_task_ids and "begin_release" in end.upstream_task_ids
    # The dbt docs are written from what was published, after the warehouse is given back.
    document = dag.get_task("document")
    assert document.upstream_task_ids == {"publish"} and not document.downstream_task_ids
    builds = [t for t in dag.tasks if t.task_id.startswith(("transform.", "own_counters.", "reconcile.", "history."))]
    assert builds and all(begin.task_id in t.get_flat_relative_ids(upstream=True) for t in builds)


def test_dbt_env_is_templated_not_baked(dagbag):
    """No password reaches the serialised DAG: dbt's connection env is rendered at run time."""
    dag = dagbag.get_dag("motcua_daily")
    task = next(t for t in dag.tasks if "fct_dossiers" in t.task_id)
    assert task.env["MOTCUA_DBT_PASSWORD"].startswith("{{")
