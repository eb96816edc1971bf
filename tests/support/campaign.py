"""The crash campaign's pipeline: one day of ``motcua_daily``, step by step, in a child process.

The steps call the same task bodies as the DAG, in the DAG's order: land (catalogue, then each
unit), take the release, build (one ``dbt build`` of the release's marts), validate, publish,
give the release back. A step runs again from the start when it is rerun, as an Airflow retry
of that task would.

The child dies where the test says: at a fail point in Motcua's code (``MOTCUA_FAILPOINT``,
see ``motcua.failpoints``) or, inside dbt, when a given node finishes (a dbt event callback
sends SIGKILL, so dbt's other thread is cut off mid-statement too).

Run by ``tests/integration/test_crash_campaign.py``:
``python tests/support/campaign.py --from-step build --kill-after-node model.motcua.fct_dossiers``
with the warehouse, feed and scope in the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
STEPS = ("land", "release", "build", "validate", "publish", "end")
UNITS = ("430", "17935")  # Huyện Nam Đàn and Xã Nghĩa Thái, before the reform
DAY = date(2025, 3, 10)
FIRST_DAY = date(2025, 3, 1)  # each unit's first pull starts here: ten days of history
RUN_ID = "scheduled__2025-03-11T00:00:00+07:00"
HOLDER = f"motcua_daily/{RUN_ID}"
#: CI's scope: the dossier chain to the monthly scorecards. ``MOTCUA_CAMPAIGN=full`` builds,
#: validates and publishes everything the daily DAG does.
SMALL_SCOPE = (
    "dim_units",
    "bridge_unit_succession",
    "fct_dossiers",
    "fct_dossier_status_events",
    "fct_dossier_periods_monthly",
    "fct_scorecard_monthly",
)


def scope() -> tuple[list[str], list[str]]:
    """(dbt build arguments, marts validated and published) for this campaign."""
    from motcua.orchestration.dbt import DAILY_TRANSFORM

    if os.environ.get("MOTCUA_CAMPAIGN") == "full":
        selection = ["--select", *DAILY_TRANSFORM.select, "--exclude", *DAILY_TRANSFORM.exclude]
        return selection, DAILY_TRANSFORM.marts()
    # Cautious: a relationship test to a mart outside the scope is not run (its parent is not built).
    return ["--select", *(f"+{mart}" for mart in SMALL_SCOPE), "--indirect-selection", "cautious"], list(SMALL_SCOPE)


def interval() -> tuple[datetime, datetime, datetime]:
    start = datetime.combine(DAY, datetime.min.time(), VN)
    return start, start + timedelta(days=1), datetime.combine(FIRST_DAY, datetime.min.time(), VN)


def land() -> None:
    from motcua.orchestration.tasks import extract_load_procedures, extract_load_unit

    start, end, first = interval()
    extract_load_procedures(start, end)
    for unit in UNITS:
        extract_load_unit(unit, start, end, first)


def build(kill_after_node: str | None) -> None:
    from dbt.cli.main import dbtRunner

    from motcua.orchestration.dbt import DBT_PROJECT_DIR

    def on_event(event) -> None:
        if event.info.name == "NodeFinished" and event.data.node_info.unique_id == kill_after_node:
            os.kill(os.getpid(), signal.SIGKILL)

    selection, _ = scope()
    result = dbtRunner(callbacks=[on_event]).invoke(
        [
            "build",
            *selection,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            os.environ["MOTCUA_CAMPAIGN_TARGET"],
            "--quiet",
        ]
    )
    if not result.success:
        raise SystemExit(f"dbt build failed: {result.exception or 'see the log above'}")


def run(from_step: str, kill_after_node: str | None, only: bool = False) -> None:
    from motcua.orchestration import tasks

    _, marts = scope()
    actions = {
        "land": land,
        "release": lambda: tasks.begin_release(HOLDER),
        "build": lambda: build(kill_after_node),
        "validate": lambda: tasks.validate(RUN_ID, marts),
        "publish": lambda: tasks.publish_run(RUN_ID, marts),
        "end": lambda: tasks.end_release(HOLDER),
    }
    steps = [from_step] if only else STEPS[STEPS.index(from_step) :]
    for step in steps:
        actions[step]()
        print(json.dumps({"step": step, "done": True}), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from-step", choices=STEPS, default="land")
    parser.add_argument("--only", action="store_true", help="run this one step, not the rest after it")
    parser.add_argument("--kill-after-node", default=None, help="dbt unique_id: SIGKILL when it finishes")
    args = parser.parse_args()
    run(args.from_step, args.kill_after_node, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
