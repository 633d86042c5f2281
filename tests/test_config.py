"""Settings, the connection factory (both Postgres modes) and the checkpointer factories."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from psycopg.rows import dict_row

from switchboard.config.checkpointer import async_checkpointer, sync_checkpointer
from switchboard.config.database import (
    async_pool,
    check_connection,
    connect,
    connection_kwargs,
    database_target,
    sync_pool,
    validate_database_url,
)
from switchboard.config.errors import ConfigurationError
from switchboard.config.settings import Settings, get_settings, project_root

# ---------------------------------------------------------------- settings


def test_settings_read_environment_and_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".env").write_text("ROUTE_DECIDER=openai:gpt-4o-mini\nDB_POOL_MAX_SIZE=3\nLOG_LEVEL=info\n")
    monkeypatch.setenv("SWITCHBOARD_HOME", str(tmp_path))
    monkeypatch.setenv("DB_POOL_MAX_SIZE", "7")  # the environment wins over .env
    monkeypatch.setenv("DB_PREPARE_THRESHOLD", "none")
    settings = Settings()
    assert settings.route_decider == "openai:gpt-4o-mini"
    assert settings.db_pool_max_size == 7
    assert settings.log_level == "INFO"
    assert settings.db_prepare_threshold is None  # a transaction-mode pooler needs it off


def test_project_root_is_the_checkout_whatever_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = Path(__file__).resolve().parent.parent
    monkeypatch.delenv("SWITCHBOARD_HOME", raising=False)
    monkeypatch.chdir(checkout / "notebooks")  # where a notebook's kernel starts
    assert project_root() == checkout
    monkeypatch.delenv("DATA_DIR", raising=False)
    assert Settings().data_dir == checkout / ".data"


def test_dotenv_is_read_from_the_project_root_not_the_working_directory(tmp_path: Path) -> None:
    """A subprocess started in another folder (as a notebook kernel in notebooks/) reads the root's .env;
    a `.env` in the working directory is ignored."""
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / ".env").write_text("HISTORY_WINDOW=3\n")
    (elsewhere / ".env").write_text("HISTORY_WINDOW=9\n")
    env = {k: v for k, v in os.environ.items() if k != "HISTORY_WINDOW"}
    script = "from switchboard.config.settings import get_settings; print(get_settings().history_window)"
    for extra, expected in (({"SWITCHBOARD_HOME": str(home)}, "3"), ({}, None)):
        proc = subprocess.run(
            [sys.executable, "-c", script],
            env={k: v for k, v in env.items() if k != "SWITCHBOARD_HOME"} | extra,
            cwd=elsewhere,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        if expected is None:  # the checkout's own .env (if any) or the default, never the cwd's
            assert proc.stdout.strip() != "9", proc.stdout
        else:
            assert proc.stdout.strip() == expected, (extra, proc.stdout)


def test_env_example_documents_every_setting() -> None:
    text = (Path(__file__).resolve().parent.parent / ".env.example").read_text()
    for name in Settings.model_fields:
        assert name.upper() in text, f"{name.upper()} is missing from .env.example"


def test_invalid_setting_is_one_line_naming_it() -> None:
    env = {**os.environ, "DB_POOL_MAX_SIZE": "lots"}
    proc = subprocess.run(
        [sys.executable, "-m", "switchboard", "db", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "DB_POOL_MAX_SIZE" in lines[0]
    assert "Traceback" not in proc.stderr


# ---------------------------------------------------------------- DATABASE_URL validation


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("mysql://root@localhost/db", "scheme 'mysql://'"),
        ("notaurl", "not a URL"),
        ("postgresql://u@h:notaport/db", "port"),
    ],
)
def test_malformed_database_url_names_the_setting(url: str, fragment: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        validate_database_url(url)
    assert "DATABASE_URL" in str(info.value)
    assert fragment in str(info.value)


def test_unreachable_server_is_one_clear_error() -> None:
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:1/nothing", db_connect_timeout=2)
    with pytest.raises(ConfigurationError) as info:
        check_connection(settings)
    message = str(info.value)
    assert message.startswith("DATABASE_URL: cannot connect to external postgresql")
    assert "\n" not in message and "127.0.0.1:1" in message


# ---------------------------------------------------------------- the connection factory, both ways


def test_connection_options_are_what_the_checkpointer_needs(any_db: str) -> None:
    kwargs = connection_kwargs()
    assert kwargs["autocommit"] is True and kwargs["row_factory"] is dict_row
    with connect() as conn:
        assert conn.autocommit
        row = conn.execute("select current_setting('server_version_num')::int as v").fetchone()
        assert row is not None and row["v"] >= 140000
    target = database_target()
    assert target.embedded is (any_db == "embedded")
    assert ("embedded" if target.embedded else "external") in target.display
    assert "password" not in target.display


def test_sync_pool_serves_concurrent_connections(any_db: str) -> None:
    with sync_pool() as pool:
        with pool.connection() as a, pool.connection() as b:
            pid_a = a.execute("select pg_backend_pid() as p").fetchone()
            pid_b = b.execute("select pg_backend_pid() as p").fetchone()
        assert pid_a != pid_b
    assert pool.closed


async def test_async_pool_and_checkpointer(any_db: str) -> None:
    async with async_pool() as pool, pool.connection() as conn:
        cur = await conn.execute("select 1 as one")
        assert (await cur.fetchone()) == {"one": 1}
    async with async_checkpointer() as saver:
        config = {"configurable": {"thread_id": f"cfg-test-{any_db}", "checkpoint_ns": ""}}
        assert await saver.aget_tuple(config) is None  # tables exist, thread does not


def test_checkpointer_setup_is_idempotent(any_db: str) -> None:
    with sync_checkpointer():
        pass
    with connect() as conn:
        before = conn.execute("select count(*) as n from checkpoint_migrations").fetchone()
    from switchboard.config import checkpointer

    checkpointer._set_up.clear()  # as a new process would
    with sync_checkpointer():
        pass
    with connect() as conn:
        after = conn.execute("select count(*) as n from checkpoint_migrations").fetchone()
    assert before == after


def test_embedded_server_is_reused_across_processes(embedded_env: dict[str, str]) -> None:
    """A row written by one process is read by the next: the data folder persists between runs."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | embedded_env
    code = (
        "from config.database import connect\n"
        "with connect() as c:\n"
        "    c.execute('create table if not exists reuse_probe (n int)')\n"
        "    c.execute('insert into reuse_probe values (42)')\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    read = "from config.database import connect\nwith connect() as c: print(c.execute('select sum(n) s from reuse_probe').fetchone()['s'])"
    out = subprocess.run(
        [sys.executable, "-c", read], env=env, check=True, capture_output=True, text=True, timeout=120
    )
    assert out.stdout.strip() == "42"
    get_settings.cache_clear()


async def test_checkpoint_loads_match_the_stock_saver_and_probe_by_primary_key(app) -> None:  # type: ignore[no-untyped-def]
    """The checkpointer's faster load returns exactly what LangGraph's stock query returns."""
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    from switchboard.config.checkpointer import SwitchboardAsyncPostgresSaver

    assert SwitchboardAsyncPostgresSaver.SELECT_SQL != AsyncPostgresSaver.SELECT_SQL
    customer = "CUST-0184"
    first = await app.ask("where is my parcel?", customer_id=customer)
    await app.ask("and can I get the invoice?", customer_id=customer, thread_id=first.thread_id)
    stock = AsyncPostgresSaver(app.pool)
    config = {"configurable": {"thread_id": first.thread_id, "checkpoint_ns": ""}}
    ours = [t async for t in app.checkpointer.alist(config)]
    theirs = [t async for t in stock.alist(config)]
    assert len(ours) == len(theirs) > 5
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.checkpoint == other.checkpoint
        assert mine.pending_writes == other.pending_writes
    async with app.pool.connection() as conn:
        cur = await conn.execute(
            "explain "
            + SwitchboardAsyncPostgresSaver.SELECT_SQL
            + " where thread_id = %s and checkpoint_ns = ''",
            (first.thread_id,),
        )
        plan = "\n".join(r["QUERY PLAN"] for r in await cur.fetchall())
    assert "Hash Join" not in plan and "channel = cv.key" in plan


def test_watchdog_reads_a_torn_list_of_users_as_unknown_not_as_nobody(tmp_path: Path) -> None:
    """The package rewrites its list in place (truncate, write): a look in between must not stop the server."""
    from switchboard.config.embedded import _users

    users = tmp_path / ".handle_pids.json"
    for text, expected in (
        ("", None),
        ("[12, 3", None),
        ('{"a": 1}', None),
        ("[]", []),
        ("[12, 3]", [12, 3]),
    ):
        users.write_text(text)
        assert _users(tmp_path)[1] == expected, text
    users.unlink()
    assert _users(tmp_path)[1] is None


async def test_checkpoint_writes_are_the_stock_savers_rows(any_db: str) -> None:
    """The saver's one-statement writes (blobs, pending writes) store exactly the rows LangGraph's
    stock saver stores for the same checkpoint and writes, both write paths (insert and upsert)."""
    import uuid

    from langgraph.checkpoint.base import empty_checkpoint
    from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

    from switchboard.config.checkpointer import SwitchboardAsyncPostgresSaver

    async with async_checkpointer() as ours:
        assert isinstance(ours, SwitchboardAsyncPostgresSaver)
        stock = AsyncPostgresSaver(ours.conn)
        threads = {}
        checkpoint = empty_checkpoint()
        checkpoint["id"] = "1ef00000-0000-6000-8000-000000000001"
        values = {"messages": ["hello", {"role": "ai"}], "count": 3, "memory": {"a": [1, 2]}, "none": None}
        checkpoint["channel_values"] = values
        versions = {k: f"00000000000{i}.0000abcd" for i, k in enumerate(values, 1)}
        checkpoint["channel_versions"] = versions
        for name, saver in (("ours", ours), ("stock", stock)):
            thread_id = f"writes-{name}-{uuid.uuid4().hex[:8]}"
            threads[name] = thread_id
            config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": "inner:1"}}
            saved = await saver.aput(config, checkpoint, {"source": "loop", "step": 1}, versions)
            await saver.aput_writes(saved, [("messages", ["x"]), ("count", 4), ("memory", None)], "task-a")
            await saver.aput_writes(saved, [("__error__", "boom"), ("__interrupt__", [1])], "task-b", "p")
            await saver.aput_writes(saved, [("__error__", "again")], "task-b", "p")  # the upsert path

        async def rows(table: str, thread_id: str) -> list[dict[str, object]]:
            async with ours.conn.connection() as conn:  # type: ignore[union-attr]
                cur = await conn.execute(
                    f"select * from {table} where thread_id = %s order by 2, 3, 4, 5", (thread_id,)
                )
                return [{k: v for k, v in r.items() if k != "thread_id"} for r in await cur.fetchall()]

        for table in ("checkpoint_blobs", "checkpoint_writes", "checkpoints"):
            mine, theirs = await rows(table, threads["ours"]), await rows(table, threads["stock"])
            assert mine == theirs and mine, table
        assert len(await rows("checkpoint_blobs", threads["ours"])) == 2  # messages and memory
        assert len(await rows("checkpoint_writes", threads["ours"])) == 5


def test_channel_versions_are_short_ordered_as_text_and_newer_than_older_formats() -> None:
    from switchboard.config.checkpointer import compact_version

    versions, current = [], None
    for _ in range(5000):
        current = compact_version(current)
        versions.append(current)
    assert versions == sorted(versions) and {len(v) for v in versions} == {11}
    assert len({v.split(".")[1] for v in versions}) == len(versions)  # the random part tells forks apart
    # Threads written before: our 12-digit versions and the stock saver's 32 digits are read as decimal,
    # and the next version sorts after them, so a node still sees the channel as updated.
    for older in ("000000000012.0000abcd", "00000000000000000000000000000012.0.42"):
        following = compact_version(older)
        assert following > older and following.split(".")[0] == compact_version(12).split(".")[0]


async def test_a_domains_checkpoints_keep_langgraphs_metadata_and_the_routers_the_runs(
    app, scenarios
) -> None:  # type: ignore[no-untyped-def]
    """The run's ids (run, request, customer, surface) are on the router's checkpoints, where every reader
    looks for them; a domain's checkpoints keep LangGraph's own metadata, `parents` among it."""
    customer = str(scenarios["late_parcel"]["customer_id"])
    result = await app.ask("where is my parcel?", customer_id=customer)
    async with app.pool.connection() as conn:
        cur = await conn.execute(
            "select checkpoint_ns, checkpoint_id, metadata from checkpoints where thread_id = %s",
            (result.thread_id,),
        )
        rows = list(await cur.fetchall())
    router = sorted((r for r in rows if r["checkpoint_ns"] == ""), key=lambda r: r["checkpoint_id"])
    assert router and all({"run_id", "customer_id", "step", "source"} <= set(r["metadata"]) for r in router)
    # Where the run came from is said on its input checkpoint and its first step's: explain finds it there.
    assert all({"request_id", "surface"} <= set(r["metadata"]) for r in router[:2])
    assert not any({"request_id", "surface"} & set(r["metadata"]) for r in router[2:])
    explained = await app.explain(result.thread_id)
    assert explained["runs"][0]["request_id"] == router[0]["metadata"]["request_id"]
    router_ids = {r["checkpoint_id"] for r in router}
    inner = [r for r in rows if r["checkpoint_ns"]]
    assert inner and all(set(r["metadata"]) == {"step", "source", "parents"} for r in inner)
    assert all(r["metadata"]["parents"][""] in router_ids for r in inner)
