"""`switchboard db ...` run for real, in a subprocess, against real PostgreSQL (both modes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from config.database import connect
from config.settings import PROJECT_ROOT
from tools.store.migrate import discover
from tools.store.seed import SCENARIOS, ensure_seeded
from tools.store.testing import scratch_database

ALL_MIGRATIONS = [m.name for m in discover()]


def run(args: list[str], env: dict[str, str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`python -m switchboard ARGS` with only `env` deciding the database (no inherited DATABASE_URL)."""
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    full.update(env)
    full["PYTHONPATH"] = str(PROJECT_ROOT)
    full["COLUMNS"] = "200"
    return subprocess.run(
        [sys.executable, "-m", "switchboard", *args],
        env=full,
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok_json(result: subprocess.CompletedProcess[str]) -> Any:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """An empty working directory: no `.env` of a developer can leak into the command."""
    return tmp_path


def test_db_help_lists_the_commands(workdir: Path) -> None:
    result = run(["db", "--help"], {}, workdir)
    assert result.returncode == 0, result.stderr
    for command in ("init", "seed", "status", "reset", "scenarios"):
        assert command in result.stdout


def test_status_json_in_both_modes(any_db: str, request: pytest.FixtureRequest, workdir: Path) -> None:
    env = request.getfixturevalue(f"{any_db}_env")
    with connect() as conn:
        ensure_seeded(conn)
    status = ok_json(run(["db", "status", "--json"], env, workdir))
    assert status["database"] == any_db
    assert status["schema_version"] == discover()[-1].version
    assert status["migrations"] == ALL_MIGRATIONS
    assert status["seeded"] is True
    assert status["row_counts"]["scenarios"] == len(SCENARIOS)
    with connect() as conn:
        for table, n in status["row_counts"].items():
            assert conn.execute(f"SELECT count(*) AS n FROM store.{table}").fetchone() == {"n": n}

    people = run(["db", "status"], env, workdir)
    assert people.returncode == 0, people.stderr
    assert "schema version" in people.stdout and "customers" in people.stdout


def test_init_seed_scenarios_reset(db: str, workdir: Path) -> None:
    with scratch_database("sbcli") as url:
        env = {"DATABASE_URL": url}
        first = ok_json(run(["db", "init", "--json"], env, workdir))
        assert first["applied"] == ALL_MIGRATIONS and first["checkpointer"] == "ready"
        assert first["database"] == "external"
        assert ok_json(run(["db", "init", "--json"], env, workdir))["applied"] == []

        not_yet = run(["db", "scenarios", "--json"], env, workdir)
        assert "not seeded" in one_error_line(not_yet) and not_yet.stdout == ""

        seeded = ok_json(run(["db", "seed", "--customers", "40", "--json"], env, workdir))
        assert seeded["row_counts"]["customers"] == 40 and seeded["seed"] == 7

        again = run(["db", "seed", "--json"], env, workdir)
        assert again.returncode == 2 and again.stdout == ""
        assert "--replace" in one_error_line(again)

        replaced = ok_json(
            run(["db", "seed", "--replace", "--seed", "8", "--customers", "30", "--json"], env, workdir)
        )
        assert replaced["replaced"] is True and replaced["row_counts"]["customers"] == 30

        scenarios = ok_json(run(["db", "scenarios", "--json"], env, workdir))
        assert [s["name"] for s in scenarios] == sorted(SCENARIOS)
        for s in scenarios:
            assert s["customer_id"].startswith("CUST-") and s["order_id"].startswith("ORD-")
        table = run(["db", "scenarios"], env, workdir)
        assert table.returncode == 0 and "late_parcel" in table.stdout

        status = ok_json(run(["db", "status", "--json"], env, workdir))
        assert status["seeded"] is True and status["row_counts"]["customers"] == 30
        assert status["seed"]["seed"] == 8

        needs_yes = run(["db", "reset", "--json"], env, workdir)
        assert "--yes" in one_error_line(needs_yes)
        declined = run(["db", "reset"], env, workdir, stdin="n\n")
        assert declined.returncode != 0
        assert ok_json(run(["db", "status", "--json"], env, workdir))["seeded"] is True

        reset = ok_json(run(["db", "reset", "--yes", "--json"], env, workdir))
        assert reset["reset"] is True and reset["applied"] == ALL_MIGRATIONS
        after = ok_json(run(["db", "status", "--json"], env, workdir))
        assert after["seeded"] is False and set(after["row_counts"].values()) == {0}
        assert after["schema_version"] == status["schema_version"]


def test_bad_arguments_are_one_line_errors(db: str, db_env: dict[str, str], workdir: Path) -> None:
    result = run(["db", "seed", "--customers", "3", "--json"], db_env, workdir)
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
    result = run(args, {"DATABASE_URL": url}, workdir)
    assert result.returncode == 2
    assert "DATABASE_URL" in one_error_line(result)
    assert result.stdout == ""
