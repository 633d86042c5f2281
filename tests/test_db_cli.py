"""`switchboard db ...` run for real, in a subprocess, against real PostgreSQL (both modes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config.database import connect
from switchboard.tools.store.migrate import discover
from switchboard.tools.store.seed import SCENARIOS, ensure_seeded
from switchboard.tools.store.testing import scratch_database
from tests.cli import ok_json, one_error_line, run_switchboard

ALL_MIGRATIONS = [m.name for m in discover()]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory: no `.env` of a developer can leak into the command."""
    return tmp_path


def test_db_help_lists_the_commands(workdir: Path) -> None:
    result = run_switchboard(["db", "--help"], workdir, env={})
    assert result.returncode == 0, result.stderr
    for command in ("init", "seed", "status", "reset", "scenarios"):
        assert command in result.stdout


def test_status_json_in_both_modes(any_db: str, request: pytest.FixtureRequest, workdir: Path) -> None:
    env = request.getfixturevalue(f"{any_db}_env")
    with connect() as conn:
        ensure_seeded(conn)
    status = ok_json(run_switchboard(["db", "status", "--json"], workdir, env=env))
    assert status["database"] == any_db
    assert status["schema_version"] == discover()[-1].version
    assert status["migrations"] == ALL_MIGRATIONS
    assert status["seeded"] is True
    assert status["row_counts"]["scenarios"] == len(SCENARIOS)
    with connect() as conn:
        for table, n in status["row_counts"].items():
            assert conn.execute(f"SELECT count(*) AS n FROM store.{table}").fetchone() == {"n": n}

    people = run_switchboard(["db", "status"], workdir, env=env)
    assert people.returncode == 0, people.stderr
    assert "schema version" in people.stdout and "customers" in people.stdout


def test_init_seed_scenarios_reset(db: str, workdir: Path) -> None:
    with scratch_database("sbcli") as url:
        env = {"DATABASE_URL": url}
        first = ok_json(run_switchboard(["db", "init", "--json"], workdir, env=env))
        assert first["applied"] == ALL_MIGRATIONS and first["checkpointer"] == "ready"
        assert first["database"] == "external"
        assert ok_json(run_switchboard(["db", "init", "--json"], workdir, env=env))["applied"] == []

        not_yet = run_switchboard(["db", "scenarios", "--json"], workdir, env=env)
        assert "not seeded" in one_error_line(not_yet) and not_yet.stdout == ""

        seeded = ok_json(run_switchboard(["db", "seed", "--customers", "40", "--json"], workdir, env=env))
        assert seeded["row_counts"]["customers"] == 40 and seeded["seed"] == 7

        again = run_switchboard(["db", "seed", "--json"], workdir, env=env)
        assert again.returncode == 2 and again.stdout == ""
        assert "--replace" in one_error_line(again)

        unconfirmed = run_switchboard(["db", "seed", "--replace", "--json"], workdir, env=env)
        assert "--yes" in one_error_line(unconfirmed)
        replaced = ok_json(
            run_switchboard(
                ["db", "seed", "--replace", "--yes", "--seed", "8", "--customers", "30", "--json"],
                workdir,
                env=env,
            )
        )
        assert replaced["replaced"] is True and replaced["row_counts"]["customers"] == 30

        scenarios = ok_json(run_switchboard(["db", "scenarios", "--json"], workdir, env=env))
        assert [s["name"] for s in scenarios] == sorted(SCENARIOS)
        for s in scenarios:
            assert s["customer_id"].startswith("CUST-") and s["order_id"].startswith("ORD-")
        table = run_switchboard(["db", "scenarios"], workdir, env=env)
        assert table.returncode == 0 and "late_parcel" in table.stdout

        status = ok_json(run_switchboard(["db", "status", "--json"], workdir, env=env))
        assert status["seeded"] is True and status["row_counts"]["customers"] == 30
        assert status["seed"]["seed"] == 8

        needs_yes = run_switchboard(["db", "reset", "--json"], workdir, env=env)
        assert "--yes" in one_error_line(needs_yes)
        piped = run_switchboard(["db", "reset"], workdir, env=env, stdin="y\n")  # no terminal: no prompt
        assert "--yes" in one_error_line(piped)
        assert ok_json(run_switchboard(["db", "status", "--json"], workdir, env=env))["seeded"] is True

        reset = ok_json(run_switchboard(["db", "reset", "--yes", "--json"], workdir, env=env))
        assert reset["reset"] is True and reset["applied"] == ALL_MIGRATIONS
        after = ok_json(run_switchboard(["db", "status", "--json"], workdir, env=env))
        assert after["seeded"] is False and set(after["row_counts"].values()) == {0}
        assert after["schema_version"] == status["schema_version"]


def test_bad_arguments_are_one_line_errors(db: str, db_env: dict[str, str], workdir: Path) -> None:
    result = run_switchboard(["db", "seed", "--customers", "3", "--json"], workdir, env=db_env)
    assert result.returncode == 2 and "customers must be between" in one_error_line(result)


BAD_URL_CASES = [
    ("notaurl", ["db", "status"]),
    ("notaurl", ["db", "seed", "--json"]),
    ("postgresql://postgres@127.0.0.1:1/x", ["db", "status", "--json"]),
    ("postgresql://postgres@127.0.0.1:1/x", ["db", "init"]),
    ("postgresql://postgres@127.0.0.1:1/x", ["db", "scenarios", "--json"]),
    ("postgresql://postgres@127.0.0.1:1/x", ["db", "reset", "--yes"]),
]


@pytest.mark.parametrize(("url", "args"), BAD_URL_CASES)
def test_a_bad_database_url_is_one_line_naming_it(url: str, args: list[str], workdir: Path) -> None:
    result = run_switchboard(args, workdir, env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert "DATABASE_URL" in one_error_line(result)
    assert result.stdout == ""


def test_commands_on_a_store_older_than_the_code_say_run_db_init(
    db: str, workdir: Path, tmp_path: Path
) -> None:
    """A store made by an earlier version (migrations up to 0005): the commands that read newer tables
    give one line naming the pending migrations, never a database traceback."""
    import shutil

    import psycopg

    from switchboard.tools.store.migrate import MIGRATIONS_DIR, apply_migrations

    old = tmp_path / "old-migrations"
    old.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql"))[:5]:
        shutil.copy(path, old / path.name)
    with scratch_database("sbold") as url:
        with psycopg.connect(url, autocommit=True) as conn:
            apply_migrations(conn, old)
        for args in (["outbox"], ["outbox", "--json"]):
            result = run_switchboard(args, workdir, env={"DATABASE_URL": url})
            line = one_error_line(result)
            assert "run `switchboard db init`" in line and "0006_task_queue" in line, line
        assert ok_json(run_switchboard(["db", "init", "--json"], workdir, env={"DATABASE_URL": url}))[
            "applied"
        ]
        assert run_switchboard(["outbox", "--json"], workdir, env={"DATABASE_URL": url}).returncode == 0
