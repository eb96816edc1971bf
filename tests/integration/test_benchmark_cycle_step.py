"""One step of the benchmark's daily cycle (``benchmarks/cycle_step.py``) in its own process, with
its I/O measured around that process as ``make bench`` does (``measure.step_io``): its time, peak
memory, disk traffic, I/O wait and PostgreSQL block reads and hits, the figures the scale runs use
to say whether a step that grows with history waits on the disk. Values are not asserted beyond
what must hold on any machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from measure import step_io  # the harness's own measuring, imported as run.py imports it

BENCHMARKS = Path(__file__).parents[2] / "benchmarks"

IO_FIELDS = {
    "disk_read_mb",
    "disk_written_mb",
    "iowait_seconds",
    "pg_blocks_read",
    "pg_blocks_hit",
    "pg_buffer_hit_ratio",
    "pg_temp_mb",
}


def _release_lock_blocks(url: str) -> int:
    """Blocks of ops.release_lock (heap and indexes) read or hit so far: only the steps touch it."""
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(
            """select coalesce(heap_blks_read, 0) + coalesce(heap_blks_hit, 0)
                      + coalesce(idx_blks_read, 0) + coalesce(idx_blks_hit, 0)
               from pg_statio_user_tables where schemaname = 'ops' and relname = 'release_lock'"""
        ).fetchone()[0]


def _step(step: str, url: str) -> tuple[dict, int]:
    """(the step's JSON line with its I/O, blocks of ops.release_lock it read or hit)."""
    env = {**os.environ, "MOTCUA_WAREHOUSE_URL": url}
    lock_before = _release_lock_blocks(url)
    with step_io(url) as io:
        done = subprocess.run(
            [sys.executable, str(BENCHMARKS / "cycle_step.py"), step, "--day", "2025-12-01"],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {**result, "io": io}, _release_lock_blocks(url) - lock_before


def test_a_cycle_step_reports_its_time_memory_and_io(warehouse):
    begun, begun_lock_blocks = _step("release", warehouse.url)
    with psycopg.connect(warehouse.url) as conn:
        holders = conn.execute("select count(*) from ops.release_lock").fetchone()[0]
    ended, ended_lock_blocks = _step("end", warehouse.url)

    assert holders == 1  # the step really took the release lock, in the warehouse measured
    for (result, lock_blocks), step in (((begun, begun_lock_blocks), "release"), ((ended, ended_lock_blocks), "end")):
        assert result["step"] == step and result["seconds"] > 0 and result["peak_rss_mb"] > 0
        io = result["io"]
        assert set(io) == IO_FIELDS
        assert io["disk_read_mb"] >= 0 and io["disk_written_mb"] >= 0 and io["iowait_seconds"] >= 0
        # The step read the lock table, and the database-wide counts taken around its process
        # include those blocks: its connections had reported when the measurement ended.
        assert lock_blocks > 0
        assert io["pg_blocks_hit"] + io["pg_blocks_read"] >= lock_blocks
        assert 0 <= io["pg_buffer_hit_ratio"] <= 1
