"""The dossier suite's volume check (expectations/fct_dossiers.json): a unit receiving far more
than its previous 28 days fails, with that unit and day named, so unit holdback can keep it back.

It runs the project's own expectation through the release gate (GX against PostgreSQL) on a
mart shaped like fct_dossiers' unit and date columns."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from motcua.config import load_settings
from motcua.publishing.contract import PublishedView
from motcua.quality.gate import run_suites
from motcua.quality.suites import QUERY, TABLE, SuiteFile, load_suites

FIRST_DAY = date(2026, 3, 2)


def _volume_check() -> SuiteFile:
    suite = load_suites(load_settings().expectations_dir)["fct_dossiers"]
    [check] = [e for e in suite.expectations if TABLE in str(e["kwargs"].get(QUERY, ""))]
    return SuiteFile(suite.path, "fct_dossiers", "", [check])


def test_a_unit_receiving_five_times_its_usual_volume_fails_alone(warehouse, wh_conn):
    mart = f"fct_volume_probe_{uuid.uuid4().hex[:6]}"
    days: list[tuple[str, date, int]] = []
    for n in range(40):
        day = FIRST_DAY + timedelta(days=n)
        days += [("SPIKE", day, 10), ("STEADY", day, 20)]
    spike_day = FIRST_DAY + timedelta(days=40)
    days += [
        ("SPIKE", spike_day, 60),  # 6x its 10 a day, and at least 50
        ("STEADY", spike_day, 30),  # 1.5x: a busy day, not a fault
        ("SMALL", spike_day, 45),  # 45 dossiers from a unit with 2 a day: below the floor of 50
        ("NEW", spike_day, 300),  # no 28 days of history yet: not judged
    ]
    days += [("SMALL", FIRST_DAY + timedelta(days=n), 2) for n in range(40)]
    # A campaign day ten days before its last receipts (a mass registration): no longer judged, so it cannot fail
    # every weekly full validation for ever.
    days += [("CAMPAIGN", FIRST_DAY + timedelta(days=n), 300 if n == 30 else 10) for n in range(41)]
    days += [("NEW", spike_day - timedelta(days=n), 5) for n in range(1, 6)]
    wh_conn.execute(
        f"""create table audit.{mart} as
            select unit as competent_unit_code, day as received_date
            from unnest(%s::text[], %s::date[], %s::int[]) as d(unit, day, n), generate_series(1, d.n)""",
        ([u for u, _, _ in days], [d for _, d, _ in days], [n for _, _, n in days]),
    )
    view = PublishedView(
        "volume_probe",
        mart,
        "probe",
        (("competent_unit_code", "u"), ("received_date", "d")),
        suite="fct_dossiers",
        grain=(),
        unit_column="competent_unit_code",
        period_column="received_date",
        documented=("competent_unit_code", "received_date"),
        holdback="unit",
    )
    try:
        [outcome] = run_suites(warehouse.url, f"manual__{mart}", [(view, _volume_check())])
        assert not outcome.success, outcome
        [failure] = outcome.failures
        assert failure["units"] == ["SPIKE"] and failure["periods"] == [spike_day.isoformat()], failure
        assert failure["unexpected_count"] == 1 and "28 days" in failure["why"], failure

        # Holdback: the same failure confined to one unit validates the other units and holds SPIKE.
        first, again = run_suites(warehouse.url, f"manual__{mart}_held", [(view, _volume_check())], max_held_units=5)
        assert not first.success and again.success and again.held_units == ["SPIKE"], (first, again)
    finally:
        wh_conn.execute(f"drop table audit.{mart}")
