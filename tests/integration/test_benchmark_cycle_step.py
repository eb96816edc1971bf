"""One step of the benchmark's daily cycle (``benchmarks/cycle_step.py``) in its own process, as
``make bench`` runs it, on a small warehouse: it reports its time, its peak memory and its I/O
(disk traffic, I/O wait, PostgreSQL buffer reads and hits), the figures the scale runs use to say
whether a step that grows with history waits on the disk. Values are not asserted beyond what
must hold on any machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

STEP_SCRIPT = Path(__file__).parents[2] / "benchmarks" / "cycle_step.py"
IO_FIELDS = {
    "disk_read_mb",
    "disk_written_mb",
    "iowait_seconds",
    "pg_blocks_read",
    "pg_blocks_hit",
    "pg_buffer_hit_ratio",
    "pg_temp_mb",
}


def _step(step: str, url: str) -> dict:
    env = {**os.environ, "MOTCUA_WAREHOUSE_URL": url}
    done = subprocess.run(
        [sys.executable, str(STEP_SCRIPT), step, "--day", "2025-12-01"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_cycle_step_reports_its_time_memory_and_io(warehouse):
    begun = _step("release", warehouse.url)
    with psycopg.connect(warehouse.url) as conn:
        holders = conn.execute("select count(*) from ops.release_lock").fetchone()[0]
    ended = _step("end", warehouse.url)

    assert holders == 1  # the step really took the release lock, in the warehouse measured
    for result, step in ((begun, "release"), (ended, "end")):
        assert result["step"] == step and result["seconds"] > 0 and result["peak_rss_mb"] > 0
        io = result["io"]
        assert set(io) == IO_FIELDS
        assert io["disk_read_mb"] >= 0 and io["disk_written_mb"] >= 0 and io["iowait_seconds"] >= 0
        # The step's statements read the release tables: PostgreSQL counted their blocks.
        assert io["pg_blocks_hit"] + io["pg_blocks_read"] > 0
        assert 0 <= io["pg_buffer_hit_ratio"] <= 1
