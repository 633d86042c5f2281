"""LangChain callbacks -> OpenTelemetry spans: the graph run, its nodes, model calls and tool calls.

Loaded only when tracing is on (`tracing.run_callbacks()`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler
from opentelemetry import trace
from opentelemetry.trace import Span, SpanKind

from switchboard.observability import tracing
from switchboard.observability.tracing import _clean, _inner, _owners, _parent_context

_SKIP = object()


def _provider_name(serialized: Mapping[str, Any] | None, params: Mapping[str, Any]) -> str:
    kind = str(params.get("_type") or params.get("ls_provider") or "")
    ident = " ".join(str(p) for p in (serialized or {}).get("id", []) or [])
    for name in ("openai", "anthropic", "ollama", "azure", "mistral", "google", "bedrock"):
        if name in kind.lower() or name in ident.lower():
            return name
    return kind or "unknown"


class SpanHandler(BaseCallbackHandler):
    """Spans for the graph run, its nodes, model calls and tool calls, from LangChain's callbacks.

    Runs inline (no thread hop) and keeps only a map of run id -> span; runs that are not nodes (edge
    functions, a subgraph's own run inside its node) share their parent's span.
    """

    run_inline = True
    raise_error = False

    def __init__(self, **root_attributes: Any) -> None:
        self._spans: dict[str, Span | object] = {}
        self._parents: dict[str, str | None] = {}
        self._names: dict[str, str] = {}
        self._root_attributes = root_attributes
        self._claimed: set[str] = set()  # node runs whose span a decision point has taken as its own

    # -- bookkeeping

    def span_for(self, run_id: str) -> Span | None:
        """The span of a run, or of its nearest ancestor that has one."""
        key: str | None = run_id
        while key is not None:
            found = self._spans.get(key)
            if isinstance(found, Span):
                return found
            key = self._parents.get(key)
        return None

    def claim_span(self, run_id: str) -> Span | None:
        """The span of this very run (a graph node's) for the first decision made in it; None after."""
        found = self._spans.get(run_id)
        if not isinstance(found, Span) or run_id in self._claimed:
            return None
        self._claimed.add(run_id)
        return found

    def _start(
        self,
        run_id: uuid.UUID,
        parent_run_id: uuid.UUID | None,
        name: str,
        kind: SpanKind,
        attributes: Mapping[str, Any],
        inner_first: bool = False,
    ) -> None:
        key, parent_key = str(run_id), str(parent_run_id) if parent_run_id else None
        self._parents[key] = parent_key
        parent: Span | None = None
        if inner_first:  # a model call made inside a decision point's span belongs to it
            inner = _inner.get()
            if inner is not None and inner[1] == parent_key:
                parent = inner[0]
        if parent is None and parent_key is not None:
            parent = self.span_for(parent_key)
        ctx = trace.set_span_in_context(parent) if parent is not None else _parent_context()
        self._spans[key] = tracing._tracer.start_span(
            name, context=ctx, kind=kind, attributes=_clean(attributes)
        )
        _owners[key] = self

    def _skip(self, run_id: uuid.UUID, parent_run_id: uuid.UUID | None) -> None:
        key = str(run_id)
        self._spans[key] = _SKIP
        self._parents[key] = str(parent_run_id) if parent_run_id else None
        _owners[key] = self

    def _end(self, run_id: uuid.UUID, error: BaseException | None = None, **attributes: Any) -> None:
        key = str(run_id)
        found = self._spans.pop(key, None)
        _owners.pop(key, None)
        if not isinstance(found, Span):
            return
        if error is not None:
            tracing.mark_error(found, error)
        if attributes:
            found.set_attributes(_clean(attributes))
        found.end()
        if self._parents.get(key) is None:  # the root run ended: forget the whole run
            for other in self._spans:
                _owners.pop(other, None)
            self._spans.clear()
            self._parents.clear()
            self._names.clear()
            self._claimed.clear()

    # -- chains: the graph and its nodes

    def on_chain_start(
        self,
        serialized: dict[str, Any] | None,
        inputs: Any,
        *,
        run_id: uuid.UUID,
        parent_run_id: uuid.UUID | None = None,
        tags: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        name = str(kwargs.get("name") or "")
        metadata = metadata or {}
        node = metadata.get("langgraph_node")
        parent_name = self._names.get(str(parent_run_id)) if parent_run_id else None
        if parent_run_id is None or str(parent_run_id) not in self._parents:
            self._names[str(run_id)] = name
            self._start(
                run_id,
                parent_run_id,
                f"invoke_agent {name or 'graph'}",
                SpanKind.INTERNAL,
                {"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name, **self._root_attributes},
            )
            return
        if not node or name != node or parent_name == name:  # edges, writers, a subgraph inside its node
            if parent_name == name and parent_run_id is not None:  # the node runs a subgraph: a domain
                outer = self._spans.get(str(parent_run_id))
                if isinstance(outer, Span):
                    outer.update_name(f"domain {name}")
                    outer.set_attribute("switchboard.domain", name)
            self._skip(run_id, parent_run_id)
            self._names[str(run_id)] = name
            return
        self._names[str(run_id)] = name
        ns = str(metadata.get("checkpoint_ns") or "")
        domain = ns.split(":", 1)[0] if ns else None
        self._start(
            run_id,
            parent_run_id,
            f"node {name}",
            SpanKind.INTERNAL,
            {
                "langgraph.node": name,
                "langgraph.step": metadata.get("langgraph_step"),
                "switchboard.domain": domain,
            },
        )

    def on_chain_end(self, outputs: Any, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id)

    def on_chain_error(self, error: BaseException, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id, error)

    # -- model calls (GenAI semantic conventions)

    def on_chat_model_start(
        self,
        serialized: dict[str, Any] | None,
        messages: Any,
        *,
        run_id: uuid.UUID,
        parent_run_id: uuid.UUID | None = None,
        metadata: dict[str, Any] | None = None,
        invocation_params: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        params = {**(metadata or {}), **(invocation_params or {})}
        model = str(params.get("model") or params.get("model_name") or params.get("ls_model_name") or "")
        self._start(
            run_id,
            parent_run_id,
            f"chat {model}".strip(),
            SpanKind.CLIENT,
            {
                "gen_ai.operation.name": "chat",
                "gen_ai.provider.name": _provider_name(serialized, params),
                "gen_ai.system": _provider_name(serialized, params),
                "gen_ai.request.model": model or None,
                "gen_ai.request.temperature": params.get("temperature"),
            },
            inner_first=True,
        )
        self._names[str(run_id)] = "chat"

    def on_llm_start(self, serialized: dict[str, Any] | None, prompts: Any, **kwargs: Any) -> None:
        self.on_chat_model_start(serialized, prompts, **kwargs)

    def on_llm_end(self, response: Any, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        usage: dict[str, Any] = {}
        model = finish = None
        generations = getattr(response, "generations", None) or []
        if generations and generations[0]:
            message = getattr(generations[0][0], "message", None)
            usage = dict(getattr(message, "usage_metadata", None) or {})
            meta = getattr(message, "response_metadata", None) or {}
            model, finish = meta.get("model_name"), meta.get("finish_reason")
        if not usage:
            token_usage = (getattr(response, "llm_output", None) or {}).get("token_usage") or {}
            usage = {
                "input_tokens": token_usage.get("prompt_tokens"),
                "output_tokens": token_usage.get("completion_tokens"),
            }
        self._end(
            run_id,
            None,
            **{
                "gen_ai.usage.input_tokens": usage.get("input_tokens"),
                "gen_ai.usage.output_tokens": usage.get("output_tokens"),
                "gen_ai.response.model": model,
                "gen_ai.response.finish_reasons": [str(finish)] if finish else None,
            },
        )

    def on_llm_error(self, error: BaseException, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id, error)

    # -- tool calls (a specialist's store tools)

    def on_tool_start(
        self,
        serialized: dict[str, Any] | None,
        input_str: str,
        *,
        run_id: uuid.UUID,
        parent_run_id: uuid.UUID | None = None,
        **kwargs: Any,
    ) -> None:
        name = str(kwargs.get("name") or (serialized or {}).get("name") or "tool")
        self._start(
            run_id,
            parent_run_id,
            f"execute_tool {name}",
            SpanKind.INTERNAL,
            {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name},
            inner_first=True,
        )
        self._names[str(run_id)] = name

    def on_tool_end(self, output: Any, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id, error)
