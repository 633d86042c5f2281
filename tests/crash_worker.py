"""Run one approval decision (and the resumed run), or one request, in a process the crash test kills for real.

    python tests/crash_worker.py THREAD ROLE:ID [--set NAME=VALUE ...]
    python tests/crash_worker.py THREAD customer:CUST-0001 --ask MESSAGE

The database comes from the environment (DATABASE_URL or DATA_DIR), exactly as for the CLI.
SWITCHBOARD_CRASH_AT (before_ledger | after_store_change | after_commit) makes `tools.actions.perform()`
SIGKILL this process at that point; without it the parent kills it on a timer. The worker prints
`ready` once the graph and its pools are open (just before deciding), then the result as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from switchboard.api import Switchboard
from switchboard.tools.approvals import Identity
from switchboard.tools.db import store_connection


async def main(thread_id: str, actor: str, edits: dict[str, str], ask: str | None = None) -> None:
    async with Switchboard.open() as sb:
        # Warm both pools so that "ready" means: the next thing this process does is the decision.
        await sb.graph.aget_state({"configurable": {"thread_id": thread_id}})
        async with store_connection() as conn:
            await conn.execute("select 1")
        print("ready", flush=True)
        if ask is not None:
            asked = await sb.ask(ask, customer_id=Identity.parse(actor).id, thread_id=thread_id)
            print(json.dumps({"status": asked.status, "answer": asked.answer}), flush=True)
            return
        result = await sb.decide(
            thread_id,
            actor=Identity.parse(actor),
            decision="edit" if edits else "approve",
            args=edits or None,
        )
        print(json.dumps({"status": result.status, "answer": result.answer}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("thread")
    parser.add_argument("actor", help="ROLE:ID, e.g. staff:alice")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="edit an argument")
    parser.add_argument(
        "--ask", metavar="MESSAGE", help="send this message as the customer instead of deciding"
    )
    options = parser.parse_args()
    changes = dict(item.split("=", 1) for item in options.set)
    asyncio.run(main(options.thread, options.actor, changes, options.ask))
