"""`switchboard approvals`, `approve`, `reject` and `resume`: the human side of write actions."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import typer

from switchboard.config.errors import InputError
from switchboard.output import JsonOption, console, emit
from switchboard.render import print_rows, render_result

if TYPE_CHECKING:
    from switchboard.api import AskResult

AsOption = typer.Option(..., "--as", help="Who decides: ROLE:ID, e.g. staff:alice or customer:CUST-0001.")
InterruptOption = typer.Option(
    None, "--interrupt", "-i", help="Which pending interrupt (when there are several)."
)


def _parse_edits(edits: list[str]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for item in edits:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set {item!r} must be NAME=VALUE")
        changed[key.strip()] = value
    return changed


def _decide(thread: str, actor: str, decision: str, interrupt: str | None, **kwargs: Any) -> AskResult:
    from switchboard.api import Switchboard
    from switchboard.tools.approvals import Identity

    identity = Identity.parse(actor)

    async def go() -> AskResult:
        async with Switchboard.open() as sb:
            return await sb.decide(
                thread, actor=identity, decision=decision, interrupt_id=interrupt, **kwargs
            )

    return asyncio.run(go())


def register(app: typer.Typer) -> None:
    @app.command("approvals")
    def list_approvals(
        customer: str = typer.Option(None, "--customer", "-c", help="Only this customer's approvals."),
        as_json: bool = JsonOption,
    ) -> None:
        """Pending approvals across all threads."""
        from switchboard.api import Switchboard

        async def go() -> list[dict[str, Any]]:
            async with Switchboard.open() as sb:
                return await sb.pending_approvals(customer_id=customer)

        rows = asyncio.run(go())

        def render(data: list[dict[str, Any]]) -> None:
            if not data:
                console.print("no pending approvals")
                return
            print_rows(
                ("thread", "interrupt", "needs", "customer", "path", "description", "expires"),
                [
                    (
                        r["thread_id"],
                        r["interrupt_id"] or "",
                        "the customer's confirmation"
                        if r["required_role"] == "customer"
                        else "staff approval",
                        r["customer_id"],
                        r["path"],
                        r["description"],
                        f"{r['expires_at']:%Y-%m-%d %H:%M}" + (" (expired)" if r["expired"] else ""),
                    )
                    for r in data
                ],
                whole=("thread", "interrupt", "customer", "expires"),
            )

        emit(rows, as_json, render)

    @app.command()
    def approve(
        thread: str = typer.Argument(..., help="The paused thread."),
        actor: str = AsOption,
        interrupt: str = InterruptOption,
        edit: list[str] = typer.Option(
            [], "--set", help="Approve with a changed argument, NAME=VALUE (repeatable)."
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """Approve (or edit and approve) a paused write action; the run continues."""
        if edit:
            result = _decide(thread, actor, "edit", interrupt, args=_parse_edits(edit))
        else:
            result = _decide(thread, actor, "approve", interrupt)
        verb = "edited and approved" if edit else "approved"
        emit(
            {**result.to_dict(), "decided_by": actor.strip(), "decision": "edit" if edit else "approve"},
            as_json,
            lambda _: render_result(result, decided_by=f"{actor.strip()} ({verb})"),
        )

    @app.command()
    def reject(
        thread: str = typer.Argument(..., help="The paused thread."),
        actor: str = AsOption,
        reason: str = typer.Option(..., "--reason", help="Why; the customer is told."),
        interrupt: str = InterruptOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Reject a paused write action; the customer is told why and the run continues."""
        result = _decide(thread, actor, "reject", interrupt, reason=reason)
        emit(
            {**result.to_dict(), "decided_by": actor.strip(), "decision": "reject"},
            as_json,
            lambda _: render_result(result, decided_by=f"{actor.strip()} (rejected: {reason})"),
        )

    @app.command()
    def resume(
        thread: str = typer.Argument(..., help="The thread to finish."), as_json: bool = JsonOption
    ) -> None:
        """Finish a run that stopped part-way (a crash): decided approvals resume, nothing runs twice."""
        from switchboard.api import Switchboard

        async def go() -> AskResult:
            async with Switchboard.open() as sb:
                return await sb.recover(thread)

        result = asyncio.run(go())
        emit(result.to_dict(), as_json, lambda _: render_result(result))
