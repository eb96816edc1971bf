"""The ``motcua`` command: set up, run the demo, manage the embedded warehouse and simulator.

``main`` parses the arguments (:mod:`motcua.cli.main`); each command lives in its own module:
``demo`` (and ``reports``, what it prints), ``warehouse`` (``setup``, ``warehouse``), ``simulator``,
``tools`` (``airflow``, ``dbt``, ``dbt-parse``). ``dag_runs`` runs a DAG in-process with
``dag.test()``; ``processes`` runs a tool so that stopping ``motcua`` stops all it started.

``demo`` and ``simulator`` need the source simulator, a separate distribution (``simulator/``,
``motcua_simulator``); nothing here imports it until one of them runs. Tests serve it with
:func:`motcua_simulator.server.running_simulator`.
"""

from motcua.cli.dag_runs import daily_run_date, portal_run_date, run_dag, snapshot_run_date
from motcua.cli.main import main
from motcua.cli.tools import migrate_airflow
from motcua.orchestration.dbt import run_dbt

__all__ = [
    "daily_run_date",
    "main",
    "migrate_airflow",
    "portal_run_date",
    "run_dag",
    "run_dbt",
    "snapshot_run_date",
]
