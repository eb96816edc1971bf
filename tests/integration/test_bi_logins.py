"""BI logins: a reader login reads the published views and is refused everything else; a login
scoped to a commune sees only that commune's rows (and the old communes merged into it), a
district's login its communes too, and the province's login every row.

The test runs in its own database on the test server (bootstrapped like any warehouse), so the
units and the succession bridge it publishes are exactly its own.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from motcua.cli.main import main
from motcua.config import PostgresTarget
from motcua.publishing.contract import PublishedView
from motcua.publishing.publish import publish
from motcua.quality.gate import SuiteOutcome, record_outcomes
from motcua.warehouse.bootstrap import bootstrap

#: Units of the probe: district D1 with communes C1 and C2 (the 2025 commune C1 succeeded the old
#: commune O1 and part of the abolished district O2), and a commune of another district.
UNITS = [("D1", "district", None), ("C1", "commune", "D1"), ("C2", "commune", "D1"), ("X9", "commune", "D2")]
SUCCESSION = [("O1", "commune", "C1"), ("O2", "district", "C1")]
ROWS = {"D1": 3, "C1": 5, "C2": 7, "X9": 11, "O1": 13, "O2": 17}

PROBE = PublishedView(
    "reader_probe",
    "fct_reader_probe",
    "Probe mart of the BI login tests.",
    (("unit_code", "Mã đơn vị."), ("received", "Số hồ sơ.")),
    suite="reader_probe",
    grain=("unit_code",),
    unit_column="unit_code",
)
#: A province-wide mart (no unit column): every login sees all of it.
CATALOGUE = PublishedView(
    "reader_catalogue_probe",
    "fct_reader_catalogue_probe",
    "Probe of a province-wide mart.",
    (("procedure_code", "Mã TTHC."),),
    suite="reader_probe",
    grain=("procedure_code",),
)


@pytest.fixture(scope="module")
def bi_warehouse(warehouse):
    base = PostgresTarget.from_url(warehouse.url)
    dbname = f"motcua_bi_{uuid.uuid4().hex[:8]}"
    url = PostgresTarget(base.host, base.port, base.user, base.password, dbname).libpq_url()
    bootstrap(url)
    with psycopg.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("create table audit.dim_units (unit_code text, unit_level text, parent_unit_code text)")
        cur.executemany("insert into audit.dim_units values (%s, %s, %s)", UNITS)
        cur.execute(
            "create table audit.bridge_unit_succession (old_unit_code text, old_unit_level text, new_unit_code text)"
        )
        cur.executemany("insert into audit.bridge_unit_succession values (%s, %s, %s)", SUCCESSION)
        cur.execute(f"create table audit.{PROBE.mart} (unit_code text, received int)")
        cur.executemany(f"insert into audit.{PROBE.mart} values (%s, %s)", list(ROWS.items()))
        conn.execute(f"create table audit.{CATALOGUE.mart} as select '1.000001'::text as procedure_code")
        for schema in ("staging", "intermediate"):
            conn.execute(f"create table {schema}.reader_probe as select 1 as n")
        units = PublishedView(
            "units", "dim_units", "Units.", (("unit_code", "u"),), suite="reader_probe", unit_column="unit_code"
        )
        bridge = PublishedView("unit_succession", "bridge_unit_succession", "Bridge.", (("old_unit_code", "u"),))
        views = [units, bridge, PROBE, CATALOGUE]
        record_outcomes(
            conn, "manual__bi", [SuiteOutcome("reader_probe", v.relation, True, evaluated=1, failed=0) for v in views]
        )
        publish(conn, "manual__bi", views)
    logins: list[str] = []
    yield url, base, dbname, logins
    admin = PostgresTarget(base.host, base.port, base.user, base.password, "postgres").libpq_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"drop database if exists {dbname} with (force)")
        for login in logins:
            conn.execute(f'drop role if exists "{login}"')


def _login(bi_warehouse, monkeypatch, units: str | None) -> str:
    """Create a login with the command a provincial admin runs; returns its connection URL."""
    url, base, dbname, logins = bi_warehouse
    login, password = f"bi_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    logins.append(login)
    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", url)
    monkeypatch.setenv("MOTCUA_BI_PASSWORD", password)
    assert main(["bi-login", "create", login, *(["--units", units] if units else [])]) == 0
    return PostgresTarget(base.host, base.port, login, password, dbname).libpq_url()


def _sees(reader_url: str) -> dict[str, int]:
    with psycopg.connect(reader_url) as conn:
        return dict(conn.execute("select unit_code, received from published.reader_probe").fetchall())


def test_a_reader_reads_published_and_nothing_else(bi_warehouse, monkeypatch):
    reader = _login(bi_warehouse, monkeypatch, None)
    assert _sees(reader) == ROWS  # the province's login: every row
    with psycopg.connect(reader, autocommit=True) as conn:
        assert conn.execute("select count(*) from published.reader_catalogue_probe").fetchone() == (1,)
        for relation in (
            "raw.batch_ledger",
            "audit.fct_reader_probe",
            "validated.fct_reader_probe",
            "ops.reader_scopes",
            "staging.reader_probe",
            "intermediate.reader_probe",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select * from {relation}")


def test_a_commune_login_sees_its_commune_and_the_old_communes_merged_into_it(bi_warehouse, monkeypatch):
    commune = _login(bi_warehouse, monkeypatch, "C1")
    # Not its district's roll-up, not its neighbour, not the abolished district's desk.
    assert _sees(commune) == {"C1": 5, "O1": 13}
    with psycopg.connect(commune) as conn:
        assert conn.execute("select count(*) from published.reader_catalogue_probe").fetchone() == (1,)
        assert conn.execute("select count(*) from published.reader_probe where unit_code = 'X9'").fetchone() == (0,)
        # A function of the reader's that prints what it is given cannot see the hidden rows: the
        # reader cannot create one, and the view is a security barrier anyway.
        (options,) = conn.execute(
            "select reloptions from pg_class where oid = 'published.reader_probe'::regclass"
        ).fetchone()
        assert "security_barrier=true" in options
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("create function public.leak(text) returns boolean language sql as 'select true'")


def test_a_district_login_sees_its_communes_and_two_units_add_up(bi_warehouse, monkeypatch):
    assert _sees(_login(bi_warehouse, monkeypatch, "D1")) == {"D1": 3, "C1": 5, "C2": 7, "O1": 13}
    assert _sees(_login(bi_warehouse, monkeypatch, "C2,X9")) == {"C2": 7, "X9": 11}


def test_the_command_refuses_an_unknown_unit_and_a_missing_password(bi_warehouse, monkeypatch, capsys):
    url, *_ = bi_warehouse
    monkeypatch.setenv("MOTCUA_WAREHOUSE_URL", url)
    monkeypatch.setenv("MOTCUA_BI_PASSWORD", "x")
    assert main(["bi-login", "create", "bi_nobody", "--units", "C1,Z404"]) == 2
    assert "unknown unit code(s): Z404" in capsys.readouterr().err
    monkeypatch.delenv("MOTCUA_BI_PASSWORD")
    assert main(["bi-login", "create", "bi_nobody"]) == 2
    assert "MOTCUA_BI_PASSWORD" in capsys.readouterr().err
    with psycopg.connect(url) as conn:
        assert conn.execute("select count(*) from pg_roles where rolname = 'bi_nobody'").fetchone() == (0,)
    assert main(["bi-login", "list"]) == 0
    assert "C2, X9" in capsys.readouterr().out
