"""`switchboard ask`, `chat` and `history`: run requests and read threads from Postgres."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from switchboard.output import JsonOption, console, emit
from switchboard.render import render_result

if TYPE_CHECKING:
    from switchboard.agents.context import Context
    from switchboard.api import AskResult


def _context(route: str, supervisor: str, specialist: str, compose: str) -> Context:
    from switchboard.agents.context import Context

    return Context(
        route_decider=route,
        supervisor_decider=supervisor,
        specialist_decider=specialist,
        compose_decider=compose,
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

        from switchboard.api import Switchboard

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
        from switchboard.api import Switchboard
        from switchboard.config.errors import SwitchboardError
        from switchboard.config.text import tolerant_stdin

        tolerant_stdin()  # a line that is not UTF-8 is refused like any bad message, not a traceback

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
    def history(
        thread: str = typer.Argument(..., help="The thread id."),
        turns: bool = typer.Option(
            False, "--turns", help="The permanent turn records instead (they outlive pruned checkpoints)."
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """Every step of one thread, including the steps inside each domain, from Postgres."""

        from switchboard.api import Switchboard

        async def go() -> list[dict[str, Any]]:
            async with Switchboard.open() as sb:
                return await (sb.turns(thread) if turns else sb.history(thread))

        steps = asyncio.run(go())
        if turns:
            emit(steps, as_json, _render_turns)
            return

        def render(data: list[dict[str, Any]]) -> None:
            table = Table("time", "where", "step", "source", "next", "writes", "fell back")
            for s in data:
                table.add_row(
                    s["ts"][11:23],
                    s["namespace"],
                    str(s["step"]),
                    s["source"] or "",
                    ", ".join(s["next"]),
                    ", ".join(w for w in s["writes"] if not w.startswith("__pregel")),
                    "; ".join(f"{f['point']} ({f['decider']}: {f['reason']})" for f in s["fallbacks"]),
                )
            console.print(table)

        emit(steps, as_json, render)


def _render_turns(data: list[dict[str, Any]]) -> None:
    table = Table("turn", "finished", "request", "domains: specialists / actions", "answer", "ms")
    for t in data:
        domains = "; ".join(
            f"{d['domain']}: {', '.join(d['specialists'])}"
            + "".join(f" / {a['action']} {a['verdict']}" for a in d["actions"])
            for d in t["domains"]
        )
        table.add_row(
            str(t["turn"]),
            f"{t['finished_at']:%Y-%m-%d %H:%M:%S}",
            t["request"][:60],
            domains or "-",
            t["answer"][:60],
            "" if t["duration_ms"] is None else f"{t['duration_ms']:.0f}",
        )
    console.print(table)
