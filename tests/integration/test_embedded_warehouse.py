"""The embedded PostgreSQL: starts as root or not, never assumes a fixed port, reuses its data."""

from __future__ import annotations

import socket

import psycopg

from motcua.config import PostgresTarget
from motcua.warehouse.embedded import EmbeddedPostgres


def test_start_stop_reuses_data_and_avoids_a_busy_port(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    first = PostgresTarget.from_url(server.start())
    try:
        with psycopg.connect(first.libpq_url(), autocommit=True) as conn:
            conn.execute("create table kept (n int)")
            conn.execute("insert into kept values (42)")
    finally:
        assert server.stop() is True
    assert server.running_port() is None

    # Somebody else now holds the port the server used last time.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", first.port))
        squatter.listen(1)
        second = PostgresTarget.from_url(server.start())
        try:
            assert second.port != first.port
            with psycopg.connect(second.libpq_url()) as conn:
                assert conn.execute("select n from kept").fetchone() == (42,)
            # A second start while running reuses the running server.
            assert PostgresTarget.from_url(server.start()).port == second.port
        finally:
            server.stop()


def test_tcp_connections_need_the_password(tmp_path):
    server = EmbeddedPostgres(tmp_path)
    target = PostgresTarget.from_url(server.start())
    try:
        wrong = PostgresTarget(target.host, target.port, target.user, "wrong", target.dbname)
        try:
            psycopg.connect(wrong.libpq_url(), connect_timeout=5).close()
        except psycopg.OperationalError as err:
            assert "password authentication failed" in str(err)
        else:
            raise AssertionError("a wrong password was accepted")
    finally:
        server.stop()
