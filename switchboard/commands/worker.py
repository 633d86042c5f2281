"""`switchboard worker` and `switchboard outbox`: the work done outside the request."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from switchboard.output import JsonOption, console, emit, fail
from switchboard.output import run_store as _run

outbox_app = typer.Typer(
    name="outbox",
    help="Outbox events not yet handled (dead letters included), lag and counts; `outbox retry ID`.",
    invoke_without_command=True,
)


def register(app: typer.Typer) -> None:
    @app.command()
    def worker(
        once: bool = typer.Option(False, "--once", help="Handle what is due now, then stop."),
        concurrency: int = typer.Option(
            0, min=0, max=100, help="Events at once (default WORKER_CONCURRENCY)."
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """Run the task-queue worker: notifications, retries, the retention schedule (Ctrl-C stops).

        Run as many as you like, on one machine or several: each event is handled by one of them.
        """
        from switchboard.config.settings import get_settings
        from switchboard.observability.logs import events_at_info
        from switchboard.observability.metrics import serve_metrics
        from switchboard.tools.db import close_store_pools
        from switchboard.tools.queue import run_worker
        from switchboard.tools.worker import handled_here

        events_at_info()
        port = get_settings().worker_metrics_port
        if port and not once:
            serve_metrics(port)  # GET http://127.0.0.1:PORT/metrics while the worker runs

        async def go() -> dict[str, int]:
            try:
                await run_worker(once=once, concurrency=concurrency or None)
                return dict(handled_here)
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

    app.add_typer(outbox_app)


@outbox_app.callback()
def outbox(
    ctx: typer.Context,
    state: str = typer.Option(
        None,
        "--state",
        help="Only events in this state: pending, retrying, running, dead, unqueued, handled.",
    ),
    limit: int = typer.Option(50, min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """Events not yet handled, oldest first, with counts by state, the lag and alerts."""
    if ctx.invoked_subcommand is not None:
        return
    from switchboard.tools.outbox import STATES, events, status

    if state is not None and state not in STATES:
        fail(f"--state must be one of {', '.join(STATES)}, not {state!r}")

    async def both() -> dict[str, Any]:
        return {"status": await status(), "events": await events(state, limit)}

    data = _run(both())

    def render(d: dict[str, Any]) -> None:
        from rich.table import Table

        s = d["status"]
        counts = ", ".join(f"{k} {v}" for k, v in s["counts"].items())
        console.print(f"{counts}; lag {s['lag_seconds']:.0f} s; {s['workers_alive']} worker(s) alive")
        for alert in s["alerts"]:
            console.print(f"[bold red]alert:[/] {alert}")
        if not d["events"]:
            console.print("no events" + (f" in state {state}" if state else " waiting"))
            return
        table = Table("id", "topic", "state", "tries", "customer", "created", "last error")
        for r in d["events"]:
            table.add_row(
                str(r["id"]),
                r["topic"],
                r["state"],
                str(r["attempts"]),
                r["customer_id"] or "",
                f"{r['created_at']:%Y-%m-%d %H:%M:%S}",
                (r["last_error"] or "")[:60],
            )
        console.print(table)

    emit(data, as_json, render)


@outbox_app.command("retry")
def retry(
    event_id: int = typer.Argument(..., help="The outbox event id (see `switchboard outbox --state dead`)."),
    as_json: bool = JsonOption,
) -> None:
    """Give a dead event a new round of tries (the worker picks it up)."""
    from switchboard.tools.queue import retry_dead_event

    job_id = _run(retry_dead_event(event_id))
    emit(
        {"event_id": event_id, "job_id": job_id, "state": "pending"},
        as_json,
        lambda d: console.print(f"event {d['event_id']} queued again (job {d['job_id']})"),
    )
