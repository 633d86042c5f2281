"""`switchboard threads` (list, prune, delete) and `switchboard customers erase`: what is kept, and what goes."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from switchboard.output import JsonOption, console, emit, fail
from switchboard.output import run_store as _run

threads_app = typer.Typer(
    name="threads",
    help="Threads in Postgres (newest first); `threads prune` applies the retention policy, `threads delete`.",
    invoke_without_command=True,
)
customers_app = typer.Typer(
    name="customers", help="Customers: erasure of personal data.", no_args_is_help=True
)

YesOption = typer.Option(False, "--yes", help="Confirm: this deletes data.")


def register(app: typer.Typer) -> None:
    app.add_typer(threads_app)
    app.add_typer(customers_app)


@threads_app.callback()
def threads(
    ctx: typer.Context,
    customer: str = typer.Option(None, "--customer", "-c", help="Only this customer's threads."),
    limit: int = typer.Option(50, min=1, max=1000),
    as_json: bool = JsonOption,
) -> None:
    """Threads stored in Postgres, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    from switchboard.api import Switchboard

    async def go() -> list[dict[str, Any]]:
        async with Switchboard.open() as sb:
            return await sb.threads(customer_id=customer, limit=limit)

    rows = asyncio.run(go())

    def render(data: list[dict[str, Any]]) -> None:
        from switchboard.render import print_rows

        if not data:
            console.print("no threads yet")
            return
        # Ids, customers and times whole at any width: they are copied into `approve`, `history`...
        print_rows(
            ("thread", "customer", "checkpoints", "started", "updated"),
            [
                (
                    r["thread_id"],
                    r["customer_id"] or "",
                    str(r["checkpoints"]),
                    str(r["started_at"])[:19].replace("T", " "),
                    str(r["updated_at"])[:19].replace("T", " "),
                )
                for r in data
            ],
            whole=("thread", "customer", "started", "updated"),
        )

    emit(rows, as_json, render)


@threads_app.command("prune")
def prune(
    dry_run: bool = typer.Option(False, "--dry-run", help="Count what would be removed; remove nothing."),
    yes: bool = YesOption,
    as_json: bool = JsonOption,
) -> None:
    """Apply the retention policy now (the worker also runs it on RETENTION_SCHEDULE).

    Keeps the latest checkpoint of every thread and namespace, what a paused run needs, and checkpoints
    younger than RETENTION_CHECKPOINT_DAYS; deletes threads idle RETENTION_IDLE_THREAD_DAYS if set.
    """
    if not dry_run and not yes:
        fail("threads prune deletes checkpoints: run with --dry-run to see what would go, or --yes to prune")
    from switchboard.tools.retention import prune as run_prune

    report = _run(run_prune(dry_run=dry_run)).to_dict()

    def render(r: dict[str, Any]) -> None:
        verb = "would remove" if r["dry_run"] else "removed"
        console.print(
            f"{r['threads_pruned']} thread(s) pruned, {r['threads_deleted']} idle thread(s) deleted, "
            f"{r['threads_busy']} busy (next time); {verb} {r['checkpoints']} checkpoint(s), {r['blobs']} blob(s), "
            f"{r['writes']} write(s), {r['bytes']:,} bytes in {r['seconds']:.2f} s"
        )

    emit(report, as_json, render)


@threads_app.command("delete")
def delete(
    thread: str = typer.Argument(..., help="The thread id."),
    yes: bool = YesOption,
    as_json: bool = JsonOption,
) -> None:
    """Delete one thread: its checkpoints and turn records (the ledger and approvals stay). Audited."""
    if not yes:
        fail(f"threads delete removes thread {thread} for good: add --yes to confirm")
    from switchboard.tools.retention import delete_thread

    result = _run(delete_thread(thread, reason="on request", requested_by="cli"))
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"thread {r['thread_id']} deleted: {r['checkpoints']} checkpoint(s), {r['turns']} turn record(s)"
            f" (audit {r['audit_id']})"
        ),
    )


@customers_app.command("erase")
def erase(
    customer: str = typer.Argument(..., help="The customer id, e.g. CUST-0042."),
    reason: str = typer.Option("on request", help="Why (kept in the audit record)."),
    yes: bool = YesOption,
    as_json: bool = JsonOption,
) -> None:
    """Erase a customer's personal data everywhere: checkpoints, store, outbox, turn records. Audited."""
    from switchboard.agents.intake import validate_customer_id

    customer = validate_customer_id(customer)
    if not yes:
        fail(f"customers erase removes {customer}'s personal data for good: add --yes to confirm")
    from switchboard.tools.retention import erase_customer

    result = _run(erase_customer(customer, reason=reason, requested_by="cli"))
    emit(
        result,
        as_json,
        lambda r: console.print(
            f"{r['customer_id']} erased: {len(r['threads'])} thread(s) deleted, "
            + ", ".join(f"{k} {v}" for k, v in r["counts"].items() if v)
            + f" (audit {r['audit_id']})"
        ),
    )
