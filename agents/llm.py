"""Shared plumbing of the LLM implementations: structured output over tool calling.

Function calling is used for structured output because every OpenAI-compatible server that
supports tools supports it (vLLM, Ollama, LM Studio), unlike strict JSON-schema response formats.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from switchboard.agents.models import get_chat_model

T = TypeVar("T", bound=BaseModel)


class DecisionError(Exception):
    """A model's answer did not fit the decision point's contract, or the model could not be reached."""


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Errors of an unreachable or failing model endpoint (the run falls back, it does not fail)."""
    import httpx

    errors: list[type[BaseException]] = [httpx.HTTPError, TimeoutError, ConnectionError]
    try:
        import openai

        errors.append(openai.APIError)
    except ImportError:  # pragma: no cover - langchain-openai brings openai
        pass
    return tuple(errors)


MODEL_ERRORS = _transport_errors()


@dataclass
class Usage:
    """What a decision point's model calls cost: kept in the run's state, so in Postgres."""

    model_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0

    def add(self, message: Any) -> None:
        self.model_calls += 1
        metadata = getattr(message, "usage_metadata", None) or {}
        self.input_tokens += int(metadata.get("input_tokens") or 0)
        self.output_tokens += int(metadata.get("output_tokens") or 0)

    def as_dict(self) -> dict[str, int]:
        return {
            "model_calls": self.model_calls,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
        }


def total_usage(parts: Iterable[Mapping[str, int] | None]) -> dict[str, int]:
    total = Usage()
    for part in parts:
        for key in ("model_calls", "input_tokens", "output_tokens"):
            setattr(total, key, getattr(total, key) + int((part or {}).get(key, 0)))
    return total.as_dict()


_meter: ContextVar[Usage | None] = ContextVar("switchboard_usage", default=None)


@contextmanager
def metered() -> Iterator[Usage]:
    """Count the model calls and tokens of the code inside (one decision point's work)."""
    usage = Usage()
    token = _meter.set(usage)
    try:
        yield usage
    finally:
        _meter.reset(token)


async def invoke_model(runnable: Any, messages: list[BaseMessage]) -> Any:
    """`runnable.ainvoke(messages)`: metered, with endpoint failures turned into DecisionError."""
    try:
        reply = await runnable.ainvoke(messages)
    except MODEL_ERRORS as exc:
        raise DecisionError(
            f"model call failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc
    usage = _meter.get()
    if usage is not None:
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
    reply = await invoke_model(_structured_runnable(get_chat_model(decider), schema), messages)
    calls = [c for c in getattr(reply, "tool_calls", None) or [] if c["name"] == schema.__name__]
    if not calls:
        named = [c["name"] for c in getattr(reply, "tool_calls", None) or []]
        raise DecisionError(f"{schema.__name__}: no call to it in the answer (calls: {named or 'none'})")
    try:
        return schema.model_validate(calls[0]["args"])
    except ValidationError as exc:
        raise DecisionError(f"{schema.__name__}: {exc.errors()[0].get('msg')}") from exc
