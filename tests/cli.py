"""Running the real `switchboard` command in a subprocess, for the CLI tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_switchboard(
    args: list[str], cwd: Path, *, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    """`python -m switchboard ARGS`. Without `env`, this process's environment (the active test database);
    with `env`, only it decides the database (no inherited DATABASE_URL or DATA_DIR)."""
    if env is None:
        full = dict(os.environ)
        full.pop("OPENAI_BASE_URL", None)
    else:
        full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")} | env
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
    """A user error: exit code 2 and exactly one line on stderr, never a traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]
