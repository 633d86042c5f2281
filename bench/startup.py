"""Start-up of the CLI, as a person pays for it: `--help`, `route "..."`, and `ask` on a warm embedded server.

Each command is a new process, run N times; the report gives the median and the fastest wall time and
the median CPU time (user + system: less sensitive than wall time to a shared machine's other load).
"Warm" means the embedded PostgreSQL is already running (held by a helper process, as `serve` or another
terminal would hold it) and the store is seeded, so `ask` pays for imports, the pool and the run only.
"After an ask" is what a person typing commands one after another meets, with nothing else holding the
server: each `ask` follows the previous one's exit, and finds the server still up (EMBEDDED_IDLE_STOP,
default 300 s) or, where the server stops with its last user, starts it again.

    python -m bench.startup [--reps 9] [--root PATH] [--out results/startup.json]

`--root` measures another source tree with this environment (e.g. an older checkout, for a before/after).
Targets (DESIGN): `route` and `--help` under 0.5 s, `ask` on a warm server under 1.5 s (wall, median).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "results" / "startup.json"
TARGETS_S = {"--help": 0.5, "route": 0.5, "ask (warm server)": 1.5}
# Stops a lingering embedded server of DATA_DIR at once: join it as a user that does not linger, and exit.
_STOPPER = "from switchboard.config.database import check_connection; check_connection()"

# Keeps the embedded server of DATA_DIR up and the store seeded until stdin closes.
_HOLDER = """
import sys
from switchboard.config.database import connect, database_target
from switchboard.tools.store.seed import ensure_seeded, list_scenarios
from switchboard.config.checkpointer import sync_checkpointer
database_target()
with connect() as conn:
    ensure_seeded(conn)
    customer = next(s for s in list_scenarios(conn) if s["name"] == "late_parcel")["customer_id"]
with sync_checkpointer():
    pass
print(customer, flush=True)
sys.stdin.read()
"""


def _env(root: Path, data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "OPENAI_BASE_URL", "EMBEDDED_IDLE_STOP")  # the defaults are measured
    }
    env.update(PYTHONPATH=str(root), DATA_DIR=str(data_dir), COLUMNS="120")
    return env


def time_command(argv: Sequence[str], env: dict[str, str], cwd: Path, reps: int) -> dict[str, Any]:
    walls, cpus = [], []
    for _ in range(reps):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return {
        "reps": reps,
        "wall_median_s": round(statistics.median(walls), 3),
        "wall_min_s": round(min(walls), 3),
        "cpu_median_s": round(statistics.median(cpus), 3),
    }


@contextmanager
def warm_server(root: Path, data_dir: Path) -> Iterator[str]:
    """The embedded server up and seeded, held by a helper process; yields a planted customer id."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER],
        env=_env(root, data_dir),
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        customer = holder.stdout.readline().strip()
        if not customer:
            raise RuntimeError("the helper holding the embedded server did not start")
        yield customer
    finally:
        if holder.stdin:
            holder.stdin.close()
        holder.wait(timeout=60)


def compile_bytecode(root: Path) -> None:
    """The tree's bytecode, as `./run` writes it at install: with PYTHONDONTWRITEBYTECODE set, a source
    newer than its bytecode (an edit, a fresh checkout) would be compiled again by every command."""
    folders = [str(root / name) for name in ("switchboard", "agents", "config", "graphs", "tools")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *[f for f in folders if Path(f).is_dir()]],
        capture_output=True,
        timeout=300,
    )


def measure(root: Path = ROOT, reps: int = 9, ask_reps: int | None = None) -> dict[str, Any]:
    python = [sys.executable, "-m", "switchboard"]
    compile_bytecode(root)
    results: dict[str, Any] = {"root": str(root), "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory(prefix="sb-startup-") as scratch:
        data_dir = Path(scratch) / "data"
        env = _env(root, data_dir)
        commands = results["commands"] = {}
        commands["python -c pass"] = time_command([sys.executable, "-c", "pass"], env, root, reps)
        commands["--help"] = time_command([*python, "--help"], env, root, reps)
        commands["route"] = time_command([*python, "route", "where is my order ORD-100234?"], env, root, reps)
        with warm_server(root, data_dir) as customer:
            ask = [*python, "ask", "where is my parcel?", "--customer", customer, "--json"]
            subprocess.run(ask, env=env, cwd=root, capture_output=True, timeout=300)  # first run: caches
            commands["ask (warm server)"] = time_command(ask, env, root, ask_reps or max(3, reps // 2))
        # No holder now: each ask meets what the previous one left behind.
        try:
            subprocess.run(ask, env=env, cwd=root, capture_output=True, timeout=300)
            commands["ask (after an ask)"] = time_command(ask, env, root, ask_reps or max(3, reps // 2))
        finally:
            stop = env | {"EMBEDDED_IDLE_STOP": "0"}
            subprocess.run(
                [sys.executable, "-c", _STOPPER], env=stop, cwd=root, capture_output=True, timeout=120
            )
    results["targets_s"] = TARGETS_S
    results["met"] = {
        name: commands[name]["wall_median_s"] <= limit
        for name, limit in TARGETS_S.items()
        if name in commands
    }
    return results


def report(results: dict[str, Any]) -> str:
    lines = [
        f"CLI start-up ({results['root']}; load average at start {results['load_avg_at_start']})",
        f"{'command':20} {'wall median':>12} {'wall min':>10} {'cpu median':>11}  target",
    ]
    for name, figures in results["commands"].items():
        target = TARGETS_S.get(name)
        verdict = (
            "" if target is None else f"<= {target:.1f} s " + ("met" if results["met"][name] else "NOT met")
        )
        lines.append(
            f"{name:20} {figures['wall_median_s'] * 1000:>9.0f} ms {figures['wall_min_s'] * 1000:>7.0f} ms"
            f" {figures['cpu_median_s'] * 1000:>8.0f} ms  {verdict}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.startup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=9, help="runs per command (default 9)")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the source tree to measure (default: this one)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON output (.md next to it)")
    args = parser.parse_args(argv)
    results = measure(args.root.resolve(), max(1, args.reps))
    text = report(results)
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    args.out.with_suffix(".md").write_text("```\n" + text + "\n```\n")
    return results


if __name__ == "__main__":
    main()
