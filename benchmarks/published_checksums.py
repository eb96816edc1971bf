"""Fingerprint every published view, to prove that a refactoring left the warehouse unchanged.

    .venv/bin/python benchmarks/published_checksums.py URL [--columns] [--comments] [--schema audit]
        [--exclude extracted_at,load_seq]

Prints one line per view in the ``published`` schema (or per table and view of ``--schema``):
name, row count, and the md5 of its rows as text, sorted (code point order, so the locale does
not matter). Columns whose value is the time of the run (``last_extracted_at``: when the rows
were extracted) are left out, so two runs of the same demo give the same figures; ``--exclude``
leaves out more (the other schemas keep extraction times and load sequences). ``--columns``
adds the column list (names in order) of each view; ``--comments`` prints the view and column
comments that BI tools show instead, one per line. Compare two runs with ``diff``.
"""

from __future__ import annotations

import argparse
import hashlib

import psycopg
from psycopg import sql

#: Columns that differ between two runs of the same data by nature.
RUN_TIME_COLUMNS = frozenset({"last_extracted_at"})


def relation_columns(conn: psycopg.Connection, schema: str, name: str) -> list[str]:
    rows = conn.execute(
        "select column_name from information_schema.columns"
        " where table_schema = %s and table_name = %s order by ordinal_position",
        (schema, name),
    ).fetchall()
    return [column for (column,) in rows]


def fingerprint(
    conn: psycopg.Connection, schema: str, name: str, columns: list[str], excluded: frozenset[str] = RUN_TIME_COLUMNS
) -> tuple[int, str]:
    """Row count and md5 of the sorted row texts, the ``excluded`` columns left out."""
    kept = [c for c in columns if c not in excluded]
    query = sql.SQL("select row({cols})::text from {relation}").format(
        cols=sql.SQL(", ").join(sql.Identifier(c) for c in kept),
        relation=sql.Identifier(schema, name),
    )
    texts = sorted(text for (text,) in conn.execute(query).fetchall())
    return len(texts), hashlib.md5("\n".join(texts).encode("utf-8")).hexdigest()


def comments(conn: psycopg.Connection, schema: str, name: str) -> list[str]:
    """The relation's comment and its columns' comments, one line each."""
    relation = f"{schema}.{name}"
    (comment,) = conn.execute("select obj_description(%s::regclass, 'pg_class')", (relation,)).fetchone()
    lines = [f"{name}: {comment}"]
    for column, text in conn.execute(
        "select attname, col_description(attrelid, attnum) from pg_attribute"
        " where attrelid = %s::regclass and attnum > 0 and not attisdropped order by attnum",
        (relation,),
    ).fetchall():
        lines.append(f"{name}.{column}: {text}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", help="warehouse URL (motcua warehouse url)")
    parser.add_argument("--schema", default="published", help="schema to fingerprint (default: published)")
    parser.add_argument("--columns", action="store_true", help="also print each relation's columns")
    parser.add_argument("--comments", action="store_true", help="print the comments BI tools show instead")
    parser.add_argument("--exclude", default="", help="more columns to leave out, comma-separated")
    args = parser.parse_args()
    with psycopg.connect(args.url) as conn:
        names = [
            name
            for (name,) in conn.execute(
                "select table_name from information_schema.tables where table_schema = %s order by table_name",
                (args.schema,),
            ).fetchall()
        ]
        for name in names:
            if args.comments:
                print("\n".join(comments(conn, args.schema, name)))
                continue
            columns = relation_columns(conn, args.schema, name)
            excluded = RUN_TIME_COLUMNS | {c.strip() for c in args.exclude.split(",") if c.strip()}
            count, digest = fingerprint(conn, args.schema, name, columns, excluded)
            print(f"{name:36} {count:8d} {digest}")
            if args.columns:
                print(f"    columns: {', '.join(columns)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
