"""One step of a day's ``motcua_daily`` run, in its own process, timed from the inside.

    python benchmarks/cycle_step.py STEP --day 2025-12-01 [--profile-scale 1.56 --seed 20250701]

The steps call the DAG's task bodies as ``tests/support/campaign.py`` does: ``land`` (the catalogue,
then every unit the source lists, through ``tasks.extract_load_procedures`` and
``tasks.extract_load_unit``: the simulator over HTTP in a thread, the feed clients, ``load_batch``),
``release`` (``tasks.begin_release``), ``build`` (one ``dbt build`` of ``DAILY_TRANSFORM``; the
DAG's Cosmos tasks run the same nodes one by one), ``validate`` (``tasks.validate``), ``publish``
(``tasks.publish_run``) and ``end`` (``tasks.end_release``). A process per step gives each step's
own peak memory. The warehouse comes from ``MOTCUA_WAREHOUSE_URL``, the dbt project copy from
``MOTCUA_BENCH_DBT_DIR``.

``land`` first asks the simulator for every pull of the day (untimed, reported as
``simulator_warmup_seconds``) so that the timed landing measures Motcua's path (HTTP, paging,
parsing, ``load_batch``, commit, seal, watermark), with the simulator answering from its cache
instead of generating three months of dossiers per unit. Units are landed one after the other
(the DAG runs up to 8 at once, on 2 cores at most 4 tasks).

Prints one JSON line: ``{"step", "seconds", "peak_rss_mb", ...}``. ``run.py`` adds the step's I/O,
measured around this process (``measure.step_io``).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_env import dbt, use_dbt_project_from_env

from motcua.domain import TIME_ZONE as VN_TZ

STEPS = ("land", "release", "build", "validate", "publish", "end")


def run_id(day: date) -> str:
    return f"scheduled__{(day + timedelta(days=1)).isoformat()}T00:00:00+07:00"


def holder(day: date) -> str:
    return f"motcua_daily/{run_id(day)}"


def land(day: date, profile_scale: float, seed: int) -> dict:
    import motcua_simulator.app as simulator_app
    from motcua.feeds.one_stop import OneStopClient
    from motcua.landing import pulls
    from motcua.landing.pulls import OVERLAP
    from motcua.orchestration import tasks
    from motcua.runtime import export_feed_connection
    from motcua_simulator.server import running_simulator

    start = datetime.combine(day, datetime.min.time(), VN_TZ)
    end = start + timedelta(days=1)
    since = start - OVERLAP
    simulator_app.CACHE_INTERVALS = 100_000  # every pull of the day stays cached
    with running_simulator(None, seed, profile_scale) as url:
        export_feed_connection(url)
        warm_started = time.perf_counter()
        served = 0
        with OneStopClient(url) as client:
            codes = [u["unit_code"] for u in client.units(day)]
            served += sum(1 for _ in client.procedures(since, end))
            for code in codes:
                for fetch in (client.dossiers, client.ratings, client.documents):
                    served += sum(1 for _ in fetch(code, since, end))
        warmup = time.perf_counter() - warm_started

        split = {"fetch_seconds": 0.0, "load_batch_seconds": 0.0, "items": 0, "batches": 0}
        real_load_batch = pulls.load_batch

        def timed_load_batch(conn, source, unit_code, interval, items, **kwargs):
            t0 = time.perf_counter()
            items = list(items)  # HTTP pages and parsing, split from the loading
            t1 = time.perf_counter()
            result = real_load_batch(conn, source, unit_code, interval, items, **kwargs)
            split["fetch_seconds"] += t1 - t0
            split["load_batch_seconds"] += time.perf_counter() - t1
            split["items"] += len(items)
            split["batches"] += 1
            return result

        pulls.load_batch = timed_load_batch
        started = time.perf_counter()
        units = tasks.units_to_pull(day)
        tasks.extract_load_procedures(start, end)
        loaded = 0
        for code in units:
            summary = tasks.extract_load_unit(code, start, end)
            loaded += sum(s["loaded"] for s in summary.values())
        seconds = time.perf_counter() - started
        pulls.load_batch = real_load_batch
    return {
        "seconds": seconds,
        "units": len(units),
        "items_served": split["items"],
        "rows_loaded": loaded,
        "rows_per_second": split["items"] / seconds if seconds else 0.0,
        "simulator_warmup_seconds": warmup,
        "simulator_items_warmed": served,
        **split,
    }


def build() -> dict:
    from motcua.orchestration.dbt import DAILY_TRANSFORM

    out = dbt("build", "--select", *DAILY_TRANSFORM.select, "--exclude", *DAILY_TRANSFORM.exclude)
    return {"seconds": out["seconds"], "failed": out["failed"], "nodes": out["nodes"]}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=STEPS)
    parser.add_argument("--day", type=date.fromisoformat, required=True)
    parser.add_argument("--profile-scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=20250701)
    args = parser.parse_args()
    use_dbt_project_from_env()
    from motcua.orchestration import tasks
    from motcua.orchestration.dbt import DAILY_TRANSFORM

    started = time.perf_counter()
    details: dict = {}
    if args.step == "land":
        details = land(args.day, args.profile_scale, args.seed)
    elif args.step == "release":
        tasks.begin_release(holder(args.day))
    elif args.step == "build":
        details = build()
    elif args.step == "validate":
        try:
            details = {"suites": tasks.validate(run_id(args.day), DAILY_TRANSFORM.marts())}
        except tasks.ValidationFailed as err:  # a finding of the run: timed and reported, not fatal
            details = {"error": str(err)}
    elif args.step == "publish":
        try:
            details = {"rows": tasks.publish_run(run_id(args.day), DAILY_TRANSFORM.marts())}
        except Exception as err:
            details = {"error": f"{type(err).__name__}: {err}"}
    else:
        tasks.end_release(holder(args.day))
    seconds = details.pop("seconds", None) or time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(
        json.dumps(
            {
                "step": args.step,
                "seconds": seconds,
                "peak_rss_mb": own / 1e3,
                "children_peak_rss_mb": children / 1e3,
                **details,
            },
            default=str,
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
