"""`switchboard demo`: the guided tour on the planted scenarios (the README's first command)."""

from __future__ import annotations

import asyncio
import sys
import uuid
from typing import TYPE_CHECKING, Any

import typer

from switchboard.config.errors import InputError
from switchboard.output import JsonOption, console, to_json
from switchboard.render import render_result

if TYPE_CHECKING:
    from switchboard.api import AskResult, Switchboard
    from switchboard.tools.approvals import Identity

TOUR = (
    ("One domain", "late_parcel", "Where is my parcel? It should have been here by now."),
    (
        "Two domains, answered in parallel",
        "late_parcel",
        "Where is my parcel, and can I get the invoice for it?",
    ),
    ("Out of scope", "happy_customer", "What's the weather going to be like in Paris tomorrow?"),
    (
        "A refund that needs staff approval",
        "duplicate_charge",
        "I was charged twice for my order, please refund me.",
    ),
)


DEMO_THREAD_PREFIX = "demo-"


def prepare_store(quiet: bool) -> dict[str, dict[str, Any]]:
    """Create and seed the store only if it is not seeded; take back what an earlier tour wrote (its own
    threads, refund, approval and events), never anything else: API keys, other customers' threads and
    approvals stay as they are."""
    from switchboard.config.checkpointer import sync_checkpointer
    from switchboard.config.database import connect, database_target
    from switchboard.tools.store.migrate import apply_migrations
    from switchboard.tools.store.seed import ensure_seeded, list_scenarios
    from switchboard.tools.store.undo import undo_runs

    with sync_checkpointer():
        pass
    with connect() as conn:
        applied = apply_migrations(conn)
        seeded_now = ensure_seeded(conn)
        undone = undo_runs(conn, DEMO_THREAD_PREFIX)
        scenarios = {s["name"]: s for s in list_scenarios(conn)}
        duplicate = scenarios["duplicate_charge"]
        row = conn.execute(
            "select count(*) as n from store.refunds r join store.payments p on p.id = r.payment_id"
            " where p.order_id = %s and r.status in ('pending', 'issued')",
            (duplicate["order_id"],),
        ).fetchone()
        refunded_elsewhere = bool(row and row["n"])
    if not quiet:
        what = "created and seeded" if seeded_now else "ready"
        if undone["threads"]:
            what += f"; took back an earlier tour ({undone['threads']} threads, {undone['refunds']} refund)"
        console.print(
            f"[dim]{database_target().display}: store {what}; {len(applied)} migration(s) applied[/]"
        )
        if refunded_elsewhere:
            console.print(
                f"[yellow]note:[/] order {duplicate['order_id']} was refunded outside the tour, so the last"
                " step will not pause for approval (start from a fresh store with"
                " `switchboard db seed --replace --yes`)",
                highlight=False,
            )
    return scenarios


def register(app: typer.Typer) -> None:
    @app.command()
    def demo(
        approve_as: str = typer.Option(
            "staff:demo", "--approve-as", help="Who approves the refund (ROLE:ID); asked first on a terminal."
        ),
        no_approve: bool = typer.Option(
            False, "--no-approve", help="Leave the refund paused for you to approve."
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """A short tour: one domain, two in parallel, out of scope, and a refund paused for approval."""
        from rich.panel import Panel
        from rich.rule import Rule

        from switchboard.tools.approvals import Identity

        approver = Identity.parse(approve_as)
        if approver.role != "staff":
            raise InputError(
                "--approve-as must be a staff identity, e.g. staff:demo (the refund needs staff)"
            )
        scenarios = prepare_store(quiet=as_json)
        interactive = sys.stdin.isatty() and not as_json

        from switchboard.api import Switchboard

        async def tour() -> list[dict[str, Any]]:
            steps: list[dict[str, Any]] = []
            async with Switchboard.open() as sb:
                for title, scenario, request in TOUR:
                    customer = str(scenarios[scenario]["customer_id"])
                    if not as_json:
                        console.print(Rule(f"[bold]{title}[/] — {scenario} ({customer})"))
                    thread_id = f"{DEMO_THREAD_PREFIX}{uuid.uuid4()}"  # the tour's own: see prepare_store
                    result = await sb.ask(request, customer_id=customer, thread_id=thread_id)
                    step: dict[str, Any] = {
                        "title": title,
                        "scenario": scenario,
                        "request": request,
                        "result": result.to_dict(),
                    }
                    if not as_json:
                        render_result(result, request=request)
                    if result.status == "paused":
                        step["approval"] = await _approval(
                            sb, result, approver, no_approve, interactive, as_json
                        )
                    steps.append(step)
            return steps

        steps = asyncio.run(tour())
        if as_json:
            sys.stdout.write(to_json(steps) + "\n")
            return
        threads = " ".join(s["result"]["thread_id"] for s in steps[-1:])
        console.print(Rule())
        console.print(
            Panel(
                "Every step of these runs is in Postgres:\n"
                "  ./run threads                 the threads, newest first\n"
                f"  ./run history {threads}   every step, inside each domain too\n"
                "  ./run approvals               pending approvals across threads\n"
                "Studio: see README (langgraph dev).",
                title="what next",
            )
        )


async def _approval(
    sb: Switchboard, paused: AskResult, approver: Identity, no_approve: bool, interactive: bool, quiet: bool
) -> dict[str, Any]:
    pending = paused.interrupts[0]
    if no_approve or (interactive and not typer.confirm(f"Approve this as {approver}?", default=True)):
        if not quiet:
            console.print(
                f"left paused: ./run approve {paused.thread_id} --interrupt {pending['id']} --as {approver}",
                highlight=False,
            )
        return {"decision": "left paused", "interrupt_id": pending["id"]}
    result = await sb.decide(paused.thread_id, actor=approver, decision="approve", interrupt_id=pending["id"])
    if not quiet:
        render_result(result, decided_by=f"{approver} (approved)")
    return {"decision": "approved", "by": str(approver), "result": result.to_dict()}
