"""Versioned SQL migrations for the store's schema `store`.

Every `NNNN_name.sql` in `tools/store/migrations/` is one migration, applied in version order, each in
its own transaction, and recorded in `store.schema_migrations(version, name, checksum, applied_at)`.
Concurrent runners are serialised with a transaction-level advisory lock, taken again for every
migration (so the check "already applied?" and the apply happen under the same lock). A file whose
content changed after it was applied is refused: add a new migration instead of editing an old one.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import psycopg.errors
from psycopg.rows import dict_row

from switchboard.config.errors import SwitchboardError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SCHEMA = "store"
# pg_advisory_xact_lock key shared by migrations and resets ("SBSTORE" + 1).
MIGRATION_LOCK_KEY = 0x5342_5354_4F52_0001
_FILE_RE = re.compile(r"^(\d{4})_([a-z0-9][a-z0-9_]*)\.sql$")

_BOOTSTRAP = """
CREATE SCHEMA IF NOT EXISTS store;
CREATE TABLE IF NOT EXISTS store.schema_migrations (
    version     integer PRIMARY KEY CHECK (version > 0),
    name        text NOT NULL UNIQUE,
    checksum    text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
    applied_at  timestamptz NOT NULL DEFAULT now()
);
"""


class MigrationError(SwitchboardError):
    """The migration files and the database disagree (edited, renamed or missing migrations)."""

    http_status = 500


@dataclass(frozen=True)
class Migration:
    version: int
    name: str  # "0001_store", the file name without ".sql"
    path: Path
    sql: str
    checksum: str  # sha256 of the file's text with normalised line endings


def discover(directory: Path | None = None) -> list[Migration]:
    """The migration files, in version order. Raises MigrationError on a misnamed or duplicate file."""
    directory = directory or MIGRATIONS_DIR
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_RE.match(path.name)
        if match is None:
            raise MigrationError(
                f"migration file {path.name} is misnamed: expected NNNN_name.sql (4 digits, lowercase name)"
            )
        version = int(match.group(1))
        if version == 0:
            raise MigrationError(f"migration file {path.name}: versions start at 0001")
        if version in found:
            raise MigrationError(
                f"two migration files have version {version:04d}: {found[version].path.name} and {path.name}"
            )
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        checksum = hashlib.sha256(text.encode("utf-8")).hexdigest()
        found[version] = Migration(version, path.stem, path, text, checksum)
    return [found[v] for v in sorted(found)]


def _lock(conn: psycopg.Connection[Any]) -> None:
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))


def _rows(conn: psycopg.Connection[Any], query: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def _table_exists(conn: psycopg.Connection[Any]) -> bool:
    return bool(
        _rows(conn, "SELECT to_regclass('store.schema_migrations') IS NOT NULL AS present")[0]["present"]
    )


def applied_migrations(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Rows of store.schema_migrations in version order ([] when the store was never migrated)."""
    if not _table_exists(conn):
        return []
    return _rows(
        conn, "SELECT version, name, checksum, applied_at FROM store.schema_migrations ORDER BY version"
    )


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The highest applied migration version; 0 when none."""
    if not _table_exists(conn):
        return 0
    return int(_rows(conn, "SELECT coalesce(max(version), 0) AS v FROM store.schema_migrations")[0]["v"])


def _verify(applied: list[dict[str, Any]], migrations: list[Migration]) -> None:
    by_version = {m.version: m for m in migrations}
    for row in applied:
        version, name = int(row["version"]), str(row["name"])
        migration = by_version.get(version)
        if migration is None:
            raise MigrationError(
                f"the database has migration {name} applied but this code has no file for it: "
                "update the code, or reset the store (switchboard db reset)"
            )
        if migration.name != name:
            raise MigrationError(
                f"migration {version:04d} was applied as {name} but the file is now {migration.path.name}: "
                "never rename an applied migration"
            )
        if migration.checksum != row["checksum"]:
            raise MigrationError(
                f"migration file {migration.path.name} changed after it was applied (checksum mismatch): "
                "restore it and add a new migration instead"
            )


def pending_migrations(conn: psycopg.Connection[Any], directory: Path | None = None) -> list[str]:
    """Names of migration files not applied yet (after checking the applied ones are unchanged)."""
    migrations = discover(directory)
    applied = applied_migrations(conn)
    _verify(applied, migrations)
    done = {int(r["version"]) for r in applied}
    return [m.name for m in migrations if m.version not in done]


def apply_migrations(conn: psycopg.Connection[Any], directory: Path | None = None) -> list[str]:
    """Apply every pending migration in order; returns the names applied by this call.

    Idempotent: a second run applies nothing and changes nothing. Safe to run concurrently from
    several processes. Raises MigrationError when an applied migration's file was changed.
    """
    migrations = discover(directory)
    with conn.transaction():
        _lock(conn)
        conn.execute(_BOOTSTRAP)
        _verify(applied_migrations(conn), migrations)
    applied_now: list[str] = []
    for migration in migrations:
        with conn.transaction():
            _lock(conn)
            rows = _rows(
                conn,
                "SELECT version, name, checksum FROM store.schema_migrations WHERE version = %s",
                (migration.version,),
            )
            if rows:  # applied before, or meanwhile by a concurrent runner
                _verify(rows, migrations)
                continue
            try:
                conn.execute(migration.sql.encode("utf-8"))
            except psycopg.Error as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise MigrationError(f"migration {migration.path.name} failed: {first}") from exc
            conn.execute(
                "INSERT INTO store.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                (migration.version, migration.name, migration.checksum),
            )
        applied_now.append(migration.name)
    return applied_now


def missing_schema_object(exc: BaseException) -> BaseException | None:
    """The database error behind `exc` (its cause chain) that names a table, schema, column, function
    or type the store does not have, i.e. a store older than the code; None when it is something else."""
    missing = (
        psycopg.errors.UndefinedTable,
        psycopg.errors.InvalidSchemaName,
        psycopg.errors.UndefinedColumn,
        psycopg.errors.UndefinedFunction,
        psycopg.errors.UndefinedObject,
    )
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, missing):
        cause = cause.__cause__ or cause.__context__
    return cause
