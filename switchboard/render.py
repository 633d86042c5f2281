"""Rich rendering of a run for people (kept free of heavy imports so every command starts fast)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.tree import Tree

from switchboard.output import console

if TYPE_CHECKING:
    from switchboard.api import AskResult


def render_result(result: AskResult, *, request: str | None = None) -> None:
    if request:
        console.print(f"[bold cyan]you[/] {request}", highlight=False)
    tree = Tree(f"[bold]router[/] → {', '.join(result.domains) or _no_domain(result.route)}")
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
                f"[bold yellow]paused for approval[/] {value.get('path', '')}: {value.get('description', '')}"
                f"\n  interrupt {pending['id']} — approve with: switchboard approve {result.thread_id} "
                f"--interrupt {pending['id']} --as staff:YOUR-NAME",
                highlight=False,
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
        console.print(
            f"[dim]model: {u['model_calls']} call(s), {u['input_tokens']} tokens in, {u['output_tokens']} out[/]"
        )
    if result.answer:
        console.print(f"[bold green]switchboard[/] {result.answer}", highlight=False)
    console.print(f"[dim]thread {result.thread_id}[/]")


def _no_domain(route: dict[str, Any]) -> str:
    if route.get("needs_clarification"):
        return "needs clarification"
    if route.get("greeting"):
        return "greeting"
    return "out of scope"
