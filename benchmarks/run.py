"""Benchmarks: does every daily cost follow that day's volume, not the history? Figures and ratios,
printed with their targets and written to ``benchmarks/results/<run>.json``; never asserted in
tests (these machines are noisy and shared).

    make bench                                   # small: scale 0.01, 1 and 3 years, embedded server
    .venv/bin/python benchmarks/run.py --scale 0.25 --years 3 \\
        --database-url postgresql://postgres@127.0.0.1:5432/postgres [--steps ...] [--dbt-ref HEAD]
    .venv/bin/python benchmarks/run.py --report benchmarks/results/<run>.json   # print a run again

Sections (``--steps``, comma-separated; default all):

``parse``          DAG parse time as the DAG processor sees it (``airflow dags report``), target < 2 s a file.
``generator``      the province generator (``province.py``) alone, 1 and ``--processes`` processes.
``landing``        ``load_batch`` (per (unit, day) batch, as the daily run lands, and in one batch)
                   against a bare COPY of the same rows into a logged table with the raw table's
                   definition, and against ``executemany`` and pandas ``to_sql``; cProfile of
                   ``load_batch``. Targets: load_batch >= 0.5 x COPY, >= 10 x hand-written.
``cycle``          for 1 year and ``--years`` years of history (``history.py``: landed, built,
                   validated, published), one day's run step by step (``cycle_step.py``: land
                   over HTTP, release, build, validate, publish, end), each step's time and peak
                   memory. Target: every step with N years <= 1.3 x with 1 year. Also dbt: the
                   history's full build against the day's incremental build, both net of dbt's
                   start-up (one tiny model built, in the same run). Target: incremental <= 5 %.
``orchestration``  the daily DAG's dbt tasks as Cosmos renders them (one task, so one dbt start-up,
                   per node) against the one ``dbt build`` of the same nodes.
``bi``             the BI queries of ``bi.py`` on each history, with and without indexes.

Each history is kept in its own database (``history.py``) and reused by the next run with the
same ``--scale/--years/--until/--seed`` (``--fresh`` lands it again; ``--drop`` removes it after
use). dbt builds a copy of ``dbt_project`` taken at the start (``--dbt-ref HEAD``: the committed
tree; ``worktree``: as it is now), so edits made during a run do not mix into it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("MOTCUA_STATE_DIR", tempfile.mkdtemp(prefix="motcua-bench-"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bi
import history
import landing
from bench_env import dbt, snapshot_dbt_project, use_dbt_project, use_warehouse
from measure import Results, machine, print_table, say, step_io, timed
from province import DEFAULT_SEED, DEFAULT_UNTIL, Job, describe, profile_for, run_job

from motcua.config import load_settings
from motcua.runtime import export_airflow_env

SECTIONS = ("parse", "generator", "landing", "cycle", "orchestration", "bi")
CYCLE_STEPS = ("land", "release", "build", "validate", "publish", "end")
STEP_SCRIPT = Path(__file__).resolve().with_name("cycle_step.py")
#: A tiny node: building it alone is dbt's fixed start-up (parse, connect, catalogue queries).
TINY_NODE = "stg_reference__dossier_statuses"

TARGETS = {
    "dag_parse_seconds": 2.0,
    "load_batch_vs_copy": 0.5,
    "load_batch_vs_hand": 10.0,
    "history_ratio": 1.3,
    "incremental_vs_full": 0.05,
}


# -- sections -----------------------------------------------------------------------------------
def dag_parse_times() -> dict[str, float]:
    out = subprocess.run(
        [str(Path(sys.executable).with_name("motcua")), "airflow", "dags", "report", "-o", "json"],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    match = re.search(r"\[\s*\{.*\}\s*\]", out.stdout, re.S)
    if not match:
        raise SystemExit(f"could not read `airflow dags report`:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    times = {}
    for row in json.loads(match.group(0)):
        h, m, s = row["duration"].split(":")
        times[row["file"]] = int(h) * 3600 + int(m) * 60 + float(s)
    return times


def section_parse() -> dict:
    motcua = str(Path(sys.executable).with_name("motcua"))
    subprocess.run([motcua, "dbt-parse"], check=True, capture_output=True)
    subprocess.run([str(Path(sys.executable).with_name("airflow")), "db", "migrate"], check=True, capture_output=True)
    return dag_parse_times()


def section_generator(args: argparse.Namespace) -> dict:
    out = {}
    for processes in sorted({1, args.processes}):
        first = args.until - timedelta(days=args.generator_days)
        say(f"generator: {args.generator_days} days at scale {args.scale:g}, {processes} process(es)")
        result = run_job(Job(args.scale, args.seed, first, args.until, processes=processes, path="none"))
        say(describe(result))
        out[str(processes)] = {k: v for k, v in result.items() if k != "tally"}
    return out


def run_step(step: str, day: date, profile_scale: float, seed: int) -> dict:
    """One cycle step in its own process; its inner time, peak memory, details."""
    command = [sys.executable, str(STEP_SCRIPT), step, "--day", day.isoformat()]
    command += ["--profile-scale", repr(profile_scale), "--seed", str(seed)]
    # Disk traffic and I/O wait are machine-wide: nothing else runs while a day is measured.
    with step_io(os.environ.get("MOTCUA_WAREHOUSE_URL")) as io, timed() as outer:
        done = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy())
    if done.returncode != 0:
        raise RuntimeError(f"step {step} failed:\n{done.stdout[-4000:]}\n{done.stderr[-6000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_seconds"] = outer.seconds
    result["tree_peak_rss_mb"] = outer.peak_rss_mb
    result["load_before"] = outer.load_before
    result["io"] = io
    return result


def dbt_startup(repeat: int = 3) -> dict:
    """dbt's fixed cost: ``dbt build`` of one tiny view (parse, connect, introspect), and ``dbt ls``."""
    builds, nets, lists = [], [], []
    for _ in range(repeat):
        out = dbt("build", "--select", TINY_NODE)
        builds.append(out["seconds"])
        nets.append(out["seconds"] - sum(n["seconds"] for n in out["nodes"].values()))
        lists.append(dbt("ls", "--select", TINY_NODE)["seconds"])
    return {
        "build_one_node_seconds": statistics.median(builds),
        "startup_seconds": statistics.median(nets),
        "ls_seconds": statistics.median(lists),
        "samples": {"build": builds, "ls": lists},
    }


def establish(day: date, profile_scale: float, seed: int, pgoptions: str | None) -> dict:
    """The marts as the history's last daily run leaves them: seed, full build, validate, publish."""
    from motcua.orchestration.dbt import DAILY_TRANSFORM

    out: dict = {}
    with timed() as t:
        dbt("seed")
    out["seed_seconds"] = t.seconds
    say("full build of the history" + (f" (PGOPTIONS={pgoptions})" if pgoptions else ""))
    with timed() as t:
        build = dbt(
            "build", "--select", *DAILY_TRANSFORM.select, "--exclude", *DAILY_TRANSFORM.exclude, pgoptions=pgoptions
        )
    out["full_build"] = {
        "seconds": build["seconds"],
        "peak_rss_mb": t.peak_rss_mb,
        "pgoptions": pgoptions,
        "failed": build["failed"],
        "nodes": build["nodes"],
    }
    if build["failed"]:
        say(f"full build: {len(build['failed'])} node(s) failed: {', '.join(build['failed'])}")
    say(f"full build {build['seconds']:.0f} s; validating and publishing the history")
    previous = day - timedelta(days=1)
    out["validate"] = run_step("validate", previous, profile_scale, seed)
    out["publish"] = run_step("publish", previous, profile_scale, seed)
    return out


def relation_sizes(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """select n.nspname || '.' || c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
               from pg_class c join pg_namespace n on n.oid = c.relnamespace
               where c.relkind = 'r' and n.nspname in ('raw', 'audit', 'validated', 'intermediate')
               order by 3 desc limit 25"""
        ).fetchall()
        database = conn.execute("select pg_database_size(current_database())").fetchone()[0]
    return {"database_bytes": database, "largest": {name: {"rows": n, "bytes": b} for name, n, b in rows}}


def section_cycle(args: argparse.Namespace, base_url: str, results: Results, years: int) -> dict:
    profile_scale = profile_for(args.scale, args.seed).scale
    url, landed = history.land_history(
        base_url,
        scale=args.scale,
        years=years,
        until=args.until,
        seed=args.seed,
        processes=args.processes,
        path=args.history_path,
        fresh=args.fresh,
    )
    use_warehouse(url)
    out: dict = {"database": landed.get("database"), "history": landed}
    results.put(f"cycle_{years}y", out)
    out["establish"] = establish(args.until, profile_scale, args.seed, args.full_build_pgoptions)
    results.put(f"cycle_{years}y", out)
    out["dbt_startup"] = dbt_startup()
    say(f"dbt start-up {out['dbt_startup']['startup_seconds']:.1f} s")
    steps = {}
    for step in CYCLE_STEPS:
        say(f"{years} year(s) of history: {step} {args.until}")
        steps[step] = run_step(step, args.until, profile_scale, args.seed)
        say(f"  {steps[step]['seconds']:.1f} s, peak {steps[step]['peak_rss_mb']:.0f} MB")
    out["steps"] = steps
    out["sizes"] = relation_sizes(url)
    results.put(f"cycle_{years}y", out)
    if "bi" in args.steps:
        say("BI queries")
        out["bi"] = bi.run(url, args.until)
        results.put(f"cycle_{years}y", out)
    return out


def section_orchestration(incremental_nodes: dict, startup: float, one_build_seconds: float) -> dict:
    """Cosmos renders one task per node: count them, and estimate the DAG's dbt time from the
    measured start-up and each node's time in the day's single build."""
    import pendulum
    from airflow.sdk import DAG
    from cosmos import DbtTaskGroup

    from motcua.orchestration.dbt import DAILY_TRANSFORM, MANIFEST_PATH

    with DAG("bench_render", schedule=None, start_date=pendulum.datetime(2024, 1, 1)) as dag:
        DbtTaskGroup(group_id="transform", **DAILY_TRANSFORM.task_group_kwargs())
    manifest = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    parents = {**manifest["nodes"], **manifest.get("unit_tests", {})}
    by_name: dict[str, list[str]] = {}
    for uid in incremental_nodes:
        by_name.setdefault(uid.split(".")[-1] if not uid.startswith("test.") else uid.split(".")[2], []).append(uid)
    attached: dict[str, float] = {}  # model unique id -> time of its single-parent tests and unit tests
    for uid, node in parents.items():
        if uid in incremental_nodes and (uid.startswith("test.") or uid.startswith("unit_test.")):
            deps = [d for d in node.get("depends_on", {}).get("nodes", []) if not d.startswith("seed.")]
            if len(deps) == 1:
                attached[deps[0]] = attached.get(deps[0], 0.0) + incremental_nodes[uid]["seconds"]
    cost: dict[str, float] = {}
    for task in dag.tasks:
        selected = [s.split(".")[-1] for s in (getattr(task, "select", None) or [])]
        seconds = 0.0
        for name in selected:
            for uid in by_name.get(name, []):
                seconds += incremental_nodes[uid]["seconds"] + attached.get(uid, 0.0)
        cost[task.task_id] = startup + seconds
    finish: dict[str, float] = {}

    def finish_of(task_id: str) -> float:
        if task_id not in finish:
            upstream = [u for u in dag.get_task(task_id).upstream_task_ids if u in cost]
            finish[task_id] = cost[task_id] + max((finish_of(u) for u in upstream), default=0.0)
        return finish[task_id]

    critical = max(finish_of(t) for t in cost)
    total = sum(cost.values())
    cpus = os.cpu_count() or 1
    kinds: dict[str, int] = {}
    for task in dag.tasks:
        kinds[type(task).__name__] = kinds.get(type(task).__name__, 0) + 1
    estimate = max(critical, total / cpus)
    return {
        "tasks": len(dag.tasks),
        "task_kinds": kinds,
        "startup_per_task_seconds": startup,
        "serial_seconds": total,
        "critical_path_seconds": critical,
        "estimated_wall_seconds": estimate,
        "one_build_seconds": one_build_seconds,
        "ratio": estimate / one_build_seconds if one_build_seconds else None,
        "cpus": cpus,
        "note": "lower bound: Airflow's own per-task start (worker process, DAG import) is not counted",
    }


# -- report -------------------------------------------------------------------------------------
def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}"


def _met(ok: bool | None) -> str:
    return "-" if ok is None else ("met" if ok else "NOT met")


def report(data: dict) -> None:
    args = data.get("args", {})
    m = data.get("machine", {})
    print(
        f"\nrun {data.get('name')}: {m.get('date')} on {m.get('cpus')} CPUs, {m.get('memory_gib')} GiB, "
        f"{(m.get('postgresql') or '').split(' on ')[0]}; scale {args.get('scale')}, years {args.get('years')}, "
        f"day {args.get('until')}, dbt {data.get('dbt_project', {}).get('ref')} "
        f"{data.get('dbt_project', {}).get('commit', '')[:10]}"
    )
    if "parse" in data:
        rows = [(f, _fmt(s, 3), "< 2.0", _fmt(s / 2.0, 2), _met(s < 2.0)) for f, s in sorted(data["parse"].items())]
        print_table("DAG parse time", rows, ("file", "seconds", "target", "ratio", ""))
    if "generator" in data:
        rows = []
        for processes, g in sorted(data["generator"].items()):
            rows.append(
                (
                    f"{processes} process(es), {g['days']} days",
                    _fmt(g["seconds"]),
                    f"{g['items_total']:,}",
                    _fmt(g["items_per_second"], 0),
                    f"{g['dossiers_generated']:,}",
                    _fmt(g["dossiers_generated_per_second"], 0),
                    " ".join(f"{r:.0f}" for r in g["worker_peak_rss_mb"]),
                )
            )
        print_table(
            f"Province generator, scale {args.get('scale')}",
            rows,
            ("run", "seconds", "items", "items/s", "dossiers gen.", "dossiers/s", "worker RSS MB"),
        )
    _report_landing(data)
    _report_cycle(data)


def _report_landing(data: dict) -> None:
    lan = data.get("landing")
    if not lan:
        return
    copy = lan["copy_same_ddl"]["rows_per_second"]
    rows = []

    def line(name: str, fig: dict, target: str = "", ratio: float | None = None, ok: bool | None = None) -> None:
        if "skipped" in fig:
            rows.append((name, "-", "-", "-", target, "-", fig["skipped"]))
            return
        rows.append(
            (
                name,
                f"{fig['rows']:,}",
                _fmt(fig["seconds"], 2),
                _fmt(fig["rows_per_second"], 0),
                target,
                _fmt(ratio, 2),
                _met(ok),
            )
        )

    per_batch = lan["load_batch_per_unit_day"]
    one = lan["load_batch_one_batch"]
    line(
        f"load_batch per (unit, day) batch ({per_batch['ms_per_batch']:.1f} ms a batch)",
        per_batch,
        ">= 0.5 x COPY",
        per_batch["rows_per_second"] / copy,
        per_batch["rows_per_second"] / copy >= TARGETS["load_batch_vs_copy"],
    )
    line(
        "load_batch, one batch",
        one,
        ">= 0.5 x COPY",
        one["rows_per_second"] / copy,
        one["rows_per_second"] / copy >= 0.5,
    )
    line("load_batch, same batch again", lan["load_batch_one_batch_again"])
    line("bare COPY, table like raw (logged, PK + index)", lan["copy_same_ddl"])
    line("bare COPY, logged heap without indexes", lan["copy_heap"])
    if "copy_with_preparation" in lan:
        line("COPY, rows made from the items in the timing", lan["copy_with_preparation"])
    for name, key in (
        ("executemany of INSERTs, psycopg 3", "executemany"),
        ("executemany of INSERTs, psycopg2", "executemany_psycopg2"),
        ("pandas to_sql", "pandas_to_sql"),
    ):
        if key not in lan:
            continue
        fig = lan[key]
        if "skipped" in fig:
            line(name, fig)
            continue
        ratio = per_batch["rows_per_second"] / fig["rows_per_second"]
        line(
            name + " (ratio: load_batch per batch / it)", fig, ">= 10 x", ratio, ratio >= TARGETS["load_batch_vs_hand"]
        )
    for years in sorted({1, 3, data.get("args", {}).get("years") or 1}):
        land = data.get(f"cycle_{years}y", {}).get("steps", {}).get("land")
        if land:
            rows.append(
                (
                    f"real extract-load (HTTP + load_batch), {land['units']} units, {years}y history",
                    f"{land['items_served']:,}",
                    _fmt(land["seconds"], 2),
                    _fmt(land["rows_per_second"], 0),
                    "",
                    "",
                    f"fetch {land['fetch_seconds']:.1f} s, load_batch {land['load_batch_seconds']:.1f} s",
                )
            )
    print_table(
        f"Landing ({lan['rows']:,} dossier items of {lan['days']} days, scale {lan['scale']})",
        rows,
        ("loader", "rows", "seconds", "rows/s", "target", "ratio", ""),
    )
    prof = lan.get("profile")
    if prof:
        per = prof["ms_per_batch_profiled"]
        print(f"\nload_batch profile: {prof['batches']} batches, {per:.1f} ms a batch (profiled)")
        for s in prof["statements"][:10]:
            print(f"  {s['seconds']:7.2f} s {s['calls']:6} x {s['ms_per_call']:6.2f} ms  {s['sql'][:80]}")
        for f in prof["top_tottime"][:10]:
            print(f"  {f['tottime']:7.2f} s self {f['cumtime']:7.2f} s cum  {f['function'][:90]}")


def _node_name(unique_id: str) -> str:
    parts = unique_id.split(".")
    return parts[2] if parts[0] == "test" else parts[-1]


def _report_cycle_io(one: dict, many: dict | None, label: str) -> None:
    """Each step's disk reads, I/O wait and PostgreSQL buffer hits (runs that recorded them):
    whether a step that grows with history waits on the disk."""
    rows = []
    for step in CYCLE_STEPS:
        a = one.get("steps", {}).get(step, {}).get("io")
        b = (many or {}).get("steps", {}).get(step, {}).get("io")
        if not a:
            continue

        def hit(io: dict | None) -> str:
            ratio = io and io.get("pg_buffer_hit_ratio")
            return "-" if ratio is None else f"{100 * ratio:.1f} %"

        rows.append(
            (
                step,
                _fmt(a["disk_read_mb"], 0),
                _fmt(b["disk_read_mb"], 0) if b else "-",
                _fmt(a["iowait_seconds"], 1),
                _fmt(b["iowait_seconds"], 1) if b else "-",
                hit(a),
                hit(b),
                _fmt(a["pg_temp_mb"], 0),
                _fmt(b["pg_temp_mb"], 0) if b else "-",
            )
        )
    if rows:
        print_table(
            "Disk reads, I/O wait (CPU-seconds, all CPUs) and PostgreSQL shared-buffer hits per step",
            rows,
            ("step", "1y read MB", f"{label} read MB", "1y iowait s", f"{label} iowait s", "1y hit",
             f"{label} hit", "1y temp MB", f"{label} temp MB"),
        )  # fmt: skip


def _report_cycle(data: dict) -> None:
    years = data.get("args", {}).get("years")
    one, many = data.get("cycle_1y"), data.get(f"cycle_{years}y")
    if not one:
        return
    label = f"{years}y"
    histories = [("1y", one)] + ([(label, many)] if many and many is not one else [])
    rows = []
    for step in CYCLE_STEPS:
        a = one.get("steps", {}).get(step)
        b = many.get("steps", {}).get(step) if many and many is not one else None
        if not a:
            continue
        ratio = b["seconds"] / a["seconds"] if b and a["seconds"] else None
        rows.append(
            (
                step,
                _fmt(a["seconds"], 2),
                _fmt(b["seconds"], 2) if b else "-",
                "<= 1.3",
                _fmt(ratio, 2),
                _met(None if ratio is None else ratio <= TARGETS["history_ratio"]),
                _fmt(a["peak_rss_mb"], 0),
                _fmt(b["peak_rss_mb"], 0) if b else "-",
            )
        )
    print_table(
        f"Daily cycle of {data['args']['until']}: 1 year vs {label} of history",
        rows,
        ("step", "1y s", f"{label} s", "target", "ratio", "", "1y MB", f"{label} MB"),
    )
    _report_cycle_io(one, many if many is not one else None, label)
    rows = []
    for name, cyc in histories:
        if "establish" not in cyc or "steps" not in cyc:
            continue
        start = cyc["dbt_startup"]["startup_seconds"]
        full = cyc["establish"]["full_build"]["seconds"]
        inc = cyc["steps"]["build"]["seconds"]
        ratio = (inc - start) / (full - start) if full > start else None
        rows.append(
            (
                name,
                _fmt(start),
                _fmt(full),
                _fmt(full - start),
                _fmt(inc),
                _fmt(inc - start),
                "<= 5 %",
                _fmt(100 * ratio if ratio is not None else None, 1) + " %",
                _met(None if ratio is None else ratio <= TARGETS["incremental_vs_full"]),
            )
        )
    print_table(
        "dbt: the day's incremental build against the history's full build, net of start-up",
        rows,
        ("history", "start-up s", "full s", "full net", "incr. s", "incr. net", "target", "ratio", ""),
    )
    for name, cyc in histories:
        if "steps" not in cyc:
            continue
        for what, nodes in (
            ("full", cyc["establish"]["full_build"]["nodes"]),
            ("incremental", cyc["steps"]["build"]["nodes"]),
        ):
            top = sorted(nodes.items(), key=lambda kv: -kv[1]["seconds"])[:5]
            print(f"  {name} {what}: " + ", ".join(f"{_node_name(uid)[:48]} {n['seconds']:.1f} s" for uid, n in top))
    if many and many is not one and "steps" in many and "steps" in one:
        a, b = one["steps"]["build"]["nodes"], many["steps"]["build"]["nodes"]
        grown = sorted(
            ((uid, a[uid]["seconds"], b[uid]["seconds"]) for uid in a.keys() & b.keys()),
            key=lambda r: -(r[2] - r[1]),
        )[:10]
        print_table(
            f"The day's incremental build: the nodes that grow most with history (1y -> {label})",
            [(_node_name(u)[:70], _fmt(s1, 1), _fmt(s3, 1), _fmt(s3 / s1 if s1 else None, 1)) for u, s1, s3 in grown],
            ("node", "1y s", f"{label} s", "ratio"),
        )
    orch = data.get("orchestration")
    if orch:
        print_table(
            "Orchestration: the DAG's Cosmos dbt tasks against one dbt build of the same nodes",
            [
                (
                    orch["tasks"],
                    _fmt(orch["startup_per_task_seconds"]),
                    _fmt(orch["serial_seconds"]),
                    _fmt(orch["critical_path_seconds"]),
                    _fmt(orch["estimated_wall_seconds"]),
                    _fmt(orch["one_build_seconds"]),
                    _fmt(orch["ratio"], 2),
                )
            ],
            (
                "tasks",
                "start-up/task s",
                "serial s",
                "critical path s",
                f"est. on {orch['cpus']} CPUs s",
                "one build s",
                "ratio",
            ),
        )
    rows = []
    for name, cyc in histories:
        if "bi" not in cyc:
            continue
        for query, fig in cyc["bi"]["queries"].items():
            rows.append(
                (
                    name,
                    query,
                    fig["as_is"]["rows"],
                    _fmt(fig["as_is"]["median_ms"], 1),
                    ", ".join(fig["as_is"]["scans"])[:40],
                    _fmt(fig["indexed"]["median_ms"], 1),
                    ", ".join(fig["indexed"]["scans"])[:40],
                )
            )
    if rows:
        print_table(
            "BI queries on published (median of 5)",
            rows,
            ("history", "query", "rows", "no index ms", "plan", "indexed ms", "plan"),
        )


# -- main ---------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Motcua benchmarks", formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = a province-year (2,000,000 dossiers)")
    parser.add_argument("--years", type=int, default=3, help="the longer history (the shorter is 1 year)")
    parser.add_argument("--until", type=date.fromisoformat, default=DEFAULT_UNTIL, help="the day measured")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server (default: the embedded one)")
    parser.add_argument("--steps", default=",".join(SECTIONS), help=f"comma-separated, of: {', '.join(SECTIONS)}")
    parser.add_argument("--dbt-ref", default="HEAD", help="git ref of dbt_project to build, or 'worktree'")
    parser.add_argument(
        "--dbt-patch", action="append", default=[], help="a diff applied to the dbt project copy (repeatable)"
    )
    parser.add_argument("--processes", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--history-path", choices=("bulk", "load_batch"), default="bulk")
    parser.add_argument("--fresh", action="store_true", help="land the histories again even if kept")
    parser.add_argument("--drop", action="store_true", help="drop each history database after use")
    parser.add_argument("--full-build-pgoptions", default=None, help="PGOPTIONS for the history's full build only")
    parser.add_argument("--generator-days", type=int, default=14)
    parser.add_argument("--landing-scale", type=float, default=1.0)
    parser.add_argument("--landing-days", type=int, default=3)
    parser.add_argument("--hand-rows", type=int, default=20_000)
    parser.add_argument("--profile-batches", type=int, default=300)
    parser.add_argument("--name", default=None, help="results file name (default: from the parameters)")
    parser.add_argument("--report", default=None, help="print the tables of a results file and exit")
    args = parser.parse_args(argv)
    if args.report:
        report(json.loads(Path(args.report).read_text(encoding="utf-8")))
        return 0
    args.steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = set(args.steps) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    name = args.name or f"s{args.scale:g}_y{args.years}_{args.until:%Y%m%d}_{date.today():%Y%m%d}"
    results = Results(name)
    settings = load_settings()
    export_airflow_env(settings)
    from contextlib import nullcontext

    from motcua.warehouse.session import open_warehouse

    if args.database_url:
        os.environ["MOTCUA_WAREHOUSE_URL"] = args.database_url
        settings = load_settings()
    context = open_warehouse(settings) if not args.database_url else nullcontext(None)
    with context as wh:
        base_url = wh.url if wh is not None else args.database_url
        results.put("name", name)
        results.put("args", {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(args).items()})
        results.put("machine", machine(base_url))
        use_warehouse(base_url)
        dbt_info = snapshot_dbt_project(args.dbt_ref, patches=args.dbt_patch)
        use_dbt_project(dbt_info["path"])
        dbt("parse")
        results.put("dbt_project", dbt_info)
        say(f"results: {results.path}; dbt project {dbt_info['ref']} {dbt_info['commit'][:10]} copied")
        if "parse" in args.steps:
            results.put("parse", section_parse())
        if "generator" in args.steps:
            results.put("generator", section_generator(args))
        if "landing" in args.steps:
            results.put(
                "landing",
                landing.run(
                    base_url,
                    scale=args.landing_scale,
                    days=args.landing_days,
                    until=args.until,
                    seed=args.seed,
                    processes=args.processes,
                    hand_rows=args.hand_rows,
                    profile_batches=args.profile_batches,
                ),
            )
        if "cycle" in args.steps:
            for years in sorted({1, args.years}):
                cycle = section_cycle(args, base_url, results, years)
                if "orchestration" in args.steps and "orchestration" not in results.data:
                    use_warehouse(base_url)
                    results.put(
                        "orchestration",
                        section_orchestration(
                            cycle["steps"]["build"]["nodes"],
                            cycle["dbt_startup"]["startup_seconds"],
                            cycle["steps"]["build"]["seconds"],
                        ),
                    )
                if args.drop:
                    history.drop_database(history.database_url_for(base_url, args.scale, years, args.until, args.seed))
    report(results.data)
    print(f"\nresults written to {results.path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
