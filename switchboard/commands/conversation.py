"""`switchboard ask`, `chat` and `history`: run requests and read threads from Postgres."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from switchboard.config.errors import Conflict, InputError
from switchboard.output import JsonOption, console, emit, err_console
from switchboard.render import Progress, approval_hint, command_prefix, print_rows, render_result

if TYPE_CHECKING:
    from switchboard.agents.context import Context
    from switchboard.api import AskResult, Switchboard


def _context(route: str, supervisor: str, specialist: str, compose: str) -> Context:
    from switchboard.agents.context import Context

    return Context(
        route_decider=route,
        supervisor_decider=supervisor,
        specialist_decider=specialist,
        compose_decider=compose,
    )


DeciderOption = typer.Option("", help="'deterministic' or 'provider:model' (default: the settings).")
ThreadOption = typer.Option(
    None, "--thread", "-t", help="Continue this thread (it must exist; with --new: start it under this id)."
)
NewOption = typer.Option(False, "--new", help="Start a new thread (under --thread's id when given).")

YES = ("y", "yes", "ok", "confirm")
NO = ("n", "no", "decline", "cancel")


async def checked_thread(sb: Switchboard, thread: str | None, new: bool) -> str | None:
    """A mistyped --thread must not silently start a new thread: refuse it unless --new says so."""
    if thread is None:
        return None
    exists = await sb.thread_owner(thread) is not None
    if exists and new:
        raise Conflict(f"thread {thread} already exists: drop --new to continue it")
    if not exists and not new:
        raise InputError(
            f"thread {thread} does not exist (`{command_prefix()} threads` lists them); "
            "add --new to start a new thread under this id"
        )
    return thread


async def run_streamed(
    sb: Switchboard, text: str, customer: str, thread_id: str | None, context: Context, progress: Progress
) -> AskResult:
    """`ask` through the graph's stream, reporting progress as the hierarchy works."""
    from switchboard.api import AskResult

    result: AskResult | None = None
    async for event in sb.astream_ask(text, customer_id=customer, thread_id=thread_id, context=context):
        progress(event)
        if event["event"] == "result":
            result = AskResult(**event["data"])
    assert result is not None, "the stream ended without a result"
    return result


async def confirm_in_chat(sb: Switchboard, result: AskResult, customer: str) -> AskResult | None:
    """While the run waits for this customer's own confirmation, ask them here: yes or no.

    Returns the resumed result, or None when the pause is not theirs to decide (staff approval) or they
    left the prompt (Ctrl-D); the thread then stays paused and the hint says how to decide it.
    """
    from rich.markup import escape
    from rich.text import Text

    from switchboard.tools.approvals import Identity

    while result.status == "paused":
        mine = [
            p
            for p in result.interrupts
            if p["value"].get("required_role") == "customer" and p["value"].get("customer_id") == customer
        ]
        if not mine:
            for pending in result.interrupts:
                console.print(
                    f"[yellow]this waits for staff; the thread goes on once they decide:[/]\n  "
                    f"{approval_hint(result.thread_id, pending)}",
                    highlight=False,
                    soft_wrap=True,
                )
            return None
        pending = mine[0]
        description = escape(str(pending["value"].get("description") or "this action"))
        # A Text, not a str: rich would colour the digits inside ids and amounts (ORD-[cyan]102737[/]).
        question = Text.from_markup(f"[bold yellow]confirm[/] {description}? \\[yes/no] ")
        while True:
            try:
                reply = (await asyncio.to_thread(console.input, question)).strip().lower()
            except EOFError:
                console.print(
                    f"left paused; {approval_hint(result.thread_id, pending)}",
                    highlight=False,
                    soft_wrap=True,
                )
                return None
            if reply in YES or reply in NO:
                break
            console.print("please answer yes or no", highlight=False)
        me = Identity("customer", customer)
        if reply in YES:
            result = await sb.decide(
                result.thread_id, actor=me, decision="approve", interrupt_id=pending["id"]
            )
        else:
            result = await sb.decide(
                result.thread_id,
                actor=me,
                decision="reject",
                interrupt_id=pending["id"],
                reason="the customer declined",
            )
        render_result(result, decided_by=f"{me} ({'confirmed' if reply in YES else 'declined'})", hints=False)
    return result


R = TypeVar("R")


def first_use(run: Callable[[], R]) -> R:
    """Run a command; on a database with no store at all (a fresh clone whose first command is `ask`),
    create and seed the store, as the demo does, and run it once more. Nothing else is ever changed: a
    store that exists but is behind still gets the one-line advice to run `db init`."""
    try:
        return run()
    except Exception as exc:
        from switchboard.tools.store.migrate import apply_migrations, missing_schema_object, schema_version

        if missing_schema_object(exc) is None:
            raise
        from switchboard.config.checkpointer import sync_checkpointer
        from switchboard.config.database import connect, database_target
        from switchboard.tools.store.seed import ensure_seeded

        with connect() as conn:
            if schema_version(conn) != 0:
                raise
            apply_migrations(conn)
            ensure_seeded(conn)
        with sync_checkpointer():
            pass
        err_console.print(
            f"[dim]{database_target().display}: no store yet; created and seeded it (first use)[/]",
            highlight=False,
        )
        return run()


def register(app: typer.Typer) -> None:
    @app.command()
    def ask(
        text: str = typer.Argument(..., help="The customer's request."),
        customer: str = typer.Option(..., "--customer", "-c", help="The customer asking, e.g. CUST-0001."),
        thread: str = ThreadOption,
        new: bool = NewOption,
        route_decider: str = DeciderOption,
        supervisor_decider: str = DeciderOption,
        specialist_decider: str = DeciderOption,
        compose_decider: str = DeciderOption,
        as_json: bool = JsonOption,
    ) -> None:
        """Run one request through the hierarchy; print the answer and the path it took."""
        context = _context(route_decider, supervisor_decider, specialist_decider, compose_decider)
        progress = Progress(enabled=None if not as_json else False)

        from switchboard.api import Switchboard

        async def go() -> AskResult:
            async with Switchboard.open() as sb:
                thread_id = await checked_thread(sb, thread, new)
                return await run_streamed(sb, text, customer, thread_id, context, progress)

        result = first_use(lambda: asyncio.run(go()))
        emit(result.to_dict(), as_json, lambda _: render_result(result))

    @app.command()
    def chat(
        customer: str = typer.Option(..., "--customer", "-c", help="The customer chatting, e.g. CUST-0001."),
        thread: str = ThreadOption,
        new: bool = NewOption,
        route_decider: str = DeciderOption,
        supervisor_decider: str = DeciderOption,
        specialist_decider: str = DeciderOption,
        compose_decider: str = DeciderOption,
    ) -> None:
        """Talk to Switchboard turn by turn in one thread; confirm or decline your own actions in place
        (empty line or Ctrl-D to stop)."""
        from switchboard.api import Switchboard
        from switchboard.config.errors import SwitchboardError
        from switchboard.config.text import tolerant_stdin

        tolerant_stdin()  # a line that is not UTF-8 is refused like any bad message, not a traceback

        context = _context(route_decider, supervisor_decider, specialist_decider, compose_decider)
        progress = Progress()

        async def go() -> None:
            async with Switchboard.open() as sb:
                thread_id = await checked_thread(sb, thread, new)
                console.print(f"[dim]customer {customer}; empty line to stop[/]", highlight=False)
                while True:
                    try:
                        line = await asyncio.to_thread(console.input, "[bold cyan]you[/] ")
                    except EOFError:
                        break
                    if not line.strip():
                        break
                    try:
                        result = await run_streamed(sb, line, customer, thread_id, context, progress)
                        thread_id = result.thread_id
                        render_result(result, hints=False)
                        await confirm_in_chat(sb, result, customer)
                    except SwitchboardError as exc:
                        console.print(f"[red]error:[/] {exc}", highlight=False)
                if thread_id:
                    console.print(f"[dim]thread {thread_id}[/]", highlight=False)

        first_use(lambda: asyncio.run(go()))

    @app.command()
    def history(
        thread: str = typer.Argument(..., help="The thread id."),
        turns: bool = typer.Option(
            False, "--turns", help="The permanent turn records instead (they outlive pruned checkpoints)."
        ),
        as_json: bool = JsonOption,
    ) -> None:
        """Every step of one thread (inside each domain too) and its approval decisions, from Postgres."""

        from switchboard.api import Switchboard
        from switchboard.tools import approvals
        from switchboard.tools.db import store_connection

        async def go() -> Any:
            async with Switchboard.open() as sb:
                if turns:
                    return await sb.turns(thread)
                steps = await sb.history(thread)
                async with store_connection() as conn:
                    decisions = await approvals.for_thread(conn, thread.strip())
            return {
                "thread_id": thread.strip(),
                "steps": steps,
                "approvals": [_approval(a) for a in decisions],
            }

        data = asyncio.run(go())
        if turns:
            emit(data, as_json, _render_turns)
            return

        def render(d: dict[str, Any]) -> None:
            print_rows(
                ("time", "where", "step", "source", "next", "writes", "fell back"),
                [
                    (
                        s["ts"][11:23],
                        s["namespace"],
                        str(s["step"]),
                        s["source"] or "",
                        ", ".join(s["next"]),
                        ", ".join(w for w in s["writes"] if not w.startswith("__pregel")),
                        "; ".join(
                            f"{f['point']} ({f['decider']}: {f['reason']})" for f in s.get("fallbacks") or []
                        ),
                    )
                    for s in d["steps"]
                ],
                whole=("time", "where", "step", "source", "next"),
            )
            if not d["approvals"]:
                return
            print_rows(
                ("approval", "action", "needs", "decision", "by", "when", "arguments", "reason"),
                [
                    (
                        a["id"],
                        a["action"],
                        a["required_role"],
                        a["status"] + (" (expired)" if a["status"] == "pending" and a["expired"] else ""),
                        f"{a['decided_role']}:{a['decided_by']}" if a["decided_by"] else "",
                        _when(a["decided_at"] or ""),
                        ", ".join(f"{k} {v}" for k, v in (a["decided_args"] or a["args"]).items()),
                        a["reason"] or "",
                    )
                    for a in d["approvals"]
                ],
                whole=("approval", "by", "when"),
                title="approvals",
            )

        emit(data, as_json, render)


def _render_turns(data: list[dict[str, Any]]) -> None:
    from rich.table import Table

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


def _when(ts: Any) -> str:
    """'2026-12-01 07:43:55' from an ISO timestamp or a datetime (seconds, no zone)."""
    text = ts.isoformat() if hasattr(ts, "isoformat") else str(ts)
    return text[:19].replace("T", " ")


def _approval(row: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "id",
        "action",
        "path",
        "description",
        "required_role",
        "status",
        "args",
        "decided_args",
        "decided_by",
        "decided_role",
        "decided_at",
        "reason",
        "requested_at",
        "used_at",
        "expired",
    )
    return {k: row.get(k) for k in keep}
