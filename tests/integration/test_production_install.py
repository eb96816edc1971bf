"""Production needs none of the source simulator: not in the wheel, not at import, and the demo says so.

The main project's wheel (what ``pip install .`` and the production image install) is built from a
copy of the sources and laid out like the image (/opt/motcua: ``src`` next to ``dags``,
``dbt_project``, ``expectations``). A fresh interpreter, with a meta-path finder that makes
``motcua_simulator``, ``fastapi`` and ``uvicorn`` unimportable, then imports every module of that
wheel and every DAG file, with the Airflow settings of tests/conftest.py. Airflow itself depends on
fastapi and uvicorn (its API server), so the finder records who asked: only motcua's code and the
DAG files must never ask. Finally ``motcua demo`` ends with one line and exit code 2.
"""

from __future__ import annotations

import email
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from motcua.config import PROJECT_DIR

BLOCKED = ("motcua_simulator", "fastapi", "uvicorn")

# Put first on sys.meta_path: records every import of a blocked package with the file that asked.
_BLOCKER = f"""
import importlib.abc, sys
BLOCKED = {BLOCKED!r}
ASKED = []

def _asker():
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if not (name.startswith("<") or "/importlib/" in name):
            return name
        frame = frame.f_back
    return "?"

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            ASKED.append((name, _asker()))
            raise ModuleNotFoundError(f"No module named {{name!r}} (blocked)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
"""

_IMPORT_ALL = """
import importlib, importlib.util, json, pkgutil, sys
from pathlib import Path

import motcua
from motcua.config import load_settings

modules = sorted(m.name for m in pkgutil.walk_packages(motcua.__path__, "motcua.") if not m.name.endswith("__main__"))
for name in modules:
    importlib.import_module(name)

from airflow.sdk import DAG

dag_ids = []
for path in sorted(load_settings().dags_dir.glob("*.py")):
    spec = importlib.util.spec_from_file_location(f"motcua_dag_file_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dag_ids += [v.dag_id for v in vars(module).values() if isinstance(v, DAG)]
print("REPORT " + json.dumps({
    "motcua_file": motcua.__file__,
    "modules": modules,
    "dag_ids": sorted(dag_ids),
    "asked": ASKED,
    "loaded": sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED),
}))
"""

_DEMO = """
from motcua.cli import main
sys.exit(main(["demo"]))
"""


def _build_wheel(tmp_path: Path) -> Path:
    """The main project's wheel, built from a copy (a stale build/ in the checkout cannot leak in)."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(PROJECT_DIR / name, source / name)
    shutil.copytree(PROJECT_DIR / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("motcua-*.whl")
    return wheel


def _image(tmp_path: Path, wheel: Path) -> Path:
    """The wheel unpacked into src/ of a folder laid out like the image's /opt/motcua."""
    image = tmp_path / "image"
    with zipfile.ZipFile(wheel) as whl:
        whl.extractall(image / "src")
    for name in ("dags", "dbt_project", "expectations"):
        (image / name).symlink_to(PROJECT_DIR / name)
    return image


def _run(script: str, image: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("MOTCUA_PROJECT_DIR", "PYTHONPATH")}
    env.update(PYTHONPATH=str(image / "src"), MOTCUA_STATE_DIR=str(tmp_path / "state"))
    return subprocess.run(
        [sys.executable, "-c", _BLOCKER + script],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_production_install_has_no_simulator(tmp_path):
    from motcua.orchestration.dbt import MANIFEST_PATH, parse_manifest

    if not MANIFEST_PATH.exists():  # the DAG files render the dbt manifest (make install parses it)
        parse_manifest()
    wheel = _build_wheel(tmp_path)

    with zipfile.ZipFile(wheel) as whl:
        names = whl.namelist()
        metadata = email.message_from_bytes(whl.read(next(n for n in names if n.endswith(".dist-info/METADATA"))))
    assert {name.split("/")[0] for name in names} == {"motcua", wheel.name.split("-py3")[0] + ".dist-info"}
    simulator_files = [
        name
        for name in names
        if "motcua_simulator" in name
        or name.startswith(("motcua/simulator/", "motcua/workdays/", "motcua/reference.py"))
        or "workdays" in name
    ]
    assert simulator_files == []
    required = {
        req.split(";")[0].split("[")[0].split("<")[0].split(">")[0].split("=")[0].strip().lower()
        for req in metadata.get_all("Requires-Dist") or []
    }
    assert not required & {"fastapi", "uvicorn", "motcua-simulator", "motcua_simulator"}, required

    image = _image(tmp_path, wheel)
    done = _run(_IMPORT_ALL, image, tmp_path)
    assert done.returncode == 0, done.stderr[-4000:]
    report = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("REPORT "))[7:])
    assert report["motcua_file"] == str(image / "src" / "motcua" / "__init__.py")
    assert {
        "motcua.cli",
        "motcua.orchestration.tasks",
        "motcua.landing.loader",
        "motcua.publishing.publish",
        "motcua.quality.gate",
    } <= set(report["modules"])
    assert report["dag_ids"] == [
        "motcua_daily",
        "motcua_portal",
        "motcua_portal_snapshots",
        "motcua_reference",
        "motcua_spreadsheets",
    ]
    ours = (str(image), str(PROJECT_DIR / "dags"), str(PROJECT_DIR / "src"))
    assert [(name, asker) for name, asker in report["asked"] if asker.startswith(ours)] == []
    assert report["loaded"] == []
    print(
        f"\n{wheel.name}: {len(names)} files, none of the simulator; {len(report['modules'])} motcua modules and "
        f"{len(report['dag_ids'])} DAGs import with {', '.join(BLOCKED)} unimportable; blocked imports asked by "
        f"others (Airflow's own dependencies): {sorted({(n, Path(a).name) for n, a in report['asked']})}"
    )

    demo = _run(_DEMO, image, tmp_path)
    assert demo.returncode == 2, demo.stderr[-4000:]
    assert demo.stderr.splitlines() == ["motcua: the demo needs the source simulator: pip install -e ./simulator"]
    print(f"motcua demo -> exit {demo.returncode}: {demo.stderr.strip()}")
