"""`switchboard ask`, `chat`, `threads` and `history`: run requests and read threads from Postgres."""

from __future__ import annotations

import asyncio
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from agents.context import Context
from switchboard.api import AskResult, Switchboard
from switchboard.output import JsonOption, console, emit


def render_result(result: AskResult, *, request: str | None = None) -> None:
    if request:
        console.print(f"[bold cyan]you[/] {request}", highlight=False)
    tree = Tree(f"[bold]router[/] → {', '.join(result.domains) or _no_domain(result.route)}")
    for step in result.path:
        branch = tree.add(f"[bold magenta]{step['domain']}[/]" + (" [yellow](partial)[/]" if step["partial"] else ""))
        branch.add("specialists: " + (" → ".join(step["specialists"]) or "none"))
        if step["tools"]:
            branch.add("tools: " + ", ".join(step["tools"]))
        for action in step["actions"]:
            branch.add(escape(f"action: {action['action']} [{action['status']}]"))
    console.print(tree)
    if result.status == "paused":
        for pending in result.interrupts:
            value = pending["value"]
            console.print(
                f"[bold yellow]paused for approval[/] {value.get('path', '')}: {value.get('description', '')}"
                f"\n  interrupt {pending['id']} — approve with: switchboard approve {result.thread_id} "
                f"--interrupt {pending['id']} --as staff:YOUR-NAME",
                highlight=False,
            )
    if result.answer:
        console.print(f"[bold green]switchboard[/] {result.answer}", highlight=False)
    console.print(f"[dim]thread {result.thread_id}[/]")


def _no_domain(route: dict[str, Any]) -> str:
    if route.get("needs_clarification"):
        return "needs clarification"
    return "out of scope"


def _context(route: str, supervisor: str, specialist: str, compose: str) -> Context:
    return Context(
        route_decider=route, supervisor_decider=supervisor, specialist_decider=specialist, compose_decider=compose
    )


DeciderOption = typer.Option("", help="'deterministic' or 'provider:model' (default: the settings).")


def register(app: typer.Typer) -> None:
    @app.command()
    def ask(
        text: str = typer.Argument(..., help="The customer's request."),
        customer: str = typer.Option(..., "--customer", "-c", help="The customer asking, e.g. CUST-0001."),
        thread: str = typer.Option(None, "--thread", "-t", help="Continue this thread (default: a new one)."),
        route_decider: str = DeciderOption,
        supervisor_decider: str = DeciderOption,
        specialist_decider: str = DeciderOption,
        compose_decider: str = DeciderOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Run one request through the hierarchy; print the answer and the path it took."""
        context = _context(route_decider, supervisor_decider, specialist_decider, compose_decider)

        async def go() -> AskResult:
            async with Switchboard.open() as sb:
                return await sb.ask(text, customer_id=customer, thread_id=thread, context=context)

        result = asyncio.run(go())
        emit(result.to_dict(), as_json, lambda _: render_result(result))

    @app.command()
    def chat(
        customer: str = typer.Option(..., "--customer", "-c", help="The customer chatting, e.g. CUST-0001."),
        thread: str = typer.Option(None, "--thread", "-t", help="Continue this thread (default: a new one)."),
    ) -> None:
        """Talk to Switchboard turn by turn in one thread (empty line or Ctrl-D to stop)."""
        from config.errors import SwitchboardError

        async def go() -> None:
            thread_id = thread
            async with Switchboard.open() as sb:
                console.print(f"[dim]customer {customer}; empty line to stop[/]")
                while True:
                    try:
                        line = await asyncio.to_thread(console.input, "[bold cyan]you[/] ")
                    except EOFError:
                        break
                    if not line.strip():
                        break
                    try:
                        result = await sb.ask(line, customer_id=customer, thread_id=thread_id)
                    except SwitchboardError as exc:
                        console.print(f"[red]error:[/] {exc}")
                        continue
                    thread_id = result.thread_id
                    render_result(result)

        asyncio.run(go())

    @app.command()
    def threads(
        customer: str = typer.Option(None, "--customer", "-c", help="Only this customer's threads."),
        limit: int = typer.Option(50, min=1, max=1000),
        as_json: bool = JsonOption,
    ) -> None:
        """Threads stored in Postgres, newest first."""

        async def go() -> list[dict[str, Any]]:
            async with Switchboard.open() as sb:
                return await sb.threads(customer_id=customer, limit=limit)

        rows = asyncio.run(go())

        def render(data: list[dict[str, Any]]) -> None:
            table = Table("thread", "customer", "checkpoints", "started", "updated")
            for r in data:
                table.add_row(r["thread_id"], r["customer_id"] or "", str(r["checkpoints"]), r["started_at"][:19],
                              r["updated_at"][:19])
            console.print(table)

        emit(rows, as_json, render)

    @app.command()
    def history(
        thread: str = typer.Argument(..., help="The thread id."),
        as_json: bool = JsonOption,
    ) -> None:
        """Every step of one thread, including the steps inside each domain, from Postgres."""

        async def go() -> list[dict[str, Any]]:
            async with Switchboard.open() as sb:
                return await sb.history(thread)

        steps = asyncio.run(go())

        def render(data: list[dict[str, Any]]) -> None:
            table = Table("time", "where", "step", "source", "writes")
            for s in data:
                table.add_row(s["ts"][11:23], s["namespace"], str(s["step"]), s["source"] or "", ", ".join(s["writes"]))
            console.print(table)

        emit(steps, as_json, render)
