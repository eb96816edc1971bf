"""Where a benchmark run points: its warehouse databases and a fixed copy of the dbt project.

Others change ``dbt_project/`` while a run of an hour or more goes on; a run therefore builds from
a copy taken when it starts: the project at a git ref (``--dbt-ref HEAD``, the default: the current
committed tree) or the working tree as it is (``--dbt-ref worktree``). The copy is parsed into its
own ``target/``, and Motcua's dbt helpers (``orchestration.dbt``: project folder, manifest; the
publish task's manifest) are pointed at it, in this process and, through
``MOTCUA_BENCH_DBT_DIR``, in the step processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from motcua.config import PROJECT_DIR, PostgresTarget

DBT_DIR_ENV = "MOTCUA_BENCH_DBT_DIR"


def snapshot_dbt_project(ref: str, into: Path | None = None, patches: list[str] | None = None) -> dict:
    """Copy ``dbt_project`` at git ``ref`` (or the working tree for ``worktree``) to a new folder,
    then apply ``patches`` (unified diffs from the repository root, e.g. ``git diff`` output)."""
    into = into or Path(tempfile.mkdtemp(prefix="motcua-bench-dbt-"))
    target = into / "dbt_project"
    if target.exists():
        shutil.rmtree(target)
    if ref == "worktree":
        shutil.copytree(
            PROJECT_DIR / "dbt_project",
            target,
            ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__"),
        )
        commit = "worktree"
    else:
        commit = subprocess.run(
            ["git", "rev-parse", ref], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", commit, "dbt_project"], cwd=PROJECT_DIR, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(into, filter="data")
    for patch in patches or []:
        subprocess.run(
            ["patch", "-p1", "--forward", "--quiet", "-d", str(into), "-i", str(Path(patch).resolve())], check=True
        )
    digest = hashlib.sha256()
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(target)).encode())
        digest.update(path.read_bytes())
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "dbt_project"], cwd=PROJECT_DIR, capture_output=True, text=True
    ).stdout.splitlines()
    return {
        "ref": ref,
        "commit": commit,
        "path": str(target),
        "patches": [str(p) for p in patches or []],
        "content_sha256": digest.hexdigest()[:16],
        "worktree_changes_at_start": dirty,
    }


def use_dbt_project(path: str | Path) -> None:
    """Point Motcua's dbt helpers (this process and the step processes) at the project in ``path``."""
    from motcua.orchestration import dbt, tasks

    path = Path(path)
    os.environ[DBT_DIR_ENV] = str(path)
    dbt.DBT_PROJECT_DIR = path
    dbt.MANIFEST_PATH = path / "target" / "manifest.json"
    tasks.MANIFEST_PATH = dbt.MANIFEST_PATH


def use_dbt_project_from_env() -> None:
    if os.environ.get(DBT_DIR_ENV):
        use_dbt_project(os.environ[DBT_DIR_ENV])


def use_warehouse(url: str) -> None:
    """Every task body, dbt and GX of this process (and its children) work on ``url``."""
    from motcua.config import WAREHOUSE_CONN_ID

    os.environ["MOTCUA_WAREHOUSE_URL"] = url
    os.environ[f"AIRFLOW_CONN_{WAREHOUSE_CONN_ID.upper()}"] = url
    os.environ.update(PostgresTarget.from_url(url).dbt_env())


def database_url(base_url: str, name: str) -> str:
    t = PostgresTarget.from_url(base_url)
    return PostgresTarget(t.host, t.port, t.user, t.password, name).libpq_url()


def dbt(*args: str, pgoptions: str | None = None, check: bool = True) -> dict:
    """Run ``dbt <args>`` on the project copy (a child process, as Cosmos runs it); its wall time,
    and the per-node times of ``run_results.json`` when it wrote one. With ``check``, only a run
    that wrote no results raises: a failed data test is a finding of the run, reported with it."""
    from motcua.orchestration import dbt as motcua_dbt

    env = motcua_dbt.dbt_env({"PGOPTIONS": pgoptions} if pgoptions else None)
    target = motcua_dbt.DBT_PROJECT_DIR / "target"
    results_file = target / "run_results.json"
    results_file.unlink(missing_ok=True)
    started = time.perf_counter()
    done = subprocess.run(motcua_dbt.dbt_command(*args), env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    nodes = {}
    if results_file.exists():
        for r in json.loads(results_file.read_text(encoding="utf-8"))["results"]:
            nodes[r["unique_id"]] = {"seconds": r["execution_time"], "status": r["status"]}
    failed = sorted(uid for uid, n in nodes.items() if n["status"] in ("error", "fail", "runtime error"))
    if check and done.returncode != 0 and not nodes:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{done.stdout[-6000:]}{done.stderr[-2000:]}")
    return {
        "seconds": seconds,
        "returncode": done.returncode,
        "failed": failed,
        "nodes": nodes,
        "stdout_tail": done.stdout[-3000:] if failed else "",
    }
