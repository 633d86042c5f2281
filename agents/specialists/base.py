"""What a specialist and a domain are. A specialist is a named worker of one domain with store tools and
two implementations; a domain (`DomainSpec`) is its specialists, its store tools and its router vocabulary.

- `handle`: the deterministic implementation (plain Python over the store tools).
- the LLM implementation (`agents/specialists/llm.py`) drives the same tools through tool calling.

A specialist gets a `Brief` (its domain's share of the request, the customer, the entities), never the
whole conversation. Tools are bound to the brief's customer: a model cannot choose whose rows it sees.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeAlias

from pydantic import BaseModel

from switchboard.agents.contracts import ActionOutcome, Brief, ProposedAction, SpecialistReport
from switchboard.tools.catalogue import WriteAction

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import DictRow

    Conn: TypeAlias = psycopg.AsyncConnection[DictRow]
else:
    Conn = Any  # only annotations name it: psycopg loads with the first query, not with the routing
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
    domain: str
    description: str
    cues: tuple[str, ...]  # regexes (case-insensitive) that make the deterministic supervisor ask it
    tools: tuple[StoreTool, ...]
    handle: Callable[[SpecialistSpec, SpecialistRun], Awaitable[SpecialistReport]]
    actions: tuple[WriteAction[Any], ...] = ()  # the catalogue entries it may propose
    entity_cue: str | None = None  # an Entities field whose presence also calls for it (e.g. "addresses")
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def wanted_for(self, brief: Brief) -> bool:
        """Does the deterministic supervisor need this specialist for the brief? Its cues are read in the
        request as written and as the router reads it, typos corrected ("refnd" -> refund)."""
        if self.entity_cue and getattr(brief.entities, self.entity_cue, None):
            return True
        return self.matches(brief.request) or self.matches(corrected(brief.request))

    def matches(self, text: str) -> bool:
        pattern = self._pattern
        if pattern is None:
            pattern = (
                re.compile("|".join(f"(?:{cue})" for cue in self.cues), re.IGNORECASE) if self.cues else None
            )
            object.__setattr__(self, "_pattern", pattern)
        return bool(pattern and pattern.search(text))


@lru_cache(maxsize=4096)
def corrected(text: str) -> str:
    """The request's words as the deterministic router reads them: typos corrected, stemmed."""
    from switchboard.agents.router.deterministic import tokens_for  # the router imports the domains

    return " ".join(tokens_for(text))


# A phrase: slots (space-separated alternatives), the most other tokens allowed between consecutive
# slots, and the weight it adds to the domain that declares it.
Phrase = tuple[tuple[str, ...], int, float]


@dataclass(frozen=True)
class Vocabulary:
    """A domain's own routing words (the shared vocabulary is in `agents/router/lexicon.py`).

    Weight guide: 3 = decisive on its own, 2 = strong, 1 = supporting, <1 = hint.
    """

    predicates: Mapping[str, float]  # what the customer wants done or what went wrong ("refund", "late")
    objects: Mapping[str, float] = field(default_factory=dict)  # what a request is about ("order")
    phrases: tuple[Phrase, ...] = ()  # word sequences that settle ambiguity ("money back")
    object_phrases: tuple[Phrase, ...] = ()  # like objects, they yield to another domain's predicate
    # cue words and phrases of the other languages the router reads, by language code ("de", "es", "fr",
    # "nl"): stemmed with that language's Snowball stemmer, accents optional ("devolucion")
    foreign: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    foreign_phrases: Mapping[str, tuple[Phrase, ...]] = field(default_factory=dict)
    foreign_objects: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # like objects
    binds: tuple[str, ...] = ()  # nouns a generic verb binds to this domain ("update my phone")
    abbreviations: Mapping[str, str] = field(default_factory=dict)  # short forms of its words ("acct")


@dataclass(frozen=True)
class DomainSpec:
    """One domain, declared once at the end of its module and listed in `agents/registry.py`."""

    name: str  # its node in the router graph, and what RouteDecision.domains holds
    title: str  # heads its paragraph in a multi-domain answer
    description: str  # what it covers (the router model's team list, the clarifying question)
    offer: str  # how an out-of-scope answer names it ("your orders")
    example: str  # how a clarification answer names it ("an order")
    vocabulary: Vocabulary
    specialists: tuple[SpecialistSpec, ...]
    tools: tuple[StoreTool, ...]  # every store tool its specialists may call
    examples: tuple[str, ...] = ()  # requests it answers on its own, without a write (the per-domain tests)
    dataset_labels: tuple[str, ...] = ()  # public data set categories it answers (router evaluation)
    # "where is it now?" after a turn about this domain asks where its thing is (an order's parcel), which
    # the domain that `locates` things answers (tracking)
    located: bool = False
    locates: bool = False
    # the domain of money (charges, refunds): "when will it arrive?" after a refund is its, not a parcel's
    pays: bool = False

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[a-z][a-z0-9_]{1,30}", self.name):
            raise ValueError(f"domain name {self.name!r}: lower-case letters, digits and _ (it names a node)")
        if len(self.specialists) < 3:
            raise ValueError(
                f"domain {self.name} needs at least three specialists, has {len(self.specialists)}"
            )
        for spec in self.specialists:
            if spec.domain != self.name:
                raise ValueError(f"specialist {spec.name} says it is in {spec.domain}, not {self.name}")
            stray = [t.name for t in spec.tools if t not in self.tools]
            if stray:
                raise ValueError(f"specialist {spec.name} uses tools {self.name} does not declare: {stray}")


def money(value: object) -> str:
    """'129.9' -> '129.90 EUR' (store amounts are EUR)."""
    try:
        return f"{float(str(value)):.2f} EUR"
    except ValueError:
        return f"{value} EUR"
