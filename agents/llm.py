"""Shared plumbing of the LLM implementations: structured output over tool calling.

Function calling is used for structured output because every OpenAI-compatible server that
supports tools supports it (vLLM, Ollama, LM Studio), unlike strict JSON-schema response formats.
"""

from __future__ import annotations

from typing import Any, TypeVar

from langchain_core.exceptions import OutputParserException
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from agents.models import get_chat_model

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


async def invoke_model(runnable: Any, messages: list[BaseMessage]) -> Any:
    """`runnable.ainvoke(messages)`, with endpoint failures turned into DecisionError."""
    try:
        return await runnable.ainvoke(messages)
    except MODEL_ERRORS as exc:
        raise DecisionError(
            f"model call failed: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc


_runnables: dict[tuple[int, type[BaseModel]], tuple[BaseChatModel, Any]] = {}


def _structured_runnable(model: BaseChatModel, schema: type[BaseModel]) -> Any:
    """Built once per model and schema: building it converts the schema, which is not free."""
    key = (id(model), schema)
    cached = _runnables.get(key)
    if cached is None or cached[0] is not model:  # the identity check guards against a reused id
        cached = (model, model.with_structured_output(schema, method="function_calling"))
        _runnables[key] = cached
    return cached[1]


async def structured(decider: str, schema: type[T], messages: list[BaseMessage]) -> T:
    """Ask the decider's model for one `schema` object."""
    runnable = _structured_runnable(get_chat_model(decider), schema)
    try:
        result = await invoke_model(runnable, messages)
    except ValidationError as exc:
        raise DecisionError(f"{schema.__name__}: {exc.errors()[0].get('msg')}") from exc
    except (OutputParserException, ValueError) as exc:  # a call to another function, arguments not a dict
        raise DecisionError(f"{schema.__name__}: {str(exc).splitlines()[0]}") from exc
    if isinstance(result, dict):
        try:
            return schema.model_validate(result)
        except ValidationError as exc:
            raise DecisionError(f"{schema.__name__}: {exc.errors()[0].get('msg')}") from exc
    if not isinstance(result, schema):
        raise DecisionError(f"{schema.__name__}: the model returned {type(result).__name__}")
    return result
