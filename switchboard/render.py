"""Rich rendering for people: a run, its approval hints, its progress, and tables that never cut an id.

rich is imported when something is drawn, not before (start-up of `route` and `--help`).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from io import StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from switchboard.output import console, err_console

if TYPE_CHECKING:
    from switchboard.api import AskResult


def command_prefix() -> str:
    """How to spell a follow-up command here: `./run` in a checkout (as the README does), else the script."""
    run = Path("run")
    if run.is_file() and (Path("switchboard") / "cli.py").exists():
        return "./run"
    return "switchboard"


def approval_hint(thread_id: str, pending: dict[str, Any]) -> str:
    """The command that decides this pause, for the role its policy needs."""
    value = pending.get("value") or {}
    run = command_prefix()
    interrupt = f" --interrupt {pending['id']}" if pending.get("id") else ""
    if value.get("required_role") == "customer":
        customer = value.get("customer_id") or "CUST-ID"
        return (
            f"the customer confirms with: {run} approve {thread_id}{interrupt} --as customer:{customer}"
            f"\n  or declines with: {run} reject {thread_id}{interrupt} --as customer:{customer} --reason TEXT"
        )
    return (
        f"staff approve with: {run} approve {thread_id}{interrupt} --as staff:YOUR-NAME"
        f"\n  or reject with: {run} reject {thread_id}{interrupt} --as staff:YOUR-NAME --reason TEXT"
    )


def waiting_for(pending: dict[str, Any]) -> str:
    value = pending.get("value") or {}
    if value.get("required_role") == "customer":
        return "paused for the customer's confirmation"
    return "paused for staff approval"


def render_result(
    result: AskResult, *, request: str | None = None, hints: bool = True, decided_by: str | None = None
) -> None:
    from rich.markup import escape
    from rich.tree import Tree

    if request:
        console.print(f"[bold cyan]you[/] {escape(request)}", highlight=False)
    if decided_by:
        console.print(f"[bold yellow]decided by {escape(decided_by)}[/]", highlight=False)
    tree = Tree(f"[bold]router[/] → {', '.join(result.domains) or no_domain(result.route)}")
    for step in result.path:
        branch = tree.add(
            f"[bold magenta]{step['domain']}[/]" + (" [yellow](partial)[/]" if step["partial"] else "")
        )
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
                f"[bold yellow]{waiting_for(pending)}[/] {escape(value.get('path', ''))}: "
                f"{escape(value.get('description', ''))}",
                highlight=False,
            )
            if hints:
                # soft_wrap: the terminal wraps the command, so copying it gives one line
                console.print(
                    escape("  " + approval_hint(result.thread_id, pending)), highlight=False, soft_wrap=True
                )
    for fallback in result.fallbacks:
        console.print(
            escape(
                f"fallback: {fallback['point']} decided deterministically, model {fallback['decider']} "
                f"failed: {fallback['reason']}"
            ),
            style="yellow",
            highlight=False,
        )
    if result.usage.get("model_calls"):
        u = result.usage
        cost = f", {u['cost']:.6f} {u['currency']}" if "cost" in u else ""
        console.print(
            f"[dim]model: {u['model_calls']} call(s), {u['input_tokens']} tokens in, {u['output_tokens']} out{cost}[/]"
        )
    if result.answer:
        console.print(f"[bold green]switchboard[/] {escape(result.answer)}", highlight=False)
    console.print(f"[dim]thread {result.thread_id}[/]", highlight=False)


def no_domain(route: dict[str, Any]) -> str:
    """What a decision that chose no domain is: a clarifying question, a greeting or out of scope."""
    if route.get("needs_clarification"):
        return "needs clarification"
    if route.get("greeting"):
        return "greeting"
    return "out of scope"


class Progress:
    """One line on stderr per milestone of a run, from the graph's stream: the domains chosen, each
    domain as it finishes, a pause. Silent when stderr is not a terminal (pipes, `--json`)."""

    def __init__(self, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.domains: list[str] = []

    def __call__(self, event: dict[str, Any]) -> None:
        if not self.enabled:
            return
        kind, data = event.get("event"), event.get("data") or {}
        if kind == "route":
            self.domains = list(data.get("domains") or [])
            route = data.get("route") or {}
            chosen = ", ".join(self.domains) or no_domain(route)
            many = " (in parallel)" if len(self.domains) > 1 else ""
            self._say(f"routed to {chosen}{many}")
        elif kind == "update" and data.get("namespace", "") == "" and data.get("node") in self.domains:
            update = data.get("update") or {}
            results = update.get("domain_results") or []
            specialists = [s for r in results for s in r.get("specialists", [])]
            done = f" ({', '.join(specialists)})" if specialists else ""
            self._say(f"{data['node']} finished{done}")
        elif kind == "interrupt":
            self._say(f"{data.get('domain')} {waiting_for(data)}")
        elif kind == "update" and data.get("namespace", "") == "" and data.get("node") == "compose":
            self._say("composing the answer")

    def _say(self, text: str) -> None:
        from rich.markup import escape

        err_console.print(f"[dim]… {escape(text)}[/]", highlight=False)


def print_rows(
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    whole: Sequence[str] = (),
    title: str | None = None,
) -> None:
    """A table when it fits the terminal without cutting a `whole` column (ids, names, times);
    otherwise one block per row: the first whole value on its own line, then `column value` pairs
    packed onto indented lines without ever splitting a whole value."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1, 0, 0)
    )
    for name in columns:
        if name in whole:
            table.add_column(name, no_wrap=True)
        else:
            table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(escape(v) for v in row))
    if _fits(table, columns, rows, whole):
        console.print(table)
        return
    if title:
        console.print(f"[bold]{escape(title)}[/]")
    first = next((i for i, name in enumerate(columns) if name in whole), 0)
    width = max(console.width, 40)
    for row in rows:
        console.print(f"[bold]{escape(row[first])}[/]", highlight=False, soft_wrap=True)
        line: list[str] = []
        for i, name in enumerate(columns):
            if i == first or not row[i]:
                continue
            pair = f"{name} {row[i]}"
            if line and len("  " + "  ".join([*line, pair])) > width:
                _pairs(line)
                line = []
            line.append(pair)
        if line:
            _pairs(line)


def _pairs(pairs: list[str]) -> None:
    from rich.markup import escape
    from rich.padding import Padding
    from rich.text import Text

    text = "  ".join(
        f"[dim]{escape(name)}[/] {escape(value)}" for name, _, value in (p.partition(" ") for p in pairs)
    )
    console.print(
        Padding(Text.from_markup(text, overflow="fold"), (0, 0, 0, 2), expand=False), highlight=False
    )


def _fits(table: Any, columns: Sequence[str], rows: Sequence[Sequence[str]], whole: Sequence[str]) -> bool:
    """Draw the table at the console's width off screen: is every whole value uncut, and every word of
    the other columns (up to 24 characters) unbroken?"""
    from rich.console import Console

    buffer = StringIO()
    Console(file=buffer, width=console.width, color_system=None, legacy_windows=False).print(table)
    drawn = buffer.getvalue()
    for i, name in enumerate(columns):
        for row in rows:
            pieces = [row[i]] if name in whole else [w for w in row[i].split() if len(w) <= 24]
            if any(piece and piece not in drawn for piece in pieces):
                return False
    return True
