"""State schemas and reducers of the router graph and the domain subgraphs.

State holds plain JSON (the `model_dump()` of the contracts in `agents/contracts.py`): checkpoints
stay small and load anywhere. It is lean by design: the thread keeps a bounded window of earlier
turns, not the whole conversation, so a long thread does not make every checkpoint bigger.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

# typing_extensions' TypedDict: pydantic (the dev server's input/output schemas for Studio) rejects
# typing.TypedDict on Python < 3.12.
from typing_extensions import TypedDict

# ---------------------------------------------------------------- router graph


class RouterInput(TypedDict):
    """What a caller sends: one customer message. The customer comes from the run's context."""

    message: str


class RouterOutput(TypedDict, total=False):
    answer: str
    domains: list[str]
    route: dict[str, Any]
    domain_results: list[dict[str, Any]]


class Turn(TypedDict):
    message: str
    answer: str
    domains: list[str]


class RouterState(TypedDict, total=False):
    message: str  # this turn's request, validated and redacted by intake
    customer_id: str  # from the run's context (the caller), never from the message
    entities: dict[str, Any]  # Entities named in this turn
    memory: dict[str, Any]  # Entities of earlier turns, named or found, most recent last (for follow-ups)
    route: dict[str, Any]  # RouteDecision
    domain_results: Annotated[list[dict[str, Any]], operator.add]  # DomainResult per branch; reset by intake
    answer: str
    domains: list[str]
    compose_usage: dict[str, int]  # model calls and tokens of compose (route's and domains' are in theirs)
    turns: list[Turn]  # bounded window of earlier turns (settings.history_window)
    turn: int


# ---------------------------------------------------------------- domain subgraphs


class DomainInput(TypedDict):
    brief: dict[str, Any]  # Brief


class DomainOutput(TypedDict):
    domain_results: list[dict[str, Any]]  # exactly one DomainResult


class DomainState(TypedDict, total=False):
    brief: dict[str, Any]
    next: str  # the supervisor's choice: a specialist name, "act" or "finish"
    steps: int  # specialist runs so far (bounded by settings.domain_step_budget)
    reports: Annotated[list[dict[str, Any]], operator.add]  # SpecialistReport per specialist run
    outcomes: Annotated[list[dict[str, Any]], operator.add]  # ActionOutcome per write action
    budget_exhausted: bool
    usage: Annotated[
        list[dict[str, int]], operator.add
    ]  # model calls and tokens, per supervisor/specialist step
    domain_results: list[dict[str, Any]]
