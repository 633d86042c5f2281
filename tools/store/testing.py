"""Helpers for tests: a throw-away database on the same server as the configured one.

Tests that reset or re-seed the store use one, so the session's shared (seeded) database is never
disturbed by them.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row, tuple_row

from switchboard.config.database import connect, database_target


@contextmanager
def scratch_database(prefix: str = "sbscratch") -> Iterator[str]:
    """Create an empty database next to the configured one; yield its URL; drop it afterwards.

    The server is the one configured when entering (later changes of the settings do not matter).
    """
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server_url = database_target().url
    url = make_conninfo(server_url, dbname=name)
    try:
        yield url
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def open_url(url: str) -> psycopg.Connection[Any]:
    """A connection like `config.database.connect()` (autocommit, dict rows) to an explicit URL."""
    return psycopg.Connection.connect(url, autocommit=True, row_factory=dict_row)


def table_digests(
    conn: psycopg.Connection[Any],
    exclude: tuple[str, ...] = ("schema_migrations", "seed_info"),
) -> dict[str, str]:
    """sha256 of every store table's rows (text form, ordered by primary key), by table name."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute("""
            SELECT c.relname AS table_name,
                   (SELECT array_agg(a.attname::text ORDER BY k.ord)
                    FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS pk
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'store'
            LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
            WHERE c.relkind = 'r' ORDER BY c.relname""")
        tables = [(r["table_name"], r["pk"]) for r in cur.fetchall() if r["table_name"] not in exclude]
        digests = {}
        for table, pk in tables:
            order = sql.SQL(", ").join(sql.Identifier(col) for col in pk) if pk else sql.SQL("t::text")
            cur.execute(
                sql.SQL("SELECT t::text AS row FROM store.{} t ORDER BY {}").format(
                    sql.Identifier(table), order
                )
            )
            h = hashlib.sha256()
            for row in cur:
                h.update(row["row"].encode("utf-8") + b"\n")
            digests[table] = h.hexdigest()
        return digests


def catalog_snapshot(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    """The store schema's shape (tables, columns, constraints, indexes, functions), for comparisons."""
    with conn.cursor(row_factory=tuple_row) as cur:
        cur.execute("""
            SELECT 'column', table_name, column_name || ' ' || data_type || ' ' || is_nullable || ' '
                   || coalesce(column_default, '')
            FROM information_schema.columns WHERE table_schema = 'store'
            UNION ALL
            SELECT 'constraint', conrelid::regclass::text, conname || ' ' || pg_get_constraintdef(oid)
            FROM pg_constraint WHERE connamespace = 'store'::regnamespace
            UNION ALL
            SELECT 'index', tablename, indexdef FROM pg_indexes WHERE schemaname = 'store'
            UNION ALL
            SELECT 'function', p.proname, pg_get_functiondef(p.oid)
            FROM pg_proc p WHERE p.pronamespace = 'store'::regnamespace
            ORDER BY 1, 2, 3""")
        return [tuple(row) for row in cur.fetchall()]
