"""Every task body of the DAGs, kept here so they are unit-testable and the DAG files stay thin.

A task body reads its configuration (warehouse, feed URLs), opens what it needs and calls the
stage that does the work: landing, dbt (Cosmos, in the DAG), quality, publishing, alerting.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

from motcua.alerting import messages
from motcua.alerting.alerts import raise_alert, resolve_alerts
from motcua.config import (
    ConfigError,
    PostgresTarget,
    feed_timeouts,
    holdback_max_units,
    load_settings,
    one_stop_feed_url,
    portal_feed_url,
    portal_request_interval,
    portal_serves_as_of,
    release_lock_timing,
    warehouse_url_for_tasks,
)
from motcua.domain import TIME_ZONE_NAME
from motcua.failpoints import failpoint
from motcua.feeds.one_stop import OneStopClient
from motcua.feeds.portal import PortalClient
from motcua.landing.ledger import seal_loaded_batches
from motcua.landing.loader import load_batch
from motcua.landing.pulls import CATALOGUE_FIRST_PULL_FROM, CATALOGUE_SCOPE, land_pull
from motcua.landing.raw_sources import (
    EOFFICE_DOCUMENTS,
    ONE_STOP_DOSSIERS,
    PORTAL_EVALUATIONS,
    PROCEDURE_CATALOGUE,
    SATISFACTION_RATINGS,
)
from motcua.orchestration import release_lock
from motcua.orchestration.dbt import MANIFEST_PATH, generate_docs
from motcua.publishing.contract import PublishedView, check_release_contract
from motcua.publishing.publish import publish
from motcua.quality.gate import record_outcomes, run_suites
from motcua.quality.suites import load_suites
from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)

#: The feeds motcua_daily lands, checked before its build (``check_feeds``).
DAILY_FEEDS = (ONE_STOP_DOSSIERS, PROCEDURE_CATALOGUE, SATISFACTION_RATINGS, EOFFICE_DOCUMENTS)


class ValidationFailed(RuntimeError):
    """At least one expectation suite failed; the run must not publish."""


def _one_stop_client() -> OneStopClient:
    timeout, backoff = feed_timeouts()
    return OneStopClient(one_stop_feed_url(), timeout=timeout, backoff_seconds=backoff)


def units_to_pull(day: date) -> list[str]:
    """Codes of the units whose one-stop system operates on ``day``, as the source lists them."""
    with _one_stop_client() as client:
        return [u["unit_code"] for u in client.units(day)]


def extract_load_unit(
    unit_code: str, start: datetime, end: datetime, initial_load_from: datetime | None = None
) -> dict[str, dict]:
    """Land one unit's dossiers, satisfaction ratings and e-office documents for the interval.

    Each source is its own batch with its own watermark, committed as soon as it is landed,
    so a retry after a failure re-pulls only what is idempotent anyway.
    """
    with _one_stop_client() as client, connect() as conn:
        return {
            source.name: land_pull(conn, source, unit_code, partial(fetch, unit_code), start, end, initial_load_from)
            for source, fetch in (
                (ONE_STOP_DOSSIERS, client.dossiers),
                (SATISFACTION_RATINGS, client.ratings),
                (EOFFICE_DOCUMENTS, client.documents),
            )
        }


def extract_load_procedures(start: datetime, end: datetime) -> dict:
    """Land the procedure catalogue's changes for the interval (one catalogue per province);
    the first pull lands the whole catalogue."""
    with _one_stop_client() as client, connect() as conn:
        return land_pull(
            conn, PROCEDURE_CATALOGUE, CATALOGUE_SCOPE, client.procedures, start, end, CATALOGUE_FIRST_PULL_FROM
        )


def extract_load_portal(
    province: str, period_type: str, period: str, interval: tuple[datetime, datetime], as_of: date
) -> dict:
    """Land the portal's Decision 766 evaluation of every unit (and of the province's own node)
    for one period, as it stands on ``as_of``."""
    with PortalClient(portal_feed_url(), min_interval=portal_request_interval()) as client, connect() as conn:
        records = client.evaluations(province, period_type, period, as_of=as_of)
        result = load_batch(conn, PORTAL_EVALUATIONS, province, interval, records)
        conn.commit()
        seal_loaded_batches(conn)
    return result.summary()


def extract_load_portal_snapshot(
    province: str, period_type: str, period: str, interval: tuple[datetime, datetime], as_of: date
) -> dict:
    """Land a running period's scores as they stand on ``as_of`` (a year-to-date or
    quarter-to-date snapshot). The real portal only answers for now: a run for a day already
    past would file today's figures under that day, so it is refused."""
    today = datetime.now(ZoneInfo(TIME_ZONE_NAME)).date()
    if as_of < today - timedelta(days=1) and not portal_serves_as_of():
        raise ConfigError(
            f"the national portal keeps no history: the {period} scores as of {as_of} cannot be pulled on "
            f"{today} (snapshots cannot be backfilled; MOTCUA_PORTAL_SERVES_AS_OF=1 only for a portal that can)"
        )
    return extract_load_portal(province, period_type, period, interval, as_of)


def begin_release(holder: str) -> None:
    """Wait for the warehouse release and take it (a run builds, validates and publishes alone)."""
    lease, wait = release_lock_timing()
    release_lock.acquire(warehouse_url_for_tasks(), holder, lease=lease, wait=wait)
    failpoint("release.taken")


def end_release(holder: str) -> None:
    """Give the warehouse release back, whatever happened to the run."""
    release_lock.release(warehouse_url_for_tasks(), holder)


def check_feeds(run_id: str, start: datetime, end: datetime, dag_id: str = "motcua") -> dict[str, str]:
    """Check the run's landed batches per source (``landing.feed_checks``); alert once per run when
    a source warns or blocks. Returns each source's level."""
    from motcua.landing.feed_checks import check_feeds as run_checks
    from motcua.landing.feed_checks import marts_built_from

    url = warehouse_url_for_tasks()
    with connect(url) as conn:
        checks = run_checks(conn, run_id, DAILY_FEEDS, start, end)
    flagged = [c for c in checks if c.level != "ok"]
    if flagged:
        blocked = [c.source for c in flagged if c.level == "block"]
        held_back = sorted(v.view for v in release_views(sorted(marts_built_from(MANIFEST_PATH, blocked))) if blocked)
        raise_alert(
            url,
            "critical" if blocked else "warning",
            "feed_checks",
            messages.feed_checks(dag_id, run_id, flagged, held_back),
            {"run_id": run_id, "blocked": blocked, "not_published": held_back},
            dedup_key=f"feeds:{dag_id}:{run_id}",
            # A blocked source is resolved by the next run that publishes it; a warning needs no recovery.
            scope=dag_id if blocked else None,
        )
    _alert_silent_feeds(url, run_id, start, end, dag_id)
    return {c.source: c.level for c in checks}


#: The alert scope of silent feeds: closed when every silent feed has delivered again.
SILENCE_SCOPE = "feed_silence"


def _alert_silent_feeds(url: str, run_id: str, start: datetime, end: datetime, dag_id: str) -> None:
    """Warn once about each unit whose feed went silent (``landing.feed_silence``); say which
    resumed. A silent feed publishes what it has: the warning is for the people who call the unit."""
    from motcua.landing.feed_silence import open_silences, record_silences

    with connect(url) as conn:
        report = record_silences(conn, run_id, DAILY_FEEDS, start, end)
        still_silent = open_silences(conn)
    if report.new:
        raise_alert(
            url,
            "warning",
            SILENCE_SCOPE,
            messages.feeds_silent(dag_id, run_id, end, report.new),
            {"run_id": run_id, "silent": [(f.source, f.unit_code, f.silent_since) for f in report.new]},
            dedup_key=f"silent:{dag_id}:{run_id}",
            scope=SILENCE_SCOPE,
        )
    if report.resumed:
        resumed = messages.feeds_resumed(dag_id, run_id, report.resumed, still_silent)
        if still_silent:
            raise_alert(
                url, "recovery", SILENCE_SCOPE, resumed, {"run_id": run_id}, dedup_key=f"resumed:{dag_id}:{run_id}"
            )
        else:
            resolve_alerts(url, SILENCE_SCOPE, run_id, resumed)


def _not_blocked(run_id: str, marts: list[str]) -> list[str]:
    """The run's marts minus those built from a source its feed checks blocked."""
    from motcua.landing.feed_checks import blocked_sources, marts_built_from

    with connect() as conn:
        blocked = blocked_sources(conn, run_id)
    if not blocked:
        return marts
    held_back = marts_built_from(MANIFEST_PATH, blocked)
    log.warning("feeds %s blocked this run: not validated or published: %s", blocked, sorted(held_back & set(marts)))
    return [m for m in marts if m not in held_back]


def release_views(marts: list[str]) -> list[PublishedView]:
    """The published views of the run's marts, once their declarations and the suites agree."""
    views = check_release_contract(MANIFEST_PATH, load_suites(load_settings().expectations_dir))
    return [v for v in views if v.mart in marts]


#: The alert scope of unit holdbacks: the release that publishes every held unit again resolves it.
HOLDBACK_SCOPE = "unit_holdbacks"


def validate(run_id: str, marts: list[str], dag_id: str = "motcua", *, full: bool = False) -> dict:
    """Validate each of the run's marts with its declared suite against the audit schema (an
    incremental mart: the rows changed since its last publish, unless ``full``).

    Failures confined to a few units (``MOTCUA_HOLDBACK_MAX_UNITS``) hold those units back: the
    run publishes the others and alerts once. Any other failure alerts (once per run) and raises.
    """
    url = warehouse_url_for_tasks()
    views = release_views(_not_blocked(run_id, marts))
    suites = load_suites(load_settings().expectations_dir)
    outcomes = run_suites(
        url, run_id, [(v, suites[v.suite]) for v in views], full=full, max_held_units=holdback_max_units()
    )
    with connect(url) as conn:
        record_outcomes(conn, run_id, outcomes)
    failpoint("validation.recorded")
    latest = {o.relation: o for o in outcomes}  # a mart validated again without held units: the later one
    failed = [o for o in latest.values() if not o.success]
    held = sorted({unit for o in latest.values() for unit in o.held_units or ()})
    summary = {
        o.relation: {
            "suite": o.suite,
            "success": o.success,
            "failed": o.failed,
            "evaluated": o.evaluated,
            "changed_since": o.scope["above"] if o.scope else None,
            "held_units": o.held_units,
        }
        for o in latest.values()
    }
    if failed:
        built = {o.relation for o in outcomes}
        message = messages.validation_failed(
            dag_id, run_id, failed, not_published=[v.view for v in views if v.relation in built]
        )
        raise_alert(
            url,
            "critical",
            "validation_gate",
            message,
            {
                "run_id": run_id,
                "failures": {o.relation: o.failures for o in failed},
                "units": sorted({u for o in failed for u in o.units}),
                "docs": {o.relation: o.docs_url for o in failed},
            },
            dedup_key=f"validation:{dag_id}:{run_id}",
            scope=dag_id,
        )
        raise ValidationFailed(message.title)
    if held:
        named = [o for o in outcomes if not o.success]  # the failures that named the held units
        raise_alert(
            url,
            "error",
            "validation_gate",
            messages.units_held_back(dag_id, run_id, named, held, [v.view for v in views if v.relation in latest]),
            {
                "run_id": run_id,
                "held_units": held,
                "failures": {o.relation: o.failures for o in named},
                "docs": {o.relation: o.docs_url for o in named},
            },
            dedup_key=f"holdback:{dag_id}:{run_id}",
            scope=HOLDBACK_SCOPE,
        )
    return summary


def publish_run(run_id: str, marts: list[str], dag_id: str = "motcua") -> dict[str, int]:
    """Publish the run's validated marts in one transaction (held-back units' rows kept at their
    last release); a good release resolves the DAG's open alerts with one recovery message, and
    the holdback alerts once no unit is held back any more."""
    with connect() as conn:
        counts = publish(conn, run_id, release_views(_not_blocked(run_id, marts)))
    failpoint("publish.committed")
    try:
        url = warehouse_url_for_tasks()
        resolve_alerts(url, dag_id, run_id)
        with connect(url) as conn:
            still_held = conn.execute("select count(*) from ops.unit_holdbacks where released_at is null").fetchone()[0]
        if not still_held:
            resolve_alerts(url, HOLDBACK_SCOPE, run_id)
    except Exception as err:  # the release is committed; a recovery message must not fail it
        log.error("could not send the recovery message: %s", err)
    return counts


def document_build() -> str:
    """Write the dbt docs site again from the warehouse a run just built and published (its
    columns and types as PostgreSQL holds them); Airflow's UI shows it under Browse > dbt Docs."""
    index = generate_docs(
        load_settings().dbt_docs_dir, env=PostgresTarget.from_url(warehouse_url_for_tasks()).dbt_env()
    )
    log.info("dbt docs written: %s", index)
    return str(index)


def score_periods(province: str, periods: list[dict], run_id: str = "", dag_id: str = "motcua_portal") -> dict:
    """Score the portal's and Motcua's own counters for each period (scoring.indicator_scores);
    alert once when communes the portal scored have no statistics-office code to reconcile with."""
    from motcua.scoring.store import score_own, score_portal, unmapped_portal_units

    summary = {}
    with connect() as conn:
        for p in periods:
            portal = score_portal(conn, province, p["period_type"], p["period"])
            own = score_own(conn, province, p["period_type"], p["period"])
            for warning in portal["warnings"]:
                log.warning("%s %s: %s", province, p["period"], warning)
            summary[p["period"]] = {"portal": portal, "own": own}
        conn.commit()
        unmapped = unmapped_portal_units(conn, province, [p["period"] for p in periods])
    if unmapped:
        raise_alert(
            warehouse_url_for_tasks(),
            "warning",
            "portal_unit_map",
            messages.portal_units_unmapped(dag_id, run_id, province, unmapped),
            {"run_id": run_id, "province": province, "unmapped": [code for code, _ in unmapped]},
            dedup_key=f"unmapped:{dag_id}:{run_id}",
        )
    return {**summary, "unmapped_units": [code for code, _ in unmapped]}


def score_snapshots(province: str, periods: list[dict], as_of: date) -> dict:
    """Score each running period as it stood on ``as_of`` (scoring.indicator_score_snapshots):
    the portal's snapshot of the day beside Motcua's own counters through that day."""
    from motcua.scoring.store import score_snapshot

    summary = {}
    with connect() as conn:
        for p in periods:
            scored = score_snapshot(conn, province, p["period_type"], p["period"], as_of)
            for warning in scored.pop("warnings"):
                log.warning("%s %s as of %s: %s", province, p["period"], as_of, warning)
            summary[p["period"]] = scored
        conn.commit()
    return summary


def land_spreadsheet_drops() -> list[dict]:
    """Land every new file of the drop folder (each distinct file once)."""
    from motcua.landing.drops import land_drop_folder

    folder = load_settings().drop_dir
    with connect() as conn:
        summaries = land_drop_folder(conn, folder)
        seal_loaded_batches(conn)
    for summary in summaries:
        if "quarantined_file" in summary:
            log.warning("drop file %s quarantined: %s", summary["file"], summary["quarantined_file"])
    return summaries


def alert_on_failure(context: dict) -> None:
    """Airflow ``on_failure_callback`` of every task: one alert per failed task and run (a retry,
    or the task cleared and failing again, raises the same alert once; validation alerts itself)."""
    exception = context.get("exception")
    if isinstance(exception, ValidationFailed):
        return
    ti = context.get("task_instance")
    dag_id, task_id = getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?")
    run_id = str(context.get("run_id"))
    try:
        raise_alert(
            warehouse_url_for_tasks(),
            "error",
            f"airflow:{dag_id}.{task_id}",
            messages.task_failed(dag_id, run_id, task_id, str(exception), getattr(ti, "try_number", None)),
            {"run_id": run_id, "try_number": getattr(ti, "try_number", None)},
            dedup_key=f"task:{dag_id}:{run_id}:{task_id}",
            scope=dag_id,
        )
    except Exception as err:  # an alert channel must never mask the task's own failure
        log.error("could not raise the alert for a failed task: %s", err)


def alert_on_run_failure(context: dict) -> None:
    """Airflow DAG-level ``on_failure_callback``: a run that failed or timed out (``dagrun_timeout``)
    alerts, unless one of its tasks or its validation already did (one alert per failure)."""
    dag_run = context.get("dag_run")
    dag_id = getattr(dag_run, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    run_id = str(getattr(dag_run, "run_id", None) or context.get("run_id"))
    reason = str(context.get("reason") or "failed")
    try:
        url = warehouse_url_for_tasks()
        with connect(url) as conn:
            already = conn.execute(
                "select exists (select 1 from ops.alerts where scope = %s and details->>'run_id' = %s)",
                (dag_id, run_id),
            ).fetchone()[0]
        if already and "time" not in reason:
            return
        raise_alert(
            url,
            "error",
            f"airflow:{dag_id}",
            messages.run_failed(dag_id, run_id, reason),
            {"run_id": run_id, "reason": reason},
            dedup_key=f"run:{dag_id}:{run_id}",
            scope=dag_id,
        )
    except Exception as err:
        log.error("could not raise the alert for a failed run: %s", err)


OWNER = "motcua-data-engineering"


def default_args(retry_delay: timedelta, retries: int = 2, *, exponential_backoff: bool = True) -> dict:
    """What every Motcua DAG's tasks share: the owning team, retries, and one alert per failed task."""
    return {
        "owner": OWNER,
        "retries": retries,
        "retry_delay": retry_delay,
        "retry_exponential_backoff": exponential_backoff,
        "on_failure_callback": alert_on_failure,
    }
