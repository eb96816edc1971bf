"""Bad configuration ends with one clear message that says what to set, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _motcua(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "motcua.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("url", "needle"),
    [
        ("postgresql://motcua@127.0.0.1:1/motcua", "Cannot connect to the warehouse at 127.0.0.1:1"),
        ("mysql://x@h/db", "must be a PostgreSQL URL"),
    ],
)
def test_bad_warehouse_url_gives_one_clear_message(tmp_path, url, needle):
    done = _motcua("setup", env={"MOTCUA_WAREHOUSE_URL": url, "MOTCUA_STATE_DIR": str(tmp_path)})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("motcua:")]
    assert len(lines) == 1 and needle in lines[0]
    assert "MOTCUA_WAREHOUSE_URL" in lines[0]


def _without(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``modules`` unimportable, and the simulator's server module import afresh."""
    monkeypatch.delitem(sys.modules, "motcua_simulator.server", raising=False)
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("command", ["demo", "simulator"])
def test_without_the_simulator_demo_and_simulator_end_with_one_clear_line(monkeypatch, capsys, command):
    from motcua.cli import main

    _without(monkeypatch, "motcua_simulator")
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"motcua: the {'demo' if command == 'demo' else 'simulator command'} needs the source simulator: "
        "pip install -e ./simulator"
    ]


def test_a_missing_dependency_of_the_simulator_is_named(monkeypatch):
    from motcua.cli.simulator import require_simulator
    from motcua.config import ConfigError

    _without(monkeypatch, "uvicorn")
    with pytest.raises(ConfigError, match=r"needs the source simulator \(no module named 'uvicorn'\): pip install"):
        require_simulator("demo")


def test_the_simulator_when_installed():
    from motcua.cli.simulator import require_simulator

    server = require_simulator("demo")
    assert callable(server.running_simulator) and callable(server.area_units)
