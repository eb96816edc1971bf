"""BI logins: PostgreSQL roles that read the ``published`` schema and nothing else, optionally
scoped to units.

A login is a member of ``motcua_reader`` (usage on ``published`` only). A login scoped to units
(a district or commune leader) has rows in ``ops.reader_scopes``; every published view with a
unit column filters on them (``publish._define_view``): the login sees its units, the units
below them and, for a 2025 commune, the old communes merged into it. A login without a scope
sees the whole province. Roles belong to the PostgreSQL cluster, scopes to this warehouse.

Row-level security policies on the ``validated`` tables would not do: the published views read
them with their owner's rights, and an owner that is a superuser (the embedded default, most
development servers) bypasses every policy. The filter lives in the views instead, behind a
security barrier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from motcua.config import ConfigError
from motcua.publishing.publish import READER_ROLE

#: A login name PostgreSQL keeps as written (no quoting needed in psql or a BI tool's form).
LOGIN_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class ReaderLogin:
    login: str
    units: tuple[str, ...]  # empty: every unit
    granted_at: datetime | None


def create_login(conn: psycopg.Connection, login: str, password: str, units: list[str]) -> ReaderLogin:
    """Create the login (or reset its password and scope) as a member of the reader role only."""
    if not LOGIN_NAME.match(login):
        raise ConfigError(f"{login!r} is not a login name: lower-case letters, digits and _, at most 63.")
    if not password:
        raise ConfigError("a BI login needs a password: set MOTCUA_BI_PASSWORD.")
    unknown = _unknown_units(conn, units)
    if unknown:
        raise ConfigError(
            f"unknown unit code(s): {', '.join(unknown)} (not in published.units; "
            "a new warehouse knows its units after its first motcua_reference run)."
        )
    role = conn.execute(
        "select rolsuper or rolcreaterole or rolcreatedb or rolbypassrls from pg_roles where rolname = %s", (login,)
    ).fetchone()
    if role is not None and role[0]:
        raise ConfigError(f"{login} is a privileged role, not a BI login; choose another name.")
    if role is None:
        conn.execute(sql.SQL("create role {} login password {}").format(sql.Identifier(login), sql.Literal(password)))
    else:
        conn.execute(sql.SQL("alter role {} login password {}").format(sql.Identifier(login), sql.Literal(password)))
    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(READER_ROLE), sql.Identifier(login)))
    conn.execute("delete from ops.reader_scopes where login = %s", (login,))
    for code in sorted(set(units)):
        conn.execute("insert into ops.reader_scopes (login, unit_code) values (%s, %s)", (login, code))
    conn.commit()
    return next(r for r in list_logins(conn) if r.login == login)


def drop_login(conn: psycopg.Connection, login: str) -> bool:
    """Remove a BI login and its scope; False when there was no such login."""
    members = {r.login for r in list_logins(conn)}
    if login not in members:
        return False
    conn.execute("delete from ops.reader_scopes where login = %s", (login,))
    conn.execute(sql.SQL("drop role {}").format(sql.Identifier(login)))
    conn.commit()
    return True


def list_logins(conn: psycopg.Connection) -> list[ReaderLogin]:
    """Every login that is a member of the reader role, with its units (none: every unit)."""
    rows = conn.execute(
        """select r.rolname, coalesce(array_agg(s.unit_code order by s.unit_code)
                                       filter (where s.unit_code is not null), '{}'), min(s.granted_at)
           from pg_roles r
           join pg_auth_members m on m.member = r.oid
           join pg_roles g on g.oid = m.roleid and g.rolname = %s
           left join ops.reader_scopes s on s.login = r.rolname
           where r.rolcanlogin
           group by r.rolname order by r.rolname""",
        (READER_ROLE,),
    ).fetchall()
    return [ReaderLogin(login, tuple(units), granted) for login, units, granted in rows]


def _unknown_units(conn: psycopg.Connection, units: list[str]) -> list[str]:
    """The codes not in the published unit dimension (every code, before the first publish)."""
    if not units:
        return []
    if conn.execute("select to_regclass('validated.dim_units')").fetchone()[0] is None:
        return sorted(set(units))
    known = conn.execute(
        "select array_agg(distinct unit_code) from validated.dim_units where unit_code = any(%s)", (units,)
    ).fetchone()[0]
    known = set(known or [])
    return sorted(set(units) - known)
