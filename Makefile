# Two commands set up a fresh clone (Debian 12, Python 3.11):
#   make demo   - install, start the embedded warehouse and the simulator, run the DAGs (each run's progress shown), print figures
#   make test   - install (Superset too, in its own venv), then lint and run the test suite (embedded warehouse
#                 unless MOTCUA_WAREHOUSE_URL is set)
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export AIRFLOW__CORE__LOAD_EXAMPLES := False

.PHONY: install demo test lint compose-check clean bench superset superset-install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall when the lock file or the projects' metadata changes. Two distributions, both editable:
# motcua (production) and the source simulator (simulator/: the demo and the tests need it).
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml simulator/pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e . -e ./simulator
	touch $@

install: $(VENV)/.installed
	$(BIN)/motcua dbt-parse >/dev/null

demo: install
	$(BIN)/motcua demo

# Apache Superset in its own virtual environment (it needs sqlalchemy<2 and pandas<2.2), then
# provisioned from superset/ and served on 127.0.0.1:8088 (MOTCUA_BI_PASSWORD: its reader login).
SUPERSET_VENV := .superset-venv
$(SUPERSET_VENV)/.installed: superset/requirements.txt
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/pip install --quiet --upgrade pip
	$(SUPERSET_VENV)/bin/pip install --quiet -r superset/requirements.txt
	touch $@

superset-install: $(SUPERSET_VENV)/.installed

superset: install superset-install
	$(BIN)/motcua bi superset

lint: install
	$(BIN)/ruff check src dags tests simulator benchmarks
	$(BIN)/motcua check-contract >/dev/null
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/data-tests dbt_project/snapshots

# The base file alone (LocalExecutor) and with the Celery override (CeleryExecutor, Redis, workers).
compose-check:
	@if command -v docker-compose >/dev/null 2>&1; then \
		docker-compose --env-file .env.example -f docker-compose.yml config -q && echo "docker-compose.yml is valid" && \
		docker-compose --env-file .env.example -f docker-compose.yml -f docker-compose.celery.yml config -q && \
		echo "docker-compose.yml + docker-compose.celery.yml is valid"; \
	else \
		if [ -n "$$CI" ]; then echo "docker-compose is required in CI" >&2; exit 1; fi; \
		echo "docker-compose not installed: skipping compose validation (.ci/run installs it)"; \
	fi

# Test files run on TEST_WORKERS processes (one per CPU by default), each with its own warehouse,
# Airflow metadata and state folder; a file's tests stay together (their module fixtures are shared).
TEST_WORKERS ?= auto
test: lint compose-check superset-install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

clean:
	rm -rf .state dbt_project/target dbt_project/logs $(SUPERSET_VENV)

# Options pass through, e.g. make bench BENCH_ARGS="--scale 0.5 --years 3 --database-url postgresql://..." (BENCHMARKS.md)
bench: install
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)
