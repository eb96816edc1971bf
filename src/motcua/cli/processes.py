"""Run a tool as a child that stops, with everything it started, when ``motcua`` is stopped.

``airflow standalone`` starts a scheduler, an API server, a dag-processor and a triggerer, and
the LocalExecutor's workers fork a task runner per task in a process group of its own. The tool
therefore starts in a session of its own: Ctrl-C or SIGTERM to ``motcua`` is forwarded to the
tool's process group, and once the tool has exited (or ``grace`` seconds after the signal)
whatever is left in its session is terminated, then killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

#: Signals forwarded to the tool; SIGHUP (the terminal closed) arrives as SIGTERM, because servers
#: such as gunicorn read SIGHUP as "reload".
FORWARDED = {signal.SIGINT: signal.SIGINT, signal.SIGTERM: signal.SIGTERM, signal.SIGHUP: signal.SIGTERM}


def session_members(sid: int) -> dict[int, int]:
    """Live (not zombie) processes of session ``sid``, pid -> process group (Linux ``/proc``).

    That is the tool and all it started, even into process groups of their own (Airflow's task
    runners). Without ``/proc``, the tool's process group stands for its session.
    """
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(sid, 0)
        except (ProcessLookupError, PermissionError):
            return {}
        return {sid: sid}
    members = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp session ...; comm may hold spaces and parentheses.
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[3]) == sid:
            members[int(entry.name)] = int(fields[2])
    return members


def _signal_all(pids: Iterable[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)


def stop_session(sid: int, grace: float, *, signalled_group: bool = False) -> list[int]:
    """Terminate what is left of session ``sid``, and kill what is still there ``grace`` seconds later.

    ``signalled_group``: the tool's process group (``sid``) got a stop signal already; only the
    processes outside it get SIGTERM now. Returns the processes that had to be killed.
    """
    left = session_members(sid)
    _signal_all([pid for pid, group in left.items() if not (signalled_group and group == sid)], signal.SIGTERM)
    deadline = time.monotonic() + grace
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = session_members(sid)
    _signal_all(left, signal.SIGKILL)
    return sorted(left)


def exit_code(returncode: int) -> int:
    """A shell's exit code for a child's return code (killed by signal N: 128 + N)."""
    return 128 - returncode if returncode < 0 else returncode


def run_supervised(argv: Sequence[str], env: Mapping[str, str] | None = None, *, grace: float = 30.0) -> int:
    """Run ``argv`` in its own session until it exits; return its exit code.

    SIGINT and SIGTERM received meanwhile go to the tool's process group (a second one kills the
    whole session at once). When the tool exits, anything still running in its session gets
    SIGTERM, and SIGKILL ``grace`` seconds after the first signal (or after the tool's exit); so
    does the tool itself if it is still running ``grace`` seconds after a forwarded signal.
    """
    received: list[int] = []
    deadline: list[float] = []
    sid: list[int] = []  # set once the child exists; a signal before that is forwarded on start

    def forward(signum: int, _frame: object = None) -> None:
        received.append(signum)
        if not sid:
            return
        if len(received) == 1 or not deadline:
            deadline.append(time.monotonic() + grace)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(sid[0], FORWARDED[signum])
        else:  # impatient: a second Ctrl-C
            _signal_all(session_members(sid[0]), signal.SIGKILL)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        child = subprocess.Popen(list(argv), env=None if env is None else dict(env), start_new_session=True)
        sid.append(child.pid)  # a session leader's pid is its session's and its process group's id
        if received:
            forward(received.pop())
        while True:
            try:
                returncode = child.wait(timeout=0.2)
                break
            except subprocess.TimeoutExpired:
                if deadline and time.monotonic() > deadline[0]:
                    _signal_all(session_members(sid[0]), signal.SIGKILL)
        remaining = max(0.0, deadline[0] - time.monotonic()) if deadline else grace
        stop_session(sid[0], remaining, signalled_group=bool(received))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return exit_code(returncode)


def run_tool_quietly(argv: Sequence[str], env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` to completion with its output captured (for steps such as ``airflow db migrate``)."""
    return subprocess.run(list(argv), env=None if env is None else dict(env), capture_output=True, text=True)
