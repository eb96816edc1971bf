"""The validation gate: each mart of the run checked by the suite its declaration names, results
recorded in ``ops.validation_runs`` and rendered as Great Expectations Data Docs.

Publishing reads the recorded outcome; if a suite fails nothing is published and an alert is
raised (``orchestration.tasks.validate``). A failure says which units and periods it touches,
from the columns the mart's declaration names, so the alert can name them.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from motcua.config import load_settings
from motcua.failpoints import failpoint
from motcua.publishing.contract import PublishedView, undocumented_columns
from motcua.quality.suites import SuiteFile
from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)

#: How many failing rows per expectation GX returns with their unit and period (the alert names
#: the distinct units among them, and says when there were more).
FAILING_ROWS_SAMPLED = 200
#: GX reads the warehouse URL from this variable at run time, so no password is written into the
#: GX project's configuration file.
_GX_URL_VARIABLE = "MOTCUA_GX_WAREHOUSE_URL"


@dataclass
class Failure:
    """One failed expectation: what it checks, how many rows or what value failed, and where."""

    expectation: str
    kwargs: dict
    unexpected_count: int | None
    observed: object
    units: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)
    why: str = ""


@dataclass
class SuiteOutcome:
    suite: str
    relation: str
    success: bool
    evaluated: int
    failed: int
    failures: list[dict] = field(default_factory=list)
    view: str = ""
    docs_url: str | None = None
    #: Incremental marts: the changed rows this validation read (see :func:`change_scope`).
    scope: dict | None = None

    @property
    def units(self) -> list[str]:
        return sorted({u for f in self.failures for u in f.get("units", [])})

    @property
    def periods(self) -> list[str]:
        return sorted({p for f in self.failures for p in f.get("periods", [])})


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def _run_name(run_id: str) -> str:
    """A GX run name that is also a safe folder name (Airflow run ids hold ':' and '+')."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id)


def change_scope(conn: psycopg.Connection, view: PublishedView) -> dict | None:
    """What a release of an incremental mart validates and publishes: the rows changed since its
    last publish, or None (the whole mart) when it declares no change scope or was never
    published. ``upto`` is the highest load sequence now built, the next publish's watermark."""
    if view.changes is None:
        return None
    published = conn.execute(
        "select published_upto from ops.publish_watermarks where mart = %s and scope_column = %s",
        (view.mart, view.changes.column),
    ).fetchone()
    if published is None:
        return None
    schema, table = view.relation.split(".")
    upto = conn.execute(
        sql.SQL("select coalesce(max({}), -1) from {}").format(
            sql.Identifier(view.changes.column), sql.Identifier(schema, table)
        )
    ).fetchone()[0]
    return {
        "column": view.changes.column,
        "key": view.changes.key,
        "above": published[0],
        "upto": max(upto, published[0]),
        "predicate": view.changes.predicate(published[0]),
    }


def _has_rows(conn: psycopg.Connection, view: PublishedView, predicate: str) -> bool:
    schema, table = view.relation.split(".")
    return conn.execute(
        sql.SQL("select exists (select 1 from {} where {})").format(sql.Identifier(schema, table), sql.SQL(predicate))
    ).fetchone()[0]


def run_suites(
    url: str, run_id: str, checks: list[tuple[PublishedView, SuiteFile]], *, full: bool = False
) -> list[SuiteOutcome]:
    """Validate each mart with its suite; never raises on a failed check.

    An incremental mart that was published before is validated on the rows changed since
    (:func:`change_scope`), so a day's validation costs what the day changed; ``full`` validates
    every mart whole (the weekly check). A mart that no run has built yet is skipped (the publish
    step skips it too, so BI cannot see it unvalidated). Results and their Data Docs pages are
    kept in the GX project under the state folder.
    """
    # Probed with psycopg first: an unreachable warehouse is one clear line, not a GX traceback.
    with connect(url) as probe:
        present = {}
        for view, _ in checks:
            if probe.execute("select to_regclass(%s)", (view.relation,)).fetchone()[0]:
                present[view.mart] = [
                    name
                    for (name,) in probe.execute(
                        """select attname from pg_attribute where attrelid = %s::regclass
                           and attnum > 0 and not attisdropped order by attnum""",
                        (view.relation,),
                    )
                ]
    for view, _ in checks:
        if view.mart not in present:
            log.info("%s skipped: %s does not exist yet", view.mart, view.relation)
    checks = [(view, suite) for view, suite in checks if view.mart in present]
    if not checks:
        return []

    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    os.environ[_GX_URL_VARIABLE] = _sqlalchemy_url(url)
    import great_expectations as gx  # imported here: slow, and only the validate task needs it
    from great_expectations.checkpoint import UpdateDataDocsAction
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.base import ProgressBarsConfig

    settings = load_settings()
    context = gx.get_context(mode="file", project_root_dir=str(settings.quality_dir))
    # Progress bars would fill the task log with one redrawn line per metric.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # Kept between runs with its assets (validation definitions saved in the project refer to them).
    try:
        datasource = context.data_sources.get("warehouse")
    except (KeyError, ValueError, LookupError):
        datasource = context.data_sources.add_postgres(
            name="warehouse", connection_string="${" + _GX_URL_VARIABLE + "}"
        )
    run_name = RunIdentifier(run_name=_run_name(run_id))
    outcomes = []
    with connect(url) as conn:
        for view, suite_file in checks:
            schema, table = view.relation.split(".")
            scope = None if full else change_scope(conn, view)
            if scope is not None and not _has_rows(conn, view, scope["predicate"]):
                # Nothing changed since the last publish: nothing to validate, nothing to publish.
                outcomes.append(SuiteOutcome(suite_file.name, view.relation, True, 0, 0, view=view.view, scope=scope))
                log.info("%s on %s: nothing changed since the last publish", suite_file.name, view.relation)
                continue
            if scope is not None:
                # The changed rows, as a query asset (its query holds this run's watermark).
                name = f"{view.mart}__changes"
                if name in {a.name for a in datasource.assets}:
                    datasource.delete_asset(name)
                asset = datasource.add_query_asset(
                    name=name,
                    query=sql.SQL("select * from {} where {}")
                    .format(sql.Identifier(schema, table), sql.SQL(scope["predicate"]))
                    .as_string(conn),
                )
                batch = asset.add_batch_definition_whole_table("changes")
            else:
                # The GX project keeps its assets between runs: reuse them.
                try:
                    asset = datasource.get_asset(view.mart)
                except LookupError:
                    asset = datasource.add_table_asset(name=view.mart, table_name=table, schema_name=schema)
                try:
                    batch = asset.get_batch_definition("whole_table")
                except (KeyError, LookupError):
                    batch = asset.add_batch_definition_whole_table("whole_table")
            # One GX suite per mart (named after it): a template file guards several marts.
            suite = context.suites.add_or_update(
                gx.ExpectationSuite(name=view.mart, expectations=suite_file.expectations)
            )
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=asset.name, data=batch, suite=suite)
            )
            # A checkpoint per mart: the failing rows come back with this mart's unit and period.
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=f"release_{view.mart}",
                    validation_definitions=[definition],
                    actions=[UpdateDataDocsAction(name="data_docs")],
                    result_format={
                        "result_format": "SUMMARY",
                        "partial_unexpected_count": FAILING_ROWS_SAMPLED,
                        "unexpected_index_column_names": [c for c in (view.unit_column, view.period_column) if c],
                    },
                )
            )
            [(identifier, validation)] = checkpoint.run(run_id=run_name).run_results.items()
            failures = [asdict(_failure(conn, view, r, scope)) for r in validation.results if not r.success]
            undocumented = undocumented_columns(present[view.mart], view)
            if undocumented:
                failures.append(
                    asdict(
                        Failure(
                            expectation="columns_documented",
                            kwargs={"columns": undocumented},
                            unexpected_count=len(undocumented),
                            observed=undocumented,
                            why="every built column must be documented in the mart's dbt YAML "
                            "(published or marked published: false)",
                        )
                    )
                )
            outcomes.append(
                SuiteOutcome(
                    suite=suite_file.name,
                    relation=view.relation,
                    success=not failures,
                    evaluated=len(validation.results) + 1,
                    failed=len(failures),
                    failures=failures,
                    view=view.view,
                    docs_url=_docs_url(context, identifier, settings.data_docs_dir, settings.data_docs_url),
                    scope=scope,
                )
            )
            failpoint("validation.suite_done")
            log.info("%s on %s: %s", suite_file.name, view.relation, "passed" if not failures else "FAILED")
    return outcomes


def _failure(conn: psycopg.Connection, view: PublishedView, r, scope: dict | None) -> Failure:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    result = _jsonable(r.result)
    units, periods = [], []
    for row in result.get("partial_unexpected_index_list") or []:
        if view.unit_column and row.get(view.unit_column) is not None:
            units.append(str(row[view.unit_column]))
        if view.period_column and row.get(view.period_column) is not None:
            periods.append(str(row[view.period_column]))
    query = kwargs.get("unexpected_rows_query")
    if query and (view.unit_column or view.period_column):
        units, periods = _where_rows_fail(conn, view, query, scope)
    raised = _jsonable(r.exception_info or {})
    if raised.get("raised_exception"):
        # GX could not evaluate it (a renamed column, a query error): the error is what failed.
        return Failure(config.type, kwargs, None, f"error: {raised.get('exception_message')}")
    return Failure(
        expectation=config.type,
        kwargs=kwargs,
        unexpected_count=result.get("unexpected_count", result.get("observed_value") if query else None),
        observed=result.get("observed_value"),
        units=sorted(set(units)),
        periods=sorted(set(periods)),
        why=(config.meta or {}).get("why", ""),
    )


def _where_rows_fail(
    conn: psycopg.Connection, view: PublishedView, query: str, scope: dict | None
) -> tuple[list[str], list[str]]:
    """The units and periods of the rows an ``unexpected_rows_query`` returns (GX gives only a count)."""
    schema, table = view.relation.split(".")
    relation = sql.Identifier(schema, table).as_string(conn)
    if scope is not None:
        relation = f"(select * from {relation} where {scope['predicate']}) changed"
    columns = [c for c in (view.unit_column, view.period_column) if c]
    rows = conn.execute(
        sql.SQL("select distinct {} from ({}) failing limit {}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in columns),
            sql.SQL(query.replace("{batch}", relation)),  # the reviewed suite file's own query
            sql.Literal(FAILING_ROWS_SAMPLED),
        )
    ).fetchall()
    conn.rollback()
    values = [dict(zip(columns, row, strict=True)) for row in rows]
    return (
        [str(v[view.unit_column]) for v in values if view.unit_column and v[view.unit_column] is not None],
        [str(v[view.period_column]) for v in values if view.period_column and v[view.period_column] is not None],
    )


def _docs_url(context, identifier, docs_dir: Path, base_url: str) -> str | None:
    """The validation's Data Docs page under ``base_url`` (the served site, or the folder itself)."""
    for site in context.get_docs_sites_urls(resource_identifier=identifier):
        page = site.get("site_url") or ""
        prefix = docs_dir.as_uri() + "/"
        if page.startswith(prefix):
            return base_url + page.removeprefix(prefix)
    return None


def _jsonable(value: object) -> dict:
    return json.loads(json.dumps(value, default=str))


def record_outcomes(conn: psycopg.Connection, run_id: str, outcomes: list[SuiteOutcome]) -> None:
    with conn.transaction():
        for o in outcomes:
            conn.execute(
                """insert into ops.validation_runs (run_id, suite_name, relation, success, evaluated_expectations,
                                                    failed_expectations, result, docs_url, scope)
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                (
                    run_id,
                    o.suite,
                    o.relation,
                    o.success,
                    o.evaluated,
                    o.failed,
                    json.dumps(o.failures),
                    o.docs_url,
                    json.dumps(o.scope) if o.scope is not None else None,
                ),
            )


def latest_validations(conn: psycopg.Connection, run_id: str) -> dict[str, tuple[bool, dict | None]]:
    """Per relation, the latest validation of this run: (passed, the scope it read). A validation
    re-run after the data was fixed counts; earlier failures of the same run do not."""
    rows = conn.execute(
        """select distinct on (relation) relation, success, scope
           from ops.validation_runs
           where run_id = %s
           order by relation, validated_at desc, validation_run_id desc""",
        (run_id,),
    ).fetchall()
    return {relation: (success, scope) for relation, success, scope in rows}


def unvalidated_relations(conn: psycopg.Connection, run_id: str, relations: list[str]) -> list[str]:
    """The relations among ``relations`` whose latest validation in this run is missing or failed."""
    latest = latest_validations(conn, run_id)
    return sorted(r for r in relations if not latest.get(r, (False, None))[0])
