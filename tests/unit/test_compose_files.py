"""docker-compose.celery.yml against docker-compose.yml: the workers run what the other services run.

docker-compose 1.x (what CI validates with) cannot ``extends:`` a service with ``depends_on``, and
YAML anchors do not cross files, so the override repeats the base file's Airflow block for its
workers. These checks fail when the copies drift apart; ``make compose-check`` validates the files.
"""

from __future__ import annotations

import yaml

from motcua.config import PROJECT_DIR

AIRFLOW_SERVICES = (
    "airflow-init",
    "airflow-api-server",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
)


def _load(name: str) -> dict:
    return yaml.safe_load((PROJECT_DIR / name).read_text(encoding="utf-8"))


BASE = _load("docker-compose.yml")
CELERY = _load("docker-compose.celery.yml")
CELERY_ENV = CELERY["x-celery-env"]


def test_the_base_file_runs_the_local_executor_without_redis():
    assert BASE["x-airflow"]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert "redis" not in BASE["services"]
    assert not any("celery" in " ".join(s.get("command", [])) for s in BASE["services"].values())


def test_every_airflow_service_gets_the_celery_settings_and_waits_for_redis():
    for name in AIRFLOW_SERVICES:
        override = CELERY["services"][name]
        assert override["environment"] == CELERY_ENV, name
        assert override["depends_on"]["redis"] == {"condition": "service_healthy"}, name
    assert CELERY_ENV["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert CELERY_ENV["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:6379/")
    # Results on the compose PostgreSQL: Airflow's own metadata database, with its own driver and login.
    sync_db = BASE["x-airflow"]["environment"]["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    assert CELERY_ENV["AIRFLOW__CELERY__RESULT_BACKEND"] == "db+" + sync_db


def test_workers_run_the_base_image_with_the_base_settings():
    base = BASE["x-airflow"]
    for name in ("airflow-worker", "airflow-flower"):
        worker = CELERY["services"][name]
        assert worker["image"] == base["image"]
        assert worker["build"] == base["build"]
        assert worker["environment"] == {**base["environment"], **CELERY_ENV}, name
        assert set(base["volumes"]) <= set(worker["volumes"])
        assert set(CELERY["x-celery-service"]["volumes"]) <= set(worker["volumes"])


def test_workers_scale_and_stop_warmly():
    worker = CELERY["services"]["airflow-worker"]
    assert worker["command"] == ["airflow", "celery", "worker"]
    # `--scale airflow-worker=N` needs replicas without a fixed name or a published port.
    assert "container_name" not in worker and "ports" not in worker
    assert worker["init"] is True and "healthcheck" in worker
    assert CELERY_ENV["AIRFLOW__CELERY__WORKER_CONCURRENCY"].startswith("${AIRFLOW_WORKER_CONCURRENCY")
