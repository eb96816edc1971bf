"""The validation gate: run every suite against the audit schema and record the outcome.

Publishing reads the outcome; if any suite fails nothing is published and an alert is raised.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field

import psycopg

from motcua.failpoints import failpoint
from motcua.quality.suites import SuiteFile
from motcua.warehouse.connect import connect

log = logging.getLogger(__name__)


@dataclass
class SuiteOutcome:
    suite: str
    relation: str
    success: bool
    evaluated: int
    failed: int
    failures: list[dict] = field(default_factory=list)


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg2://", 1)


def run_suites(url: str, suites: list[SuiteFile]) -> list[SuiteOutcome]:
    """Validate each suite's relation with Great Expectations; never raises on a failed check."""
    # Probed with psycopg first: an unreachable warehouse is one clear line, not a GX traceback.
    with connect(url) as probe:
        present = {s.relation for s in suites if probe.execute("select to_regclass(%s)", (s.relation,)).fetchone()[0]}
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx  # imported here: slow, and only the validate task needs it
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # Progress bars would fill the task log with one redrawn line per metric.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    datasource = context.data_sources.add_postgres(name="warehouse", connection_string=_sqlalchemy_url(url))
    outcomes = []
    for suite_file in suites:
        if suite_file.relation not in present:
            # Not built by any run yet (another DAG's mart): nothing to validate, and the
            # publish step skips it too, so BI cannot see it unvalidated.
            log.info("suite %s skipped: %s does not exist yet", suite_file.name, suite_file.relation)
            continue
        asset = datasource.add_table_asset(
            name=suite_file.name, table_name=suite_file.table, schema_name=suite_file.schema
        )
        batch = asset.add_batch_definition_whole_table("whole_table").get_batch()
        suite = context.suites.add(gx.ExpectationSuite(name=suite_file.name, expectations=suite_file.expectations))
        result = batch.validate(suite)
        failures = [
            {
                "expectation": r.expectation_config.type,
                "kwargs": {k: v for k, v in r.expectation_config.kwargs.items() if k != "batch_id"},
                "observed": _jsonable(r.result),
            }
            for r in result.results
            if not r.success
        ]
        outcomes.append(
            SuiteOutcome(
                suite=suite_file.name,
                relation=suite_file.relation,
                success=bool(result.success),
                evaluated=len(result.results),
                failed=len(failures),
                failures=failures,
            )
        )
        failpoint("validation.suite_done")
        log.info(
            "suite %s on %s: %s",
            suite_file.name,
            suite_file.relation,
            "passed" if result.success else "FAILED",
        )
    return outcomes


def _jsonable(value: object) -> object:
    return json.loads(json.dumps(value, default=str))


def record_outcomes(conn: psycopg.Connection, run_id: str, outcomes: list[SuiteOutcome]) -> None:
    with conn.transaction():
        for o in outcomes:
            conn.execute(
                """insert into ops.validation_runs (run_id, suite_name, relation, success,
                                                    evaluated_expectations, failed_expectations, result)
                   values (%s, %s, %s, %s, %s, %s, %s)""",
                (run_id, o.suite, o.relation, o.success, o.evaluated, o.failed, json.dumps(o.failures)),
            )


def unvalidated_relations(
    conn: psycopg.Connection, run_id: str, suites: list[SuiteFile], relations: list[str]
) -> list[str]:
    """The relations among ``relations`` that a suite guards and whose latest result in this run
    is missing or failed. A validation re-run after the data was fixed counts; earlier failures
    of the same run do not."""
    latest = dict(
        conn.execute(
            """select distinct on (suite_name) suite_name, success
               from ops.validation_runs
               where run_id = %s
               order by suite_name, validated_at desc, validation_run_id desc""",
            (run_id,),
        ).fetchall()
    )
    return sorted({s.relation for s in suites if s.relation in relations and not latest.get(s.name, False)})
