"""Cosmos configuration for running the dbt project inside Airflow.

The DAG is rendered from the dbt manifest (``dbt_project/target/manifest.json``), so parsing
a DAG file never runs dbt. ``motcua dbt-parse`` (part of every ``make`` target) writes it.
Connection details reach dbt as environment variables templated from the
``motcua_warehouse`` Airflow connection at run time, so no secret is serialised with the DAG.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from motcua.config import PROJECT_DIR, WAREHOUSE_CONN_ID, ConfigError

DBT_PROJECT_DIR = PROJECT_DIR / "dbt_project"
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"

_CONN = f"conn.{WAREHOUSE_CONN_ID}"
#: Rendered by Airflow when the task runs, from the connection (never at parse time).
DBT_ENV_TEMPLATE = {
    "MOTCUA_DBT_HOST": "{{ " + _CONN + ".host }}",
    "MOTCUA_DBT_PORT": "{{ " + _CONN + ".port or 5432 }}",
    "MOTCUA_DBT_USER": "{{ " + _CONN + ".login }}",
    "MOTCUA_DBT_PASSWORD": "{{ " + _CONN + ".password or '' }}",
    "MOTCUA_DBT_DBNAME": "{{ " + _CONN + ".schema }}",
    "DO_NOT_TRACK": "1",
}


def _name_flag_sources_without_reading_files() -> None:
    """Make dbt's adapter start-up cheap inside Airflow.

    dbt-common (1.39) gives every behavior flag a default "source" for its warning event, computed
    eagerly for each flag of each adapter dbt creates (``flag.get("source", _default_source())``)
    with ``inspect.stack()``, which looks up the module and reads the source file of every frame
    on the stack. Cosmos runs dbt in the task's process (dbtRunner), whose stack is Airflow's task
    runner and whose ``sys.modules`` holds thousands of modules: sampled with py-spy during a DAG
    test, 18 of 20 samples of the task process were in that lookup. The frames' own globals give
    the same module name without touching a file.
    """
    try:
        from dbt_common import behavior_flags
    except ImportError:  # dbt not installed here (a process that only reads settings)
        return
    rendered = getattr(behavior_flags, "BehaviorFlagRendered", None)
    if rendered is None or not hasattr(rendered, "_default_source"):
        return

    def _default_source() -> str:
        frame = sys._getframe(1)
        while frame is not None:
            name = frame.f_globals.get("__name__")
            if name and name != behavior_flags.__name__:
                return name
            frame = frame.f_back
        return "Unknown"

    rendered._default_source = staticmethod(_default_source)


_name_flag_sources_without_reading_files()


def dbt_executable() -> str:
    """The dbt next to this interpreter (the project's virtual environment)."""
    candidate = Path(sys.executable).with_name("dbt")
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise ConfigError("dbt is not installed in this environment: run `make install`.")
    return found


def dbt_command(*args: str) -> list[str]:
    """``dbt <args>`` on this project: its project folder and profiles (``dbt_project/profiles.yml``)."""
    return [dbt_executable(), *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]


def dbt_env(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment dbt runs in: this process's (the warehouse's ``MOTCUA_DBT_*``), plus ``env``."""
    from motcua.runtime import tool_env

    return tool_env({**os.environ, "DO_NOT_TRACK": "1", **(env or {})})


def run_dbt(*args: str, env: Mapping[str, str] | None = None) -> str:
    """Run ``dbt <args>`` on this project and return its output; a failure raises :class:`ConfigError`.

    The one way Motcua's own code runs dbt (``motcua setup``, ``dbt-parse``, tests); the DAGs run it
    through Cosmos with :func:`dbt_executable`.
    """
    done = subprocess.run(dbt_command(*args), env=dbt_env(env), capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigError(f"dbt {' '.join(args)} failed:\n{done.stdout[-4000:]}{done.stderr[-2000:]}")
    return done.stdout


def parse_manifest(env: dict[str, str] | None = None) -> Path:
    """Write ``target/manifest.json`` with ``dbt parse`` (no database connection needed)."""
    # dbt parse resolves profiles.yml but does not connect; placeholders are enough.
    placeholders = {
        key: os.environ.get(key, default)
        for key, default in (
            ("MOTCUA_DBT_HOST", "127.0.0.1"),
            ("MOTCUA_DBT_USER", "motcua"),
            ("MOTCUA_DBT_DBNAME", "motcua"),
        )
    }
    run_dbt("parse", env={**placeholders, **(env or {})})
    return MANIFEST_PATH


def generate_docs(site: Path, env: Mapping[str, str] | None = None) -> Path:
    """Write the dbt docs site (``index.html``, ``manifest.json``, ``catalog.json``) into ``site``.

    ``dbt docs generate`` reads the warehouse's catalogue (columns and types of what dbt built), so
    the warehouse's ``MOTCUA_DBT_*`` must be exported or given in ``env``; the project's own
    ``target`` (the manifest the DAGs render from) is left alone. The site is written beside
    ``site`` and swapped in whole, so someone browsing it (Airflow's Browse menu) never reads a
    half-written one, and a failed generation leaves the previous site.
    """
    site.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{site.name}-", dir=site.parent))
    try:
        run_dbt("docs", "generate", "--target-path", str(fresh), env=env)
        stale = None
        if site.exists():
            # An empty directory of a fresh name (rename replaces it), so a stale one left by a
            # killed run cannot block this one.
            stale = Path(tempfile.mkdtemp(prefix=f".{site.name}-stale-", dir=site.parent))
            site.rename(stale)
        fresh.rename(site)
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return site / "index.html"


def marts_built_by(select: list[str], exclude: list[str] | None = None) -> list[str]:
    """The marts (models built into ``audit``) that a dbt selection of ``path:`` selectors builds.

    A DAG validates and publishes exactly these: its release, not whatever ``audit`` holds.
    """
    selectors = [*select, *(exclude or [])]
    if not all(sel.startswith("path:") for sel in selectors):
        raise ConfigError(f"only path: selectors can scope a release, got {selectors}")
    if not MANIFEST_PATH.exists():
        raise ConfigError(f"dbt manifest missing at {MANIFEST_PATH}: run `make install` (it runs dbt parse).")
    nodes = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))["nodes"].values()

    def under(path: str, chosen: list[str]) -> bool:
        return any(path.startswith(sel.removeprefix("path:").rstrip("/") + "/") for sel in chosen)

    return sorted(
        n["name"]
        for n in nodes
        if n["resource_type"] == "model"
        and n["schema"] == "audit"
        and under(n["original_file_path"], select)
        and not under(n["original_file_path"], exclude or [])
    )


@dataclass(frozen=True)
class DbtScope:
    """The dbt nodes one group of a DAG builds, as ``path:`` selectors."""

    select: tuple[str, ...]
    exclude: tuple[str, ...] = ()

    def marts(self) -> list[str]:
        return marts_built_by(list(self.select), list(self.exclude))

    def task_group_kwargs(self) -> dict:
        return task_group_kwargs(list(self.select), list(self.exclude))


#: motcua_daily's transform: every model and the procedure snapshot, but not the portal's, which
#: motcua_portal builds monthly and motcua_portal_snapshots daily. The snapshot records, run by
#: run, what the catalogue looked like.
DAILY_TRANSFORM = DbtScope(
    ("path:models", "path:snapshots"),
    (
        "path:models/intermediate/portal",
        "path:models/intermediate/portal_to_date",
        "path:models/staging/scoring",
        "path:models/marts/portal",
        "path:models/staging/portal",
        "path:models/marts/portal_history",
    ),
)
#: The portal's history: its official points from every landed version of its evaluations, and
#: the running periods' daily snapshots reconciled with Motcua's own counters to date.
PORTAL_HISTORY = DbtScope(
    ("path:models/staging/portal", "path:models/staging/scoring", "path:models/marts/portal_history")
)
#: motcua_portal_snapshots: Motcua's own counters through each snapshot day (from the days' portal
#: versions, so with the portal's staging views), scored before the history is built.
PORTAL_OWN_COUNTERS_TO_DATE = DbtScope(("path:models/staging/portal", "path:models/intermediate/portal_to_date"))
#: motcua_portal: Motcua's own Decision 766 counters, then, after scoring, the reconciliation
#: (and the history, which the month's closing figures extend).
PORTAL_OWN_COUNTERS = DbtScope(("path:models/intermediate/portal",))
PORTAL_RECONCILE = DbtScope(("path:models/marts/portal", *PORTAL_HISTORY.select))


def task_group_kwargs(select: list[str], exclude: list[str] | None = None) -> dict:
    """Keyword arguments for ``cosmos.DbtTaskGroup`` rendering the selected dbt nodes."""
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import LoadMode, TestBehavior

    if not MANIFEST_PATH.exists():
        raise ConfigError(f"dbt manifest missing at {MANIFEST_PATH}: run `make install` (it runs dbt parse).")
    return {
        "project_config": ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR, manifest_path=MANIFEST_PATH, project_name="motcua"
        ),
        "profile_config": ProfileConfig(
            profile_name="motcua",
            target_name="warehouse",
            profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
        ),
        "execution_config": ExecutionConfig(dbt_executable_path=dbt_executable()),
        "render_config": RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            select=select,
            exclude=exclude or [],
            # One `dbt build` per node: the model and its tests in one task, fewer dbt start-ups.
            test_behavior=TestBehavior.BUILD,
            # A test with several parents (relationships) runs once all of them are built,
            # instead of inside the first parent's task where the others may not exist yet.
            should_detach_multiple_parents_tests=True,
        ),
        "operator_args": {"env": DBT_ENV_TEMPLATE, "append_env": True, "install_deps": False},
    }
