"""Fail points: named places where a test can kill the process, to prove nothing is half done.

``failpoint("landing.before_commit")`` does nothing unless ``MOTCUA_FAILPOINT`` names it; then
the process dies at once with SIGKILL, as it would when a worker is killed or the machine loses
power: no ``finally``, no rollback message, no flushed buffers. The crash campaign
(``tests/integration/test_crash_campaign.py``) sets it in a child process and checks that a
rerun leaves the warehouse exactly as a run that was never interrupted. Cost when unset: one
dictionary lookup.
"""

from __future__ import annotations

import os
import signal

ENV = "MOTCUA_FAILPOINT"


def failpoint(name: str) -> None:
    """Die here (SIGKILL) when ``MOTCUA_FAILPOINT`` equals ``name``."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
