"""`switchboard explain` and `switchboard cost`: what a run did and why, and what the model calls cost."""

from __future__ import annotations

import asyncio
from typing import Any

import typer

from switchboard.config.errors import InputError
from switchboard.output import JsonOption, console, emit
from switchboard.render import no_domain

GROUPS = ("day", "point", "domain", "model", "thread", "customer")


def _ms(value: float | None) -> str:
    return "…" if value is None else f"{value:.0f} ms"


def render_explain(data: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table
    from rich.tree import Tree

    if data.get("turn") is None:
        console.print(data.get("note", "nothing to explain"))
        return
    cost = data["cost"]
    head = (
        f"[bold]turn {data['turn']}[/] of thread {escape(data['thread_id'])} · {data['status']} · "
        f"{_ms(data['duration_ms'])} · {data['model_calls']} model call(s), {data['input_tokens']}+"
        f"{data['output_tokens']} tokens · {cost['total']:.6f} {cost['currency']}"
    )
    tree = Tree(head)
    tree.add(f"request: {escape(data['request'])}")
    route = data["route"]
    where = ", ".join(route["domains"]) or no_domain(route)
    node = tree.add(
        f"[bold]route[/] → {where} [dim](decider {route['decider']}, confidence {route['confidence']})[/]"
        + (" [yellow]fell back[/]" if route["fallbacks"] else "")
    )
    node.add(f"why: {escape(route['rationale'])}")
    for domain in data["domains"]:
        branch = tree.add(
            f"[bold magenta]{domain['domain']}[/] {_ms(domain['duration_ms'])}"
            + (" [yellow](partial)[/]" if domain["partial"] else "")
            + (" [yellow]fell back[/]" if domain["fallbacks"] else "")
            + (f" · {domain['cost']:.6f}" if domain["cost"] else "")
        )
        choices = " → ".join(c["next"] for c in domain["supervisor"]["choices"]) or "none"
        branch.add(f"supervisor ({domain['supervisor']['decider']}): {choices}")
        for spec in domain["specialists"]:
            item = branch.add(f"{spec['name']}: tools {', '.join(spec['tools']) or 'none'}")
            for fact in spec["facts"]:
                item.add(f"[dim]{escape(fact)}[/]")
        for action in domain["actions"]:
            approval = action["approval"] or {}
            who = (
                f", {approval['status']} by {approval['decided_role']}:{approval['decided_by']}"
                if approval.get("decided_by")
                else f", waiting for {approval['required_role']}"
                if approval
                else ""
            )
            branch.add(
                escape(f"action {action['action']} [{action['status']}]: policy {action['policy']}{who}")
            )
    for held in data.get("held") or []:
        if "approval_id" in held:
            tree.add(
                escape(f"held approval {held['approval_id']} (turn {held['from_turn']}): {held['status']}")
            )
        else:
            who = f" by {held['decided_by']}" if held["decided_by"] else ""
            tree.add(escape(f"held action {held['action']} [{held['status']}]{who}"))
    tree.add(f"compose ({data['compose']['decider']})")
    console.print(tree)
    table = Table("where", "node", "started", "took", "next")
    for step in data["steps"]:
        table.add_row(
            step["where"],
            step["node"],
            (step["started_at"] or "")[11:23],
            "paused" if step["paused"] else _ms(step["duration_ms"]),
            ", ".join(step["next"]),
        )
    console.print(table)
    if data["trace_ids"]:
        console.print(f"[dim]trace {', '.join(data['trace_ids'])}[/]")


def register(app: typer.Typer) -> None:
    @app.command()
    def explain(
        thread: str = typer.Argument(..., help="The thread id."),
        as_json: bool = JsonOption,
    ) -> None:
        """Why the thread's latest turn went as it did: route, supervisors, specialists, actions, timings, cost."""
        from switchboard.api import Switchboard

        async def go() -> dict[str, Any]:
            async with Switchboard.open() as sb:
                return await sb.explain(thread)

        emit(asyncio.run(go()), as_json, render_explain)

    @app.command()
    def cost(
        days: float = typer.Option(30.0, "--days", min=0.001, help="The window: the last N days."),
        by: str = typer.Option("day", "--by", help=f"Group the table by: {', '.join(GROUPS)}."),
        thread: str = typer.Option(None, "--thread", "-t", help="Only this thread."),
        customer: str = typer.Option(None, "--customer", "-c", help="Only this customer's threads."),
        as_json: bool = JsonOption,
    ) -> None:
        """What model calls cost: by day, decision point, domain, model (the price table: PRICE_TABLE)."""
        if by not in GROUPS:
            raise InputError(f"--by must be one of {', '.join(GROUPS)}, not {by!r}")
        from switchboard.api import Switchboard

        async def go() -> dict[str, Any]:
            async with Switchboard.open() as sb:
                return await sb.cost_report(days=days, thread_id=thread, customer_id=customer)

        report = asyncio.run(go())

        def render(data: dict[str, Any]) -> None:
            from rich.table import Table

            currency = data["currency"]
            table = Table(
                by, "turns", "model calls", "tokens in", "tokens out", "fallbacks", f"cost ({currency})"
            )
            for row in data[f"by_{by}"]:
                table.add_row(
                    str(row[by]),
                    str(row["turns"]) if by in ("day", "thread", "customer") else "",
                    str(row["model_calls"]),
                    str(row["input_tokens"]),
                    str(row["output_tokens"]),
                    str(row["fallbacks"]),
                    f"{row['cost']:.6f}",
                )
            total = data["total"]
            table.add_row(
                "[bold]total[/]",
                str(total["turns"]),
                str(total["model_calls"]),
                str(total["input_tokens"]),
                str(total["output_tokens"]),
                str(total["fallbacks"]),
                f"[bold]{total['cost']:.6f}[/]",
            )
            console.print(table)

        emit(report, as_json, render)
