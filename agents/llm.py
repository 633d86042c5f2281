"""Shared plumbing of the LLM implementations: structured output over tool calling.

Function calling is used for structured output because every OpenAI-compatible server that
supports tools supports it (vLLM, Ollama, LM Studio), unlike strict JSON-schema response formats.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.messages import BaseMessage
from langgraph.constants import TAG_NOSTREAM
from pydantic import BaseModel, ValidationError

from switchboard.agents.breaker import breaker_for
from switchboard.agents.models import endpoint_of, get_chat_model
from switchboard.config.errors import ModelUnavailable
from switchboard.config.settings import get_settings
from switchboard.observability import logs, metrics, tracing
from switchboard.observability.cost import current_budget, prices

if TYPE_CHECKING:  # LangChain's chat models load with the first model decider, not with a deterministic run
    from langchain_core.language_models import BaseChatModel

T = TypeVar("T", bound=BaseModel)
R = TypeVar("R")

log = logging.getLogger(__name__)


class DecisionError(Exception):
    """A model's answer did not fit the decision point's contract, or the model could not be reached."""


class EndpointError(DecisionError):
    """The model endpoint failed (unreachable, an error status, a timeout): it counts against its breaker."""


@lru_cache(maxsize=1)
def model_errors() -> tuple[type[BaseException], ...]:
    """Errors of an unreachable or failing model endpoint (the run falls back, it does not fail).

    Looked up when a model call fails, not at import: the openai package costs a second of start-up
    to every command, and a deterministic run never needs it."""
    import httpx

    errors: list[type[BaseException]] = [httpx.HTTPError, TimeoutError, ConnectionError]
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:  # pragma: no cover - langchain-openai brings openai
        pass
    return tuple(errors)


@dataclass
class Usage:
    """What a decision point's model calls cost, and where it fell back: kept in the run's state, so in
    Postgres. `fallbacks` holds one `Fallback` (as JSON) per decision point that used its twin; cost is
    in millionths of the price table's currency (exact sums)."""

    model_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    fallbacks: list[dict[str, str]] = field(default_factory=list)
    cost_micros: int = 0
    decider: str = ""

    def add(self, message: Any) -> None:
        self.model_calls += 1
        metadata = getattr(message, "usage_metadata", None) or {}
        tokens_in = int(metadata.get("input_tokens") or 0)
        tokens_out = int(metadata.get("output_tokens") or 0)
        self.input_tokens += tokens_in
        self.output_tokens += tokens_out
        self.cost_micros += prices().cost_micros(self.decider or "unknown", tokens_in, tokens_out)

    def as_dict(self) -> dict[str, int]:
        return {
            "model_calls": self.model_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_micros": self.cost_micros,
            "fallbacks": len(self.fallbacks),
        }


USAGE_KEYS = ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks")


def total_usage(parts: Iterable[Mapping[str, Any] | None]) -> dict[str, int]:
    total = {key: 0 for key in USAGE_KEYS}
    for part in parts:
        for key in USAGE_KEYS:
            value = (part or {}).get(key, 0)
            total[key] += len(value) if isinstance(value, list) else int(value or 0)
    return total


_meter: ContextVar[Usage | None] = ContextVar("switchboard_usage", default=None)


@contextmanager
def metered(point: str = "", decider: str = "", domain: str | None = None) -> Iterator[Usage]:
    """One decision point's work: its model calls, tokens, cost and fallbacks (in the state), its span
    (decider and fallback as attributes, model calls as children), its metrics, and its spend against the
    request's budget."""
    usage = Usage(decider=decider)
    model = decider or "deterministic"
    token = _meter.set(usage)
    started = time.perf_counter()
    try:
        with tracing.decision_span(
            f"decide {point or 'decision'}",
            {
                "switchboard.decision_point": point,
                "switchboard.decider": model,
                "switchboard.domain": domain,
            },
        ) as current:
            yield usage
            tracing.set_attributes(
                current,
                {
                    "switchboard.fallback": bool(usage.fallbacks),
                    "gen_ai.usage.input_tokens": usage.input_tokens if usage.model_calls else None,
                    "gen_ai.usage.output_tokens": usage.output_tokens if usage.model_calls else None,
                    "switchboard.model_calls": usage.model_calls,
                    "switchboard.cost_micros": usage.cost_micros if usage.model_calls else None,
                },
            )
    finally:
        _meter.reset(token)
        budget = current_budget()
        if budget is not None:
            budget.spend(usage.input_tokens + usage.output_tokens, usage.cost_micros, usage.model_calls)
        if point:
            metrics.record_decision(
                point,
                model,
                time.perf_counter() - started,
                usage.as_dict(),
                bool(usage.fallbacks),
                prices().currency,
            )


async def invoke_model(
    runnable: Any, messages: list[BaseMessage], decider: str = "", *, chat: bool = False
) -> Any:
    """`runnable.ainvoke(messages)`: metered (priced as `decider`'s model), with endpoint failures turned
    into DecisionError.

    `chat`: the call writes the customer's reply, so LangGraph's `messages` stream (Studio's chat view,
    `stream_mode="messages-tuple"`) carries its tokens. Every other call (a structured decision, a
    specialist's tool round) is tagged `nostream`: internal work, kept out of the chat."""
    try:
        reply = await (runnable if chat else runnable.with_config(tags=[TAG_NOSTREAM])).ainvoke(messages)
    except model_errors() as exc:  # evaluated only when the call raised
        raise EndpointError(
            f"model call failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc
    usage = _meter.get()
    if usage is not None:
        usage.decider = usage.decider or decider
        usage.add(reply)
    return reply


_runnables: dict[tuple[int, type[BaseModel]], tuple[BaseChatModel, Any]] = {}


def _structured_runnable(model: BaseChatModel, schema: type[BaseModel]) -> Any:
    """The model bound to one function (the schema), forced: built once per model and schema, since
    converting the schema is not free."""
    key = (id(model), schema)
    cached = _runnables.get(key)
    if cached is None or cached[0] is not model:  # the identity check guards against a reused id
        cached = (model, model.bind_tools([schema], tool_choice=schema.__name__))
        _runnables[key] = cached
    return cached[1]


async def structured(decider: str, schema: type[T], messages: list[BaseMessage]) -> T:
    """Ask the decider's model for one `schema` object (function calling; the call is metered)."""
    reply = await invoke_model(_structured_runnable(get_chat_model(decider), schema), messages, decider)
    calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == schema.__name__]
    if not calls:
        named = [c["name"] for c in getattr(reply, "tool_calls", None) or []]
        raise DecisionError(f"{schema.__name__}: no call to it in the answer (calls: {named or 'none'})")
    try:
        return schema.model_validate(calls[0]["args"])
    except ValidationError as exc:
        raise DecisionError(f"{schema.__name__}: {exc.errors()[0].get('msg')}") from exc


async def decide_or_fall_back(
    point: str,
    decider: str,
    model: Callable[[], Awaitable[R]],
    twin: Callable[[], R | Awaitable[R]],
) -> R:
    """The decision point `point` by its model, within MODEL_DECISION_BUDGET and its endpoint's breaker.

    When the model cannot decide (endpoint failing or circuit open, no answer in the budget, an answer
    outside the contract) the deterministic `twin` decides, and the fallback is recorded in the current
    `metered()` usage, so in the run's result and path; with MODEL_FAILURE=error it is an error instead.
    """
    settings = get_settings()
    breaker = breaker_for(
        endpoint_of(decider), settings.model_breaker_threshold, settings.model_breaker_cooldown
    )
    reason = breaker.refusal()
    if reason is None:
        get_chat_model(decider)  # built (and its client imported) outside the budget: that is no model wait
        try:
            async with asyncio.timeout(settings.model_decision_budget):
                decided = await model()
        except TimeoutError:
            breaker.failed()
            reason = f"no decision within MODEL_DECISION_BUDGET={settings.model_decision_budget:g} s"
        except EndpointError as exc:
            breaker.failed()
            reason = str(exc)
        except DecisionError as exc:
            breaker.succeeded()  # the endpoint answered; the answer did not fit
            reason = str(exc)
        else:
            breaker.succeeded()
            return decided
    if settings.model_failure == "error":
        raise ModelUnavailable(f"{point}: model '{decider}' failed: {reason} (MODEL_FAILURE=error)")
    log.warning("%s: model '%s' failed (%s); the deterministic %s decides", point, decider, reason, point)
    usage = _meter.get()
    if usage is not None:
        usage.fallbacks.append({"point": point, "decider": decider, "reason": reason})
    logs.event("decision.fallback", level=logging.WARNING, point=point, decider=decider, reason=reason[:300])
    result = twin()
    return await result if inspect.isawaitable(result) else result  # type: ignore[return-value]
