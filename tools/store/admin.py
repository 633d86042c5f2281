"""Store administration: status (schema version, migrations, row counts) and reset."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from switchboard.tools.store.migrate import (
    MIGRATION_LOCK_KEY,
    MigrationError,
    applied_migrations,
    apply_migrations,
    pending_migrations,
)
from switchboard.tools.store.seed import is_seeded, seed_info


def row_counts(conn: psycopg.Connection[Any]) -> dict[str, int]:
    """Exact row count of every table in schema `store` (but schema_migrations), by table name."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'store' AND tablename <> 'schema_migrations'"
            " ORDER BY tablename"
        )
        tables = [str(r["tablename"]) for r in cur.fetchall()]
        if not tables:
            return {}
        query = sql.SQL(" UNION ALL ").join(
            sql.SQL("SELECT {name} AS t, count(*) AS n FROM store.{table}").format(
                name=sql.Literal(t), table=sql.Identifier(t)
            )
            for t in tables
        )
        cur.execute(query)
        counts = {str(r["t"]): int(r["n"]) for r in cur.fetchall()}
    return {t: counts[t] for t in tables}


def store_status(conn: psycopg.Connection[Any], directory: Path | None = None) -> dict[str, Any]:
    """Schema version, applied and pending migrations, row counts per table, and the seed (if any).

    A disagreement between migration files and the database (an applied file edited, say) is reported
    in `migration_error` rather than raised: status is what one runs to find out what is wrong.
    """
    applied = applied_migrations(conn)
    info = seed_info(conn)
    try:
        pending, problem = pending_migrations(conn, directory), None
    except MigrationError as exc:
        pending, problem = [], str(exc)
    return {
        "schema_version": max((int(r["version"]) for r in applied), default=0),
        "migrations": [str(r["name"]) for r in applied],
        "pending_migrations": pending,
        "migration_error": problem,
        "row_counts": row_counts(conn),
        "seeded": is_seeded(conn),
        "seed": None
        if info is None
        else {
            "seed": info["seed"],
            "customers": info["customers"],
            "reference_now": info["reference_now"].isoformat(),
            "generator": info["generator"],
            "seeded_at": info["seeded_at"].isoformat(),
        },
    }


def reset_store(conn: psycopg.Connection[Any]) -> list[str]:
    """Drop schemas `store` (all store data) and `queue` (its task queue) and re-apply every migration:
    an empty store.

    Atomic: one transaction, under the migration lock. Returns the migrations applied. LangGraph's
    checkpoint tables (schema `public`) are not touched.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
        conn.execute("DROP SCHEMA IF EXISTS store CASCADE")
        conn.execute("DROP SCHEMA IF EXISTS queue CASCADE")
        return apply_migrations(conn)
