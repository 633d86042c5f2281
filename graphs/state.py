"""State schemas and reducers of the router graph and the domain subgraphs.

State holds plain JSON (the `model_dump()` of the contracts in `agents/contracts.py`): checkpoints
stay small and load anywhere (the chat view's `messages` are LangChain messages). The functions at the end are the one place channels become contracts. It is lean by design: the thread keeps a bounded window of earlier
turns, not the whole conversation, so a long thread does not make every checkpoint bigger.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any

from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, RemoveMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.message import add_messages
from pydantic import BaseModel

# typing_extensions' TypedDict: pydantic (the dev server's input/output schemas for Studio) rejects
# typing.TypedDict on Python < 3.12.
from typing_extensions import NotRequired, TypedDict

from switchboard.agents.contracts import (
    ActionOutcome,
    Brief,
    DomainResult,
    Entities,
    RouteDecision,
    SpecialistReport,
)

# ---------------------------------------------------------------- router graph


class RouterInput(TypedDict):
    """What a caller sends: one customer message. The customer comes from the run's context.

    Studio's chat mode sends the message as a chat message instead (`messages`, the last one human)."""

    message: NotRequired[str]
    messages: NotRequired[list[AnyMessage]]


class RouterOutput(TypedDict, total=False):
    answer: str
    domains: list[str]
    route: dict[str, Any]
    domain_results: list[dict[str, Any]]
    compose_usage: dict[str, int]
    fallbacks: list[dict[str, Any]]  # route's and compose's; the domains' are in their results
    messages: list[AnyMessage]
    budget: dict[str, Any] | None


class Turn(TypedDict):
    message: str
    answer: str
    domains: list[str]
    # a write action was carried out in the turn: a plain "yes" after it asks for nothing more
    acted: NotRequired[bool]


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
    fallbacks: Annotated[list[dict[str, Any]], operator.add]  # Fallback of route and compose; reset by intake
    budget: dict[str, Any] | None  # the request's budget and spend when one is set (cost.Budget.as_dict)
    turns: list[Turn]  # bounded window of earlier turns (settings.history_window)
    turn: int  # turns started (intake counts them)
    answered: int  # the last turn compose answered: less than `turn` while a turn is unfinished
    # The conversation as chat messages (Studio's chat view, `messages-tuple` streams): the customer's
    # messages, redacted, and the answers, bounded like `turns` (compose removes the oldest).
    messages: Annotated[list[AnyMessage], add_messages]
    message_id: str  # id of the chat message this turn answers (a chat-mode input is a new one)
    started_at: str  # when intake accepted this turn (ISO, UTC): the turn record's timing
    # Approvals waiting for staff that the customer went past with a new message ({"approval_id", "turn"}):
    # asked for again after every later turn's answer (the `held` node) until staff decide.
    held: list[dict[str, Any]]


# ---------------------------------------------------------------- domain subgraphs


class DomainInput(TypedDict):
    brief: dict[str, Any]  # Brief


class DomainOutput(TypedDict):
    domain_results: list[dict[str, Any]]  # exactly one DomainResult


class DomainState(TypedDict, total=False):
    brief: dict[str, Any]
    # SpecialistReport per specialist run: their number is the steps spent (settings.domain_step_budget)
    reports: Annotated[list[dict[str, Any]], operator.add]
    outcomes: Annotated[list[dict[str, Any]], operator.add]  # ActionOutcome per write action
    budget_exhausted: bool
    usage: Annotated[
        list[dict[str, Any]], operator.add
    ]  # model calls, tokens and cost per supervisor/specialist step, with its "point"
    fallbacks: Annotated[list[dict[str, Any]], operator.add]  # Fallback per step whose model failed
    domain_results: list[dict[str, Any]]


# ---------------------------------------------------------------- channels <-> contracts
# State holds the contracts' JSON; these are the only places it is read back into them or written from them.


def channel(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")


def lean_channel(model: BaseModel) -> dict[str, Any]:
    """A contract's JSON without the fields at their defaults, for channels read back only through their
    contract (`brief_of`, `entities_of`): a brief is stored five times per domain (the Send, the router's
    tasks, the domain's input, its write and its blob), and most of an empty `Entities` is field names."""
    return model.model_dump(mode="json", exclude_defaults=True)


def report_channel(report: SpecialistReport) -> dict[str, Any]:
    """A report's JSON without its empty proposals and handoffs (most reports have neither; readers of
    the raw channel, explain among them, take them as empty when absent). Its findings stay whole."""
    empty = {name for name in ("proposed_actions", "handoffs") if not getattr(report, name)}
    return report.model_dump(mode="json", exclude=empty)


def brief_of(state: DomainState) -> Brief:
    return Brief.model_validate(state["brief"])


def reports_of(state: DomainState) -> list[SpecialistReport]:
    return [SpecialistReport.model_validate(r) for r in state.get("reports", [])]


def outcomes_of(state: DomainState) -> list[ActionOutcome]:
    return [ActionOutcome.model_validate(o) for o in state.get("outcomes", [])]


def route_of(state: RouterState) -> RouteDecision:
    return RouteDecision.model_validate(state["route"])


def results_of(state: RouterState) -> list[DomainResult]:
    return [DomainResult.model_validate(r) for r in state.get("domain_results", [])]


def entities_of(state: RouterState) -> Entities:
    """What this turn named."""
    return Entities.model_validate(state.get("entities") or {})


def memory_of(state: RouterState) -> Entities:
    """What earlier turns named or found."""
    return Entities.model_validate(state.get("memory") or {})


def chat_input(state: RouterState) -> HumanMessage | None:
    """A customer message sent as a chat message (Studio's chat mode), not answered yet."""
    messages = state.get("messages") or []
    last = messages[-1] if messages else None
    if isinstance(last, HumanMessage) and last.id != state.get("message_id"):
        return last
    return None


def bounded_messages(state: RouterState, answer: AIMessage, turns: int) -> list[BaseMessage]:
    """The answer, and removals that keep the last `turns` turns (a turn: the customer's message and the
    answer), so the chat view is as lean as the turn window."""
    kept = [*(state.get("messages") or []), answer]
    limit = 2 * max(turns, 1)
    return [*(RemoveMessage(id=str(m.id)) for m in kept[:-limit] if m.id), answer]


def thread_id_of(config: RunnableConfig) -> str:
    """The one thread id of a run: the checkpointer's. A run without a thread (no checkpointer) gets its
    run id, so its ledger keys and outbox events are still its own."""
    configurable = config.get("configurable") or {}
    return str(configurable.get("thread_id") or config.get("run_id") or "")
