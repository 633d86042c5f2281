"""The model factory: one way to get a chat model for a decision point.

A decider string is 'deterministic' or 'provider:model' (`init_chat_model`), e.g. 'openai:gpt-4o-mini';
with OPENAI_BASE_URL any OpenAI-compatible server (vLLM, Ollama, LM Studio, a gateway) works.
Tests and benchmarks register scripted models under their own names ('scripted:NAME').
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from switchboard.config.errors import ConfigurationError
from switchboard.config.settings import get_settings

if TYPE_CHECKING:  # only for types: `route` and `--help` must not load LangChain
    from langchain_core.language_models import BaseChatModel

DETERMINISTIC = "deterministic"

_lock = threading.Lock()
_registered: dict[str, BaseChatModel] = {}
_cache: dict[tuple[str, str | None, float, float], BaseChatModel] = {}


def is_deterministic(decider: str) -> bool:
    return decider.strip().lower() in ("", DETERMINISTIC)


def register_model(name: str, model: BaseChatModel) -> str:
    """Make `model` available as the decider 'scripted:NAME' (tests, benchmarks, notebooks)."""
    key = f"scripted:{name}"
    with _lock:
        _registered[key] = model
    return key


def unregister_model(name: str) -> None:
    with _lock:
        _registered.pop(f"scripted:{name}", None)


def endpoint_of(decider: str) -> str:
    """Where a decider's calls go (base URL + model): the unit a circuit breaker watches."""
    spec = decider.strip()
    if spec.startswith("scripted:"):
        return spec
    provider = spec.split(":", 1)[0]
    base_url = get_settings().openai_base_url if provider == "openai" else None
    return f"{base_url or provider + ' default endpoint'} {spec}"


def get_chat_model(decider: str) -> BaseChatModel:
    """The chat model a 'provider:model' decider names. Raises ConfigurationError when unusable."""
    spec = decider.strip()
    with _lock:
        if spec in _registered:
            return _registered[spec]
    if spec.startswith("scripted:"):
        raise ConfigurationError(f"decider '{spec}': no scripted model is registered under that name")
    if ":" not in spec:
        raise ConfigurationError(
            f"decider '{spec}': expected 'deterministic' or 'provider:model' such as 'openai:gpt-4o-mini'"
        )
    settings = get_settings()
    key = (spec, settings.openai_base_url, settings.model_timeout, settings.model_connect_timeout)
    with _lock:
        if key in _cache:
            return _cache[key]
    provider = spec.split(":", 1)[0]
    import httpx

    # Reaching the endpoint gets seconds, one call MODEL_TIMEOUT; the decision point's budget bounds the rest.
    timeout = httpx.Timeout(settings.model_timeout, connect=settings.model_connect_timeout)
    # Calls with tools (the structured decisions, the specialists' tool rounds) never stream: nothing
    # shows them token by token. A call without tools (the composer's reply) streams when a streaming
    # callback listens, as LangGraph's `messages` stream mode does (Studio's chat view).
    kwargs: dict[str, object] = {
        "temperature": settings.model_temperature,
        "timeout": timeout,
        "disable_streaming": "tool_calling",
    }
    if provider == "openai":
        kwargs["stream_usage"] = True  # a streamed reply still reports its tokens (metered and priced)
        if settings.openai_base_url:
            kwargs["base_url"] = settings.openai_base_url
        if settings.openai_api_key is not None:
            kwargs["api_key"] = settings.openai_api_key.get_secret_value()
        elif not settings.openai_base_url:
            raise ConfigurationError(
                f"decider '{spec}': OPENAI_API_KEY is not set (or set OPENAI_BASE_URL for a local server)"
            )
        else:
            kwargs["api_key"] = "not-needed"  # local OpenAI-compatible servers ignore it
    from langchain.chat_models import init_chat_model

    try:
        model = init_chat_model(spec, **kwargs)  # type: ignore[call-overload]
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(f"decider '{spec}': {str(exc).splitlines()[0]}") from None
    with _lock:
        _cache[key] = model
    return model
