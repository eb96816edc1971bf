"""The ``motcua`` command's plumbing: tools found without an activated virtualenv, signals forwarded
to everything a tool started, Airflow sized to the machine, run dates from the DAGs' schedules."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from motcua.cli.processes import exit_code, session_members
from motcua.cli.tools import tool_command
from motcua.runtime import task_parallelism, tool_env, tools_bin_dir

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_tools_come_from_this_interpreters_bin_folder_first_on_path():
    bin_dir = str(Path(sys.executable).parent)
    env = tool_env({"PATH": f"/usr/bin:{bin_dir}:/bin"})
    assert env["PATH"].split(os.pathsep) == [bin_dir, "/usr/bin", "/bin"]
    assert tool_env({})["PATH"] == bin_dir
    # Not resolved: a virtualenv's python links to the base interpreter, whose folder has no airflow.
    assert tools_bin_dir() == Path(sys.executable).parent
    assert tool_command("airflow", ["version"]) == [str(Path(bin_dir) / "airflow"), "version"]
    dbt = tool_command("dbt", ["build", "--select", "x"])
    assert dbt[1:4] == ["build", "--select", "x"] and "--project-dir" in dbt


@pytest.mark.parametrize(("cpus", "parallelism"), [(1, 2), (2, 4), (8, 16), (64, 32)])
def test_parallelism_follows_the_cpus(cpus, parallelism):
    assert task_parallelism(cpus) == parallelism


def test_exit_code_of_a_child_killed_by_a_signal():
    assert exit_code(-signal.SIGTERM) == 143
    assert exit_code(3) == 3


def test_run_dates_come_from_the_dags_timetables():
    import pendulum
    from airflow.timetables.interval import CronDataIntervalTimetable

    from motcua.cli import daily_run_date, portal_run_date
    from motcua.orchestration.schedules import DAILY, PORTAL

    daily = daily_run_date(date(2025, 6, 30))
    assert daily == datetime(2025, 7, 1, tzinfo=VN)
    portal = portal_run_date(date(2025, 6, 17))
    assert portal == datetime(2025, 7, 5, 3, tzinfo=VN)
    # dag.test() gives a manual run the last complete interval before its date: the day, the month's.
    tz = pendulum.timezone("Asia/Ho_Chi_Minh")
    day = CronDataIntervalTimetable(DAILY.cron, tz).infer_manual_data_interval(run_after=pendulum.instance(daily))
    assert (day.start, day.end) == (datetime(2025, 6, 30, tzinfo=VN), daily)
    month = CronDataIntervalTimetable(PORTAL.cron, tz).infer_manual_data_interval(run_after=pendulum.instance(portal))
    assert month.start.in_timezone(tz).date() == date(2025, 6, 5)


# A tool like `airflow standalone`: a child in its own process group (as Airflow's task runners are),
# then it waits. IGNORE=1: the tool and its child ignore SIGTERM and must be killed.
TOOL = textwrap.dedent(
    """
    import os, signal, subprocess, sys, time
    if os.environ.get("IGNORE"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], process_group=0)
    with open(os.environ["READY"], "w") as fh:
        fh.write(str(child.pid))
    time.sleep(600)
    """
)
WRAPPER = "import sys; from motcua.cli.processes import run_supervised; sys.exit(run_supervised(sys.argv[1:], grace=2))"


def _marked(mark: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if mark in (entry / "environ").read_bytes().decode(errors="replace"):
                    stat = (entry / "stat").read_text()
                    if stat[stat.rindex(")") + 2] != "Z":
                        pids.append(int(entry.name))
            except OSError:
                continue
    return pids


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="walks /proc")
@pytest.mark.parametrize(
    ("sig", "ignore", "code"),
    [(signal.SIGTERM, "", 143), (signal.SIGINT, "", 130), (signal.SIGTERM, "1", 128 + signal.SIGKILL)],
)
def test_a_signal_to_the_wrapper_stops_all_the_tool_started(tmp_path, sig, ignore, code):
    mark = f"motcua-test-{uuid.uuid4().hex}"
    ready = tmp_path / "ready"
    env = {**os.environ, "MARK": mark, "READY": str(ready), "IGNORE": ignore}
    wrapper = subprocess.Popen([sys.executable, "-c", WRAPPER, sys.executable, "-c", TOOL], env=env)
    try:
        deadline = time.monotonic() + 30
        while not (ready.exists() and ready.read_text()):
            assert time.monotonic() < deadline and wrapper.poll() is None
            time.sleep(0.05)
        tool_child = int(ready.read_text())
        assert len(_marked(mark)) == 3  # wrapper, tool, the tool's child in its own group
        assert tool_child in session_members(os.getsid(tool_child))
        wrapper.send_signal(sig)
        # The tool's exit code, as a shell gives it: killed by SIGTERM 143, by SIGINT 130, by SIGKILL 137.
        assert wrapper.wait(timeout=20) == code
        assert _marked(mark) == []
    finally:
        for pid in _marked(mark):
            os.kill(pid, signal.SIGKILL)
