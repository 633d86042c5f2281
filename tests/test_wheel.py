"""The built wheel installs into a fresh environment beside a host application that has its own `config`
and `tools`, and Switchboard runs from it: its folders live under `switchboard.`, nothing shadows them.

Slow (a build, a virtual environment, a scratch database): the dependencies come from the lock through
uv's cache, offline, so the environment is exactly the project's.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import textwrap
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("agents", "config", "graphs", "tools")

pytestmark = pytest.mark.slow

HOST_APP = """
import asyncio, json, sys

import config, tools  # the host application's own modules, found first on its path
from switchboard.api import Switchboard
from switchboard.config.database import connect
from switchboard.tools.store.seed import ensure_seeded
import switchboard.agents.registry as registry

assert config.HOST_SETTING == "the host's", config.__file__
assert tools.HOST_TOOLS == ["hammer"], tools.__file__
with connect() as conn:
    ensure_seeded(conn, customers=40)
    customer = conn.execute(
        "select id from store.customers where status = 'active' order by id limit 1"
    ).fetchone()["id"]


async def main():
    async with Switchboard.open() as sb:
        result = await sb.ask("what are your opening hours?", customer_id=customer)
        print(json.dumps({
            "answer": result.answer,
            "domains": result.domains,
            "switchboard": sys.modules["switchboard"].__file__,
            "config": config.__file__,
            "registry": list(registry.names()),
        }))


asyncio.run(main())
"""


def _uv() -> str:
    for candidate in (ROOT / ".venv" / "bin" / "uv", ROOT / ".cache" / "bootstrap" / "bin" / "uv"):
        if candidate.exists():
            return str(candidate)
    pytest.fail("uv is not installed in .venv or .cache/bootstrap (./run --help installs it)")


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=600, check=False, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done  # type: ignore[no-any-return]


@pytest.fixture
def scratch_database() -> Iterator[str]:
    server = os.environ.get("SWITCHBOARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"sbwheel_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'drop database if exists "{name}" with (force)')


def test_the_wheel_runs_inside_a_host_with_its_own_config_and_tools(
    tmp_path: Path, scratch_database: str
) -> None:
    uv = _uv()
    dist = tmp_path / "dist"
    _run([uv, "build", "--wheel", "--out-dir", str(dist)], cwd=ROOT)
    [wheel] = dist.glob("switchboard-*.whl")

    names = zipfile.ZipFile(wheel).namelist()
    assert [n for n, count in collections.Counter(names).items() if count > 1] == []
    tops = {n.split("/")[0] for n in names}
    assert tops == {"switchboard", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    for folder in FOLDERS:  # each folder once, under switchboard/, with every module of the checkout
        shipped = {
            n.removeprefix(f"switchboard/{folder}/") for n in names if n.startswith(f"switchboard/{folder}/")
        }
        source = {p.relative_to(ROOT / folder).as_posix() for p in (ROOT / folder).rglob("*.py")}
        assert source <= shipped, sorted(source - shipped)
    assert "switchboard/tools/store/migrations/0001_store.sql" in names

    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    _run([uv, "venv", str(venv), "--python", sys.executable, "-q"])
    _run(
        [
            uv,
            "pip",
            "install",
            "--python",
            str(python),
            "--offline",
            "-q",
            "-r",
            str(ROOT / "requirements.lock"),
        ]
    )
    _run([uv, "pip", "install", "--python", str(python), "--offline", "--no-deps", "-q", str(wheel)])

    host = tmp_path / "host"
    (host / "tools").mkdir(parents=True)
    (host / "config.py").write_text('HOST_SETTING = "the host\'s"\n')
    (host / "tools" / "__init__.py").write_text('HOST_TOOLS = ["hammer"]\n')
    (host / "app.py").write_text(textwrap.dedent(HOST_APP))
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": scratch_database,
        "PYTHONPATH": str(host),
    }
    done = _run([str(python), "app.py"], cwd=host, env=env)
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["domains"] == ["care"] and "Monday to Friday" in out["answer"]
    assert str(venv) in out["switchboard"] and str(ROOT) not in out["switchboard"]
    assert out["config"] == str(host / "config.py")
    assert out["registry"] == ["orders", "billing", "shipping", "account", "care"]
