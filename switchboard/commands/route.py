"""`switchboard route`: the route decision alone, for one request or a stream of JSON lines."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from switchboard.config.errors import InputError
from switchboard.config.text import text_problem, tolerant_stdin
from switchboard.output import to_json

if TYPE_CHECKING:
    from switchboard.agents.contracts import RouteDecision


def _line(decision: RouteDecision) -> dict[str, Any]:
    return {
        "domains": sorted(decision.domains),
        "confidence": round(decision.confidence, 3),
        "decider": decision.decider,
        "out_of_scope": decision.out_of_scope,
        "needs_clarification": decision.needs_clarification,
        "greeting": decision.greeting,
    }


def _decide(text: str, decider: str) -> RouteDecision:
    from switchboard.agents.models import is_deterministic
    from switchboard.agents.router import route_deterministic

    if is_deterministic(decider):
        return route_deterministic(text)
    import asyncio

    from switchboard.agents.router.decide import decide_route  # LangChain: only for a model

    return asyncio.run(decide_route(decider, text, [], []))


def _check_decider(decider: str) -> None:
    """A bad --decider (or ROUTE_DECIDER) is reported before any request is read."""
    from switchboard.agents.models import get_chat_model, is_deterministic

    if not is_deterministic(decider):
        get_chat_model(decider)


def register(app: typer.Typer) -> None:
    @app.command()
    def route(
        text: str = typer.Argument(None, help="The request to route (omit with --batch)."),
        batch: bool = typer.Option(
            False, "--batch", help='Read JSON lines {"id": ..., "text": ...} on stdin.'
        ),
        decider: str = typer.Option("", help="'deterministic' or 'provider:model'; default ROUTE_DECIDER."),
    ) -> None:
        """Which domains a request concerns: one JSON object per request."""
        from switchboard.config.settings import get_settings

        chosen = decider or get_settings().route_decider
        _check_decider(chosen)
        if batch:
            if text:
                raise InputError("give either TEXT or --batch, not both")
            _batch(chosen)
            return
        if text is None or not text.strip():
            raise InputError("TEXT is empty: give the request to route, or --batch to read JSON lines")
        sys.stdout.write(to_json(_line(_decide(text, chosen)), indent=None) + "\n")

    def _batch(decider: str) -> None:
        out = sys.stdout
        tolerant_stdin()
        for number, raw in enumerate(sys.stdin, start=1):
            problem = text_problem(raw)
            if problem:
                raise InputError(f"line {number} {problem}")
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise InputError(f"line {number}: not JSON ({exc.msg})") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise InputError(f'line {number}: expected an object {{"id": ..., "text": "..."}}')
            if not item["text"].strip():
                line: dict[str, Any] = {"id": item.get("id"), "error": "text is empty"}
            else:
                line = {"id": item.get("id"), **_line(_decide(item["text"], decider))}
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        out.flush()
