"""Benchmark section: storage with retention on, prune throughput, turn-record size.

    python -m bench.retention [--turns 200] [--threads 40] [--out bench/results/retention.json]

`python -m bench.run` runs this section too (results["retention"]). On a scratch database (as bench.run):

- one thread of `turns` turns (the long-thread requests, deterministic deciders), the retention policy
  applied as the worker's schedule would (RETENTION_CHECKPOINT_DAYS=0: every intermediate checkpoint is
  old enough) after turn `turns`/2 and after turn `turns`: checkpoint-table bytes at both (target
  <= 1.1x; without retention 2.00x), and the same with the thread's permanent turn records added;
- prune throughput: `threads` threads of 5 turns each, pruned in one `prune()` (threads, checkpoints and
  MB removed per second);
- turn-record bytes per turn (`store.turns`, the row as stored).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.run import (
    LONG_THREAD_REQUESTS,
    ROOT,
    _environment,
    choose_server,
    scratch_database,
    thread_storage,
)

DEFAULT_OUT = ROOT / "bench" / "results" / "retention.json"
TARGET = 1.1

TURN_RECORD_BYTES = """
select count(*) as turns, coalesce(sum(pg_column_size(t.*)), 0) as bytes from store.turns t where thread_id = %s
"""


async def retention_figures(
    sb: Any, customer: str, turns: int, threads: int, say: Callable[[str], None]
) -> dict[str, Any]:
    from switchboard.agents.context import Context
    from switchboard.tools import retention

    context = Context(
        route_decider="deterministic",
        supervisor_decider="deterministic",
        specialist_decider="deterministic",
        compose_decider="deterministic",
    )

    async def turn(thread_id: str, number: int) -> None:
        message = LONG_THREAD_REQUESTS[(number - 1) % len(LONG_THREAD_REQUESTS)]
        result = await sb.ask(message, customer_id=customer, thread_id=thread_id, context=context)
        if result.status != "done":
            raise RuntimeError(f"retention: turn {number} ended {result.status}")

    async def records(thread_id: str) -> dict[str, int]:
        async with sb.pool.connection() as conn:
            cur = await conn.execute(TURN_RECORD_BYTES, (thread_id,))
            row = await cur.fetchone()
        return {"turns": int(row["turns"]), "bytes": int(row["bytes"])}

    mid = max(1, turns // 2)
    thread_id = str(uuid.uuid4())
    with _environment({"RETENTION_CHECKPOINT_DAYS": "0"}):
        marks: dict[str, Any] = {}
        removed = 0  # bytes earlier prunes took from the thread: what it would hold without retention
        for number in range(1, turns + 1):
            await turn(thread_id, number)
            if number in (mid, turns):
                before = (await thread_storage(sb.pool, thread_id))["bytes"]
                started = time.perf_counter()
                report = await retention.prune()
                seconds = time.perf_counter() - started
                kept = await thread_storage(sb.pool, thread_id)
                unpruned = before + removed
                removed += before - kept["bytes"]
                marks[str(number)] = {
                    "unpruned_bytes": unpruned,
                    "kept_bytes": kept["bytes"],
                    "kept_checkpoints": kept["checkpoints"],
                    "kept_blobs": kept["blobs"],
                    "kept_writes": kept["writes"],
                    "turn_records": await records(thread_id),
                    "prune_seconds": round(seconds, 4),
                    "removed_checkpoints": report.checkpoints,
                }
                say(f"  retention: turn {number}: {unpruned:,} B before the prune, {kept['bytes']:,} B after")
        at_mid, at_end = marks[str(mid)], marks[str(turns)]

        # Prune throughput: many small threads, pruned in one pass.
        for i in range(threads):
            tid = f"bench-prune-{i}-{uuid.uuid4().hex[:6]}"
            for number in range(1, 6):
                await turn(tid, number)
        started = time.perf_counter()
        batch = await retention.prune()
        seconds = time.perf_counter() - started
    per_turn = at_end["turn_records"]["bytes"] / max(1, at_end["turn_records"]["turns"])
    with_records = [m["kept_bytes"] + m["turn_records"]["bytes"] for m in (at_mid, at_end)]
    ratio = round(at_end["kept_bytes"] / at_mid["kept_bytes"], 3)
    return {
        "turns": turns,
        "marks": marks,
        "storage_ratio": ratio,
        "storage_ratio_target": TARGET,
        "storage_ratio_pass": ratio <= TARGET,
        "storage_ratio_without_retention": round(at_end["unpruned_bytes"] / at_mid["unpruned_bytes"], 3),
        "storage_ratio_with_turn_records": round(with_records[1] / with_records[0], 3),
        "turn_record_bytes_per_turn": round(per_turn),
        "checkpoint_bytes_per_turn_unpruned": round(at_end["unpruned_bytes"] / turns),
        "prune_throughput": {
            "threads": batch.threads_pruned,
            "seconds": round(seconds, 3),
            "threads_per_second": round(batch.threads_pruned / seconds, 1) if seconds else None,
            "checkpoints_per_second": round(batch.checkpoints / seconds) if seconds else None,
            "mb_per_second": round(batch.bytes / seconds / 1e6, 2) if seconds else None,
            "checkpoints_removed": batch.checkpoints,
            "bytes_removed": batch.bytes,
        },
    }


def markdown(figures: dict[str, Any], command: str) -> str:
    end, mid = figures["marks"][str(figures["turns"])], figures["marks"][str(figures["turns"] // 2)]
    p = figures["prune_throughput"]
    return "\n".join(
        [
            f"Command: `{command}`",
            "",
            "| figure | value |",
            "| --- | --- |",
            f"| storage {figures['turns']}-turn / {figures['turns'] // 2}-turn thread, retention on (target <= {TARGET}x) "
            f"| **{figures['storage_ratio']}x** ({end['kept_bytes']:,} B / {mid['kept_bytes']:,} B) |",
            f"| same, without retention | {figures['storage_ratio_without_retention']}x "
            f"({end['unpruned_bytes']:,} B / {mid['unpruned_bytes']:,} B) |",
            f"| same, checkpoints + permanent turn records | {figures['storage_ratio_with_turn_records']}x |",
            f"| turn record per turn (store.turns) | {figures['turn_record_bytes_per_turn']:,} B |",
            f"| checkpoint bytes per turn, unpruned | {figures['checkpoint_bytes_per_turn_unpruned']:,} B |",
            f"| prune of the thread at turn {figures['turns']} ({figures['turns'] - figures['turns'] // 2} turns since the last) "
            f"| {end['prune_seconds'] * 1000:.0f} ms, {end['removed_checkpoints']} checkpoints removed |",
            f"| prune throughput ({p['threads']} threads of 5 turns) | {p['threads_per_second']} threads/s, "
            f"{p['checkpoints_per_second']:,} checkpoints/s, {p['mb_per_second']} MB/s |",
        ]
    )


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.retention", description=__doc__.split("\n\n")[0])
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--threads", type=int, default=40, help="small threads for the prune throughput")
    parser.add_argument("--server", help="PostgreSQL server URL for the scratch database")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    command = "python -m bench.retention " + " ".join(argv if argv is not None else sys.argv[1:])

    async def run() -> dict[str, Any]:
        from switchboard.api import Switchboard
        from switchboard.config.database import connect
        from switchboard.tools.store.seed import ensure_seeded, list_scenarios

        with connect() as conn:
            ensure_seeded(conn)
            taken = {s["customer_id"] for s in list_scenarios(conn)}
            rows = conn.execute(
                "select id from store.customers where status = 'active' order by id"
            ).fetchall()
        customer = next(r["id"] for r in rows if r["id"] not in taken)
        async with Switchboard.open() as sb:
            return await retention_figures(sb, customer, max(4, args.turns), max(1, args.threads), print)

    with scratch_database(choose_server(args.server)):
        figures = asyncio.run(run())
    figures["command"] = command.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=1) + "\n")
    args.out.with_suffix(".md").write_text(markdown(figures, figures["command"]) + "\n")
    print(markdown(figures, figures["command"]))
    return figures


if __name__ == "__main__":
    main()
