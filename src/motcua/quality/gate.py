"""The validation gate: each mart of the run checked by the suite its declaration names, results
recorded in ``ops.validation_runs`` and rendered as Great Expectations Data Docs.

Publishing reads the recorded outcome; if a suite fails nothing is published and an alert is
raised (``orchestration.tasks.validate``). A failure says which units and periods it touches,
from the columns the mart's declaration names, so the alert can name them. When the failing rows
belong to a few units of marts that declare a holdback, those units are held back instead: the
marts are validated again without them, and the release publishes the other units
(:func:`run_suites`).
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
    #: The units whose rows this release holds back, with their roll-ups in a roll-up mart
    #: (see :func:`run_suites` and :func:`held_codes`).
    held_units: list[str] | None = None

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


def open_holdbacks(conn: psycopg.Connection) -> list[str]:
    """The units held back by earlier runs and not released yet (``ops.unit_holdbacks``)."""
    return [code for (code,) in conn.execute("select unit_code from ops.unit_holdbacks where released_at is null")]


def units_above(conn: psycopg.Connection, codes: list[str]) -> list[str]:
    """The units whose roll-up figures include those of ``codes``: the units above them (district,
    province) and, across the 2025 reform, their successors (``bridge_unit_succession``) and the
    units above those."""
    edges = [
        (
            "audit.dim_units",
            "select unit_code, parent_unit_code from audit.dim_units where parent_unit_code is not null",
        ),
        ("audit.bridge_unit_succession", "select old_unit_code, new_unit_code from audit.bridge_unit_succession"),
    ]
    present = [query for relation, query in edges if conn.execute("select to_regclass(%s)", (relation,)).fetchone()[0]]
    if not codes or not present:
        return []
    rows = conn.execute(
        sql.SQL(
            """with recursive edge (below, above) as ({}),
               up (unit_code) as (
                   select unnest(%s::text[])
                   union
                   select edge.above from up join edge on edge.below = up.unit_code)
               select unit_code from up"""
        ).format(sql.SQL(" union ").join(sql.SQL(q) for q in present)),
        (list(codes),),
    ).fetchall()
    return sorted({code for (code,) in rows} - set(codes))


def held_codes(view: PublishedView, held: list[str], above: list[str]) -> list[str]:
    """What a mart holds back for the ``held`` units: their rows, and for a roll-up mart also
    the rows of the units ``above`` them; nothing for a mart that declares no holdback."""
    if not view.holdback or not held:
        return []
    return sorted(set(held) | (set(above) if view.holdback == "rollup" else set()))


def change_scope(conn: psycopg.Connection, view: PublishedView, held: list[str] = ()) -> dict | None:
    """What a release of an incremental mart validates and publishes: the rows changed since its
    last publish, and every row of the units still held back (``held``, their roll-ups included),
    or None (the whole mart) when it declares no change scope or was never published. ``upto`` is
    the highest load sequence now built, the next publish's watermark."""
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
    predicate = view.changes.predicate(published[0])
    codes = held_codes(view, list(held), units_above(conn, list(held)))
    if codes:
        predicate = f"({predicate} or {view.held_predicate(codes)})"
    return {
        "column": view.changes.column,
        "key": view.changes.key,
        "above": published[0],
        "upto": max(upto, published[0]),
        "predicate": predicate,
    }


def _has_rows(conn: psycopg.Connection, view: PublishedView, predicate: str) -> bool:
    schema, table = view.relation.split(".")
    return conn.execute(
        sql.SQL("select exists (select 1 from {} where {})").format(sql.Identifier(schema, table), sql.SQL(predicate))
    ).fetchone()[0]


def holdable_units(failed: list[SuiteOutcome], views: dict[str, PublishedView], max_units: int) -> list[str]:
    """The units a release may hold back so that the others publish: every failure is in a mart
    that declares a holdback and names the units of its failing rows, and they are at most
    ``max_units``. Empty when the failures cannot be pinned to a few units (a table-level check,
    an error, a mart without holdback, too many units): then the release is blocked."""
    units: set[str] = set()
    for outcome in failed:
        view = views[outcome.relation]
        if not view.holdback:
            return []
        for failure in outcome.failures:
            if not failure.get("units") or failure.get("unexpected_count") is None:
                return []
            units |= set(failure["units"])
    return sorted(units) if 0 < len(units) <= max_units else []


def run_suites(
    url: str,
    run_id: str,
    checks: list[tuple[PublishedView, SuiteFile]],
    *,
    full: bool = False,
    max_held_units: int = 0,
) -> list[SuiteOutcome]:
    """Validate each mart with its suite; never raises on a failed check.

    An incremental mart that was published before is validated on the rows changed since
    (:func:`change_scope`), so a day's validation costs what the day changed; ``full`` validates
    every mart whole (the weekly check). A mart that no run has built yet is skipped (the publish
    step skips it too, so BI cannot see it unvalidated). Results and their Data Docs pages are
    kept in the GX project under the state folder.

    Unit holdback: when the failures are confined to at most ``max_held_units`` units
    (:func:`holdable_units`), each failed mart is validated again without those units' rows (and
    their roll-ups); if that passes, the outcomes say which units every mart of the run holds
    back, and publishing keeps their rows at the last published version. Units held by earlier
    runs are validated again every run until they pass.
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

    validator = _Validator(url, run_id)
    outcomes = []
    with connect(url) as conn:
        still_held = open_holdbacks(conn)
        for view, suite_file in checks:
            scope = None if full else change_scope(conn, view, still_held)
            if scope is not None and not _has_rows(conn, view, scope["predicate"]):
                # Nothing changed since the last publish: nothing to validate, nothing to publish.
                outcomes.append(SuiteOutcome(suite_file.name, view.relation, True, 0, 0, view=view.view, scope=scope))
                log.info("%s on %s: nothing changed since the last publish", suite_file.name, view.relation)
                continue
            outcomes.append(validator.validate(conn, view, suite_file, scope, present[view.mart]))

        failed = [o for o in outcomes if not o.success]
        views = {view.relation: view for view, _ in checks}
        held = holdable_units(failed, views, max_held_units) if failed and max_held_units else []
        if held:
            above = units_above(conn, held)
            suites = {view.relation: suite for view, suite in checks}
            retried = []
            for outcome in failed:
                view = views[outcome.relation]
                codes = held_codes(view, held, above)
                log.warning("%s failed for units %s: validating it again without them", view.mart, codes)
                retried.append(
                    validator.validate(conn, view, suites[view.relation], outcome.scope, present[view.mart], held=codes)
                )
            if all(o.success for o in retried):
                # Every mart of the run that can hold back a unit publishes without the held rows.
                for outcome in outcomes + retried:
                    if outcome.success and views[outcome.relation].holdback:
                        outcome.held_units = held
                outcomes += retried
            else:
                log.warning("still failing without units %s: the release is blocked", held)
                outcomes += [o for o in retried if not o.success]
    return outcomes


class _Validator:
    """Runs one mart's suite in the GX file project under the state folder: one checkpoint per
    mart, results and Data Docs kept there between runs."""

    def __init__(self, url: str, run_id: str) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        os.environ[_GX_URL_VARIABLE] = _sqlalchemy_url(url)
        import great_expectations as gx  # imported here: slow, and only the validate task needs it
        from great_expectations.core.run_identifier import RunIdentifier
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gx = gx
        self.settings = load_settings()
        self.context = gx.get_context(mode="file", project_root_dir=str(self.settings.quality_dir))
        # Progress bars would fill the task log with one redrawn line per metric.
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        # Kept between runs with its assets (validation definitions saved in the project refer to them).
        try:
            self.datasource = self.context.data_sources.get("warehouse")
        except (KeyError, ValueError, LookupError):
            self.datasource = self.context.data_sources.add_postgres(
                name="warehouse", connection_string="${" + _GX_URL_VARIABLE + "}"
            )
        self.run_name = RunIdentifier(run_name=_run_name(run_id))

    def _query_batch(self, conn: psycopg.Connection, name: str, view: PublishedView, predicate: str):
        """A query asset of the mart's rows matching ``predicate`` (it holds this run's watermark)."""
        schema, table = view.relation.split(".")
        if name in {a.name for a in self.datasource.assets}:
            self.datasource.delete_asset(name)
        asset = self.datasource.add_query_asset(
            name=name,
            query=sql.SQL("select * from {} where {}")
            .format(sql.Identifier(schema, table), sql.SQL(predicate))
            .as_string(conn),
        )
        return asset, asset.add_batch_definition_whole_table("rows")

    def _table_batch(self, view: PublishedView):
        """The whole mart (the GX project keeps its assets between runs: reuse them)."""
        schema, table = view.relation.split(".")
        try:
            asset = self.datasource.get_asset(view.mart)
        except LookupError:
            asset = self.datasource.add_table_asset(name=view.mart, table_name=table, schema_name=schema)
        try:
            batch = asset.get_batch_definition("whole_table")
        except (KeyError, LookupError):
            batch = asset.add_batch_definition_whole_table("whole_table")
        return asset, batch

    def validate(
        self,
        conn: psycopg.Connection,
        view: PublishedView,
        suite_file: SuiteFile,
        scope: dict | None,
        columns: list[str],
        held: list[str] = (),
    ) -> SuiteOutcome:
        """One mart's validation: its changed rows (``scope``) or all of it, without the rows of
        the ``held`` units."""
        from great_expectations.checkpoint import UpdateDataDocsAction

        gx = self.gx
        predicates = [scope["predicate"]] if scope is not None else []
        if held:
            predicates.append(f"not {view.held_predicate(held)}")
        predicate = " and ".join(predicates) or None
        if predicate is not None:
            name = f"{view.mart}__changes" if not held else f"{view.mart}__without_held"
            asset, batch = self._query_batch(conn, name, view, predicate)
        else:
            asset, batch = self._table_batch(view)
        # One GX suite per mart (named after it): a template file guards several marts.
        suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(
                name=view.mart,
                expectations=suite_file.expectations_for(sql.Identifier(*view.relation.split(".")).as_string(conn)),
            )
        )
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=asset.name, data=batch, suite=suite)
        )
        # A checkpoint per mart: the failing rows come back with this mart's unit and period.
        checkpoint = self.context.checkpoints.add_or_update(
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
        [(identifier, validation)] = checkpoint.run(run_id=self.run_name).run_results.items()
        failures = [asdict(_failure(conn, view, r, predicate)) for r in validation.results if not r.success]
        undocumented = undocumented_columns(columns, view)
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
        failpoint("validation.suite_done")
        log.info(
            "%s on %s%s: %s",
            suite_file.name,
            view.relation,
            f" without units {', '.join(held)}" if held else "",
            "passed" if not failures else "FAILED",
        )
        return SuiteOutcome(
            suite=suite_file.name,
            relation=view.relation,
            success=not failures,
            evaluated=len(validation.results) + 1,
            failed=len(failures),
            failures=failures,
            view=view.view,
            docs_url=_docs_url(self.context, identifier, self.settings.data_docs_dir, self.settings.data_docs_url),
            scope=scope,
        )


def _failure(conn: psycopg.Connection, view: PublishedView, r, predicate: str | None) -> Failure:
    config = r.expectation_config
    kwargs = {k: v for k, v in config.kwargs.items() if k != "batch_id"}
    why = (config.meta or {}).get("why", "")
    error = _raised(_jsonable(r.exception_info or {}))
    if error is not None:
        # GX could not evaluate it (a renamed column, a query error): the error is what failed.
        return Failure(config.type, kwargs, None, f"error: {error}", why=why)
    result = _jsonable(r.result)
    units, periods = [], []
    for row in result.get("partial_unexpected_index_list") or []:
        if view.unit_column and row.get(view.unit_column) is not None:
            units.append(str(row[view.unit_column]))
        if view.period_column and row.get(view.period_column) is not None:
            periods.append(str(row[view.period_column]))
    query = kwargs.get("unexpected_rows_query")
    if query and (view.unit_column or view.period_column):
        units, periods = _where_rows_fail(conn, view, query, predicate)
    return Failure(
        expectation=config.type,
        kwargs=kwargs,
        # A row query's count is its observed value.
        unexpected_count=result.get("observed_value") if query else result.get("unexpected_count"),
        observed=result.get("observed_value"),
        units=sorted(set(units)),
        periods=sorted(set(periods)),
        why=why,
    )


def _raised(info: dict) -> str | None:
    """The message of an error GX caught while evaluating an expectation, or None. GX 1.x keeps
    it either at the top level or per metric (keyed by the metric's configuration id)."""
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "unknown error")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "unknown error").strip().splitlines()[0]
    return None


def _where_rows_fail(
    conn: psycopg.Connection, view: PublishedView, query: str, predicate: str | None
) -> tuple[list[str], list[str]]:
    """The units and periods of the rows an ``unexpected_rows_query`` returns (GX gives only a count)."""
    schema, table = view.relation.split(".")
    relation = sql.Identifier(schema, table).as_string(conn)
    if predicate is not None:
        relation = f"(select * from {relation} where {predicate}) validated_rows"
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
                                                    failed_expectations, result, docs_url, scope, held_units)
                   values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
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
                    o.held_units,
                ),
            )


@dataclass(frozen=True)
class LatestValidation:
    """A relation's latest validation in a run: whether it passed, the changed rows it read, and
    the units whose rows the release holds back."""

    success: bool
    scope: dict | None
    held_units: tuple[str, ...]


def latest_validations(conn: psycopg.Connection, run_id: str) -> dict[str, LatestValidation]:
    """Per relation, the latest validation of this run. A validation re-run after the data was
    fixed counts; earlier failures of the same run do not."""
    rows = conn.execute(
        """select distinct on (relation) relation, success, scope, held_units
           from ops.validation_runs
           where run_id = %s
           order by relation, validated_at desc, validation_run_id desc""",
        (run_id,),
    ).fetchall()
    return {relation: LatestValidation(success, scope, tuple(held or ())) for relation, success, scope, held in rows}


def unvalidated_relations(conn: psycopg.Connection, run_id: str, relations: list[str]) -> list[str]:
    """The relations among ``relations`` whose latest validation in this run is missing or failed."""
    latest = latest_validations(conn, run_id)
    return sorted(r for r in relations if r not in latest or not latest[r].success)
