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
