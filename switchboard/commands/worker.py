"""`switchboard worker` and `switchboard outbox`: the work done outside the request."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from switchboard.output import JsonOption, console, emit


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        once: bool = typer.Option(False, "--once", help="Handle what is pending, then stop."),
        interval: float = typer.Option(2.0, min=0.1, help="Seconds between polls."),
        as_json: bool = JsonOption,
    ) -> None:
        """Handle outbox events: customer notifications for refunds, resets, tickets... (Ctrl-C stops)."""
        from switchboard.tools.db import close_store_pools
        from switchboard.tools.worker import process_once, run_worker

        async def go() -> dict[str, int]:
            try:
                if once:
                    total = {"handled": 0, "notifications": 0}
                    while True:
                        counts = await process_once()
                        total = {k: total[k] + counts[k] for k in total}
                        if counts["handled"] == 0:
                            return total
                await run_worker(interval)
                return {}
            finally:
                await close_store_pools()

        counts = asyncio.run(go())
        emit(
            counts,
            as_json,
            lambda c: console.print(
                f"{c['handled']} event(s) handled, {c['notifications']} notification(s) written"
            ),
        )

    @app.command()
    def outbox(
        limit: int = typer.Option(50, min=1, max=1000),
        as_json: bool = JsonOption,
    ) -> None:
        """Outbox events not yet handled by the worker, oldest first."""
        from switchboard.tools.db import close_store_pools
        from switchboard.tools.outbox import pending_events

        async def go() -> list[dict[str, Any]]:
            try:
                return await pending_events(limit)
            finally:
                await close_store_pools()

        rows = asyncio.run(go())

        def render(data: list[dict[str, Any]]) -> None:
            from rich.table import Table

            table = Table("id", "topic", "customer", "thread", "created")
            for r in data:
                table.add_row(
                    str(r["id"]),
                    r["topic"],
                    r["customer_id"] or "",
                    r["thread_id"],
                    f"{r['created_at']:%Y-%m-%d %H:%M:%S}",
                )
            console.print(table if data else "the outbox is empty")

        emit(rows, as_json, render)
