"""`switchboard bench`: Switchboard against a langgraph-supervisor hierarchy and a flat agent (bench/).

The benchmark is not part of the package: it runs as `python -m bench.run` in the checkout this
installation comes from (its `bench/` beside `switchboard/`), a process of its own.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from switchboard.config.errors import ConfigurationError


def checkout() -> Path:
    """The source checkout holding bench/, or a clear error for an installed copy without one."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "bench" / "run.py").is_file():
        raise ConfigurationError(
            f"the benchmark lives in the source tree (bench/), and there is none at {root}: "
            "run `switchboard bench` from a checkout of the project"
        )
    return root


def register(app: typer.Typer) -> None:
    @app.command()
    def bench(
        quick: bool = typer.Option(
            False, "--quick", help="A smoke run of about a minute (fewer repetitions)."
        ),
        out: Path = typer.Option(None, "--out", help="JSON output; the PNG plot goes next to it."),
        reps: int = typer.Option(None, "--reps", help="Timed requests per system and latency."),
        turns: int = typer.Option(None, "--turns", help="Turns of the long thread."),
        levels: str = typer.Option(None, "--levels", help="Concurrency levels, e.g. 1,8,32."),
        latency_ms: int = typer.Option(None, "--latency-ms", help="The slow model's latency (default 200)."),
        server: str = typer.Option(None, "--server", help="PostgreSQL server for the scratch database."),
        no_profile: bool = typer.Option(False, "--no-profile", help="Skip the pyinstrument profiles."),
        no_plot: bool = typer.Option(False, "--no-plot", help="Skip the PNG plot."),
    ) -> None:
        """Benchmark one two-domain request, a long thread and concurrency; print a table, write JSON + PNG."""
        root = checkout()
        argv: list[str] = []
        if quick:
            argv.append("--quick")
        for flag, value in (
            ("--out", out),
            ("--reps", reps),
            ("--turns", turns),
            ("--levels", levels),
            ("--latency-ms", latency_ms),
            ("--server", server),
        ):
            if value is not None:
                argv += [flag, str(value)]
        if no_profile:
            argv.append("--no-profile")
        if no_plot:
            argv.append("--no-plot")
        done = subprocess.run([sys.executable, "-m", "bench.run", *argv], cwd=root, check=False)
        if done.returncode:
            raise typer.Exit(done.returncode)
