"""Measuring for the benchmarks: wall time and peak memory of a step, the machine, the result file.

Peak memory is the resident set (RSS) of this process and all its descendants (dbt, a step's child
process), sampled every 50 ms with psutil, or, without psutil, ``ru_maxrss`` of this process and its
waited-for children. PostgreSQL's own processes are not counted (their shared buffers are the
server's, not the step's).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"

try:  # optional: without it, ru_maxrss
    import psutil
except ImportError:  # pragma: no cover
    psutil = None


def tree_rss_bytes(pid: int | None = None) -> int:
    """RSS of a process and its descendants."""
    if psutil is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        proc = psutil.Process(pid or os.getpid())
        total = proc.memory_info().rss
        for child in proc.children(recursive=True):
            with suppress(psutil.Error):
                total += child.memory_info().rss
        return total
    except psutil.Error:
        return 0


class PeakSampler:
    """Samples the process tree's RSS in a thread; ``peak`` is the highest total seen."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes())
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.peak = tree_rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss_bytes())


@dataclass
class Timed:
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    load_before: float = 0.0  # 1-minute load average when the step started (others' work shows here)


@contextmanager
def timed() -> Iterator[Timed]:
    """Wall time and peak RSS (this process and its children) of the block."""
    result = Timed(load_before=os.getloadavg()[0])
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with PeakSampler() as sampler:
        started = time.perf_counter()
        try:
            yield result
        finally:
            result.seconds = time.perf_counter() - started
    peak = sampler.peak
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if psutil is None and children > children_before:
        peak = max(peak, children * 1024)
    result.peak_rss_mb = peak / 1e6


@dataclass(frozen=True)
class IoCounters:
    """Machine-wide disk traffic and I/O wait, and one database's buffer reads, at one instant.

    Disk: the whole disks in /sys/block that have a device (partitions, loop, zram and
    device-mapper volumes would count the same bytes twice), in 512-byte sectors. I/O wait: the
    CPUs' iowait time. PostgreSQL: ``pg_stat_database`` of the database, where ``blks_read`` is a
    block not in shared buffers (read from the OS, whose page cache may still hold it: the disk
    figures say whether it did).
    """

    disk_read_bytes: int
    disk_written_bytes: int
    iowait_seconds: float
    pg_blocks_read: int = 0
    pg_blocks_hit: int = 0
    pg_temp_bytes: int = 0

    def since(self, before: IoCounters) -> dict:
        read = self.pg_blocks_read - before.pg_blocks_read
        hit = self.pg_blocks_hit - before.pg_blocks_hit
        return {
            "disk_read_mb": (self.disk_read_bytes - before.disk_read_bytes) / 1e6,
            "disk_written_mb": (self.disk_written_bytes - before.disk_written_bytes) / 1e6,
            "iowait_seconds": self.iowait_seconds - before.iowait_seconds,
            "pg_blocks_read": read,
            "pg_blocks_hit": hit,
            "pg_buffer_hit_ratio": hit / (hit + read) if hit + read else None,
            "pg_temp_mb": (self.pg_temp_bytes - before.pg_temp_bytes) / 1e6,
        }


def _whole_disks() -> set[str]:
    block = Path("/sys/block")
    if not block.is_dir():
        return set()
    return {d.name for d in block.iterdir() if (d / "device").exists()}


def io_counters(conn: object | None = None) -> IoCounters:
    """The counters now; zeros where the platform or, without ``conn``, the database cannot say.

    ``conn`` is an autocommit psycopg connection to the warehouse: each statement is its own
    transaction, so each reading sees the statistics as they are then.
    """
    read = written = 0
    with suppress(OSError):
        disks = _whole_disks()
        for line in Path("/proc/diskstats").read_text().splitlines():
            fields = line.split()
            if len(fields) >= 10 and fields[2] in disks:
                read += int(fields[5]) * 512
                written += int(fields[9]) * 512
    iowait = 0.0
    with suppress(OSError, IndexError, ValueError):
        cpu = Path("/proc/stat").read_text().splitlines()[0].split()
        iowait = int(cpu[5]) / os.sysconf("SC_CLK_TCK")
    if conn is None:
        return IoCounters(read, written, iowait)
    row = conn.execute(
        "select blks_read, blks_hit, temp_bytes from pg_stat_database where datname = current_database()"
    ).fetchone()
    return IoCounters(read, written, iowait, *(int(v or 0) for v in row))


#: A server process reports its block counts to pg_stat_database when its session ends, which
#: comes a moment after the client closed it: wait this long after a step's process has exited.
STATS_SETTLE_SECONDS = 1.0


@contextmanager
def step_io(url: str | None) -> Iterator[dict]:
    """Measure the I/O of what runs inside (a step's own process, waited for): the dict it yields
    is filled on exit with :meth:`IoCounters.since`. Read from outside the step, once its
    connections (GX keeps a pool open until its process ends) have ended and reported."""
    out: dict = {}
    if not url:
        before = io_counters()
        yield out
        out.update(io_counters().since(before))
        return
    import psycopg

    from motcua.config import PostgresTarget

    with psycopg.connect(PostgresTarget.from_url(url).libpq_url(), autocommit=True) as conn:
        before = io_counters(conn)
        yield out
        time.sleep(STATS_SETTLE_SECONDS)
        out.update(io_counters(conn).since(before))


def machine(url: str | None = None) -> dict:
    """The machine and server a figure was measured on."""
    info: dict = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if psutil is not None:
        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    if url:
        import psycopg

        with psycopg.connect(url) as conn:
            info["postgresql"] = conn.execute("select version()").fetchone()[0]
            info["postgresql_settings"] = dict(
                conn.execute(
                    """select name, setting || coalesce(unit, '') from pg_settings
                       where name in ('shared_buffers', 'work_mem', 'maintenance_work_mem', 'max_wal_size',
                                      'synchronous_commit', 'effective_cache_size', 'max_parallel_workers_per_gather',
                                      'jit')"""
                ).fetchall()
            )
    with suppress(OSError, subprocess.CalledProcessError):
        info["git_head"] = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=BENCH_DIR, capture_output=True, text=True, check=True
        ).stdout.strip()
    return info


@dataclass
class Results:
    """Every figure of a run, written to ``benchmarks/results/<name>.json`` as the run goes."""

    name: str
    data: dict = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return RESULTS_DIR / f"{self.name}.json"

    def put(self, section: str, value: object) -> None:
        self.data[section] = value
        self.save()

    def save(self) -> None:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, default=str, ensure_ascii=False), encoding="utf-8")
        tmp.replace(self.path)


def say(*parts: object) -> None:
    """Progress lines (stderr keeps stdout for the tables)."""
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}]", *parts, file=sys.stderr, flush=True)


def print_table(title: str, rows: list[tuple], headers: tuple[str, ...]) -> None:
    """A plain text table on stdout."""
    cells = [[str(c) for c in headers]] + [[("" if c is None else str(c)) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    print(f"\n== {title}")
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            print("  ".join("-" * w for w in widths))
    sys.stdout.flush()
