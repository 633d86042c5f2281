"""What a specialist is: a named worker of one domain with store tools and two implementations.

- `handle`: the deterministic implementation (plain Python over the store tools).
- the LLM implementation (`agents/specialists/llm.py`) drives the same tools through tool calling.

A specialist gets a `Brief` (its domain's share of the request, the customer, the entities), never the
whole conversation. Tools are bound to the brief's customer: a model cannot choose whose rows it sees.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import DictRow
from pydantic import BaseModel

from switchboard.agents.contracts import ActionOutcome, Brief, Domain, ProposedAction, SpecialistReport

Conn = psycopg.AsyncConnection[DictRow]
ToolFn = Callable[..., Awaitable[Any]]


class NoArgs(BaseModel):
    """This tool takes no arguments."""


@dataclass(frozen=True)
class StoreTool:
    """A read-only store query offered to a specialist. `fn(conn, customer_id, **args)`."""

    name: str
    description: str
    fn: ToolFn
    args_schema: type[BaseModel] = NoArgs


@dataclass
class SpecialistRun:
    """One run of a specialist: its inputs, and a log of the tools it called."""

    brief: Brief
    reports: list[SpecialistReport]
    outcomes: list[ActionOutcome]
    tools_called: list[str] = field(default_factory=list)

    async def call(self, tool: StoreTool, **args: Any) -> Any:
        """Run a store tool for the brief's customer. A connection is held per query, never across a
        model call, so slow models do not starve the pool."""
        from switchboard.tools.db import store_connection

        validated = tool.args_schema(**args).model_dump()
        self.tools_called.append(tool.name)
        async with store_connection() as conn:
            return await tool.fn(conn, self.brief.customer_id, **validated)

    def report(
        self,
        spec: SpecialistSpec,
        summary: str,
        facts: Sequence[str] = (),
        actions: Sequence[ProposedAction] = (),
        handoffs: Sequence[str] = (),
    ) -> SpecialistReport:
        return SpecialistReport(
            specialist=spec.name,
            summary=summary,
            facts=list(facts),
            tools_called=list(dict.fromkeys(self.tools_called)),
            proposed_actions=list(actions),
            handoffs=[h for h in handoffs if h != spec.name],
        )


@dataclass(frozen=True)
class SpecialistSpec:
    name: str
    domain: Domain
    description: str
    cues: tuple[str, ...]  # regexes (case-insensitive) that make the deterministic supervisor ask it
    tools: tuple[StoreTool, ...]
    handle: Callable[[SpecialistSpec, SpecialistRun], Awaitable[SpecialistReport]]
    actions: tuple[str, ...] = ()  # write actions it may propose
    entity_cue: str | None = None  # an Entities field whose presence also calls for it (e.g. "addresses")
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def wanted_for(self, brief: Brief) -> bool:
        """Does the deterministic supervisor need this specialist for the brief?"""
        if self.entity_cue and getattr(brief.entities, self.entity_cue, None):
            return True
        return self.matches(brief.request)

    def matches(self, text: str) -> bool:
        pattern = self._pattern
        if pattern is None:
            pattern = (
                re.compile("|".join(f"(?:{cue})" for cue in self.cues), re.IGNORECASE) if self.cues else None
            )
            object.__setattr__(self, "_pattern", pattern)
        return bool(pattern and pattern.search(text))


def money(value: object) -> str:
    """'129.9' -> '129.90 EUR' (store amounts are EUR)."""
    try:
        return f"{float(str(value)):.2f} EUR"
    except ValueError:
        return f"{value} EUR"
