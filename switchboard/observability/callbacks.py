"""LangChain callbacks -> OpenTelemetry spans: the graph run, its nodes, model calls and tool calls.

Loaded only when tracing is on (`tracing.run_callbacks()`).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping
from typing import Any

from langchain_core.callbacks import BaseCallbackHandler

from switchboard.observability import tracing
from switchboard.observability.tracing import Run, _runs, span_of_run


@functools.lru_cache(maxsize=256)
def _provider_of(kind: str, ident: tuple[Any, ...]) -> str:
    """The GenAI provider of a model class (worked out once per class: a model call's span needs it)."""
    text = " ".join(str(p) for p in ident).lower()
    for name in ("openai", "anthropic", "ollama", "azure", "mistral", "google", "bedrock"):
        if name in kind.lower() or name in text:
            return name
    return kind or "unknown"


def _param(key: str, first: Mapping[str, Any], second: Mapping[str, Any]) -> Any:
    value = first.get(key)
    return value if value is not None else second.get(key)


class SpanHandler(BaseCallbackHandler):
    """Spans for the graph run, its nodes, model calls and tool calls, from LangChain's callbacks.

    Runs inline (no thread hop) and records each run in progress in `tracing._runs` (keyed by run id:
    one handler may serve concurrent runs); runs that are not nodes (edge functions, channel writers, a
    subgraph's own run inside its node) share their parent's span.
    """

    run_inline = True
    raise_error = False

    def __init__(self, **root_attributes: Any) -> None:
        self._root_attributes = root_attributes

    def _add(self, run_id: uuid.UUID, parent_run_id: uuid.UUID | None, name: str, span: Any = None) -> Run:
        parent = _runs.get(parent_run_id) if parent_run_id is not None else None
        run = _runs[run_id] = Run(span, parent_run_id, name, parent.root if parent is not None else run_id)
        return run

    def _end(self, run_id: uuid.UUID, error: BaseException | None = None, **attributes: Any) -> None:
        run = _runs.pop(run_id, None)
        if run is None:
            return
        if run.span is not None:
            if error is not None:
                tracing.mark_error(run.span, error)
            if attributes:
                run.span.set_attributes(attributes)
            run.span.end()
        if run.root == run_id:  # the root ended: nothing of its run may stay behind
            left = [k for k, r in list(_runs.items()) if r.root == run_id]  # list(): one step under the GIL
            for key in left:
                _runs.pop(key, None)

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
        parent = _runs.get(parent_run_id) if parent_run_id is not None else None
        if parent is None:  # the graph run (under the request's span, or a trace of its own)
            self._add(
                run_id,
                None,
                name,
                tracing.start_span(
                    f"invoke_agent {name or 'graph'}",
                    {
                        "gen_ai.operation.name": "invoke_agent",
                        "gen_ai.agent.name": name,
                        **self._root_attributes,
                    },
                ),
            )
            return
        metadata = metadata or {}
        node = metadata.get("langgraph_node")
        if not node or name != node or parent.name == name:  # edges, writers, a subgraph inside its node
            if parent.name == name and parent.span is not None:  # the node runs a subgraph: a domain
                parent.span.update_name(f"domain {name}")
                parent.span.set_attribute("switchboard.domain", name)
                parent.claimable = False
            self._add(run_id, parent_run_id, name)
            return
        ns = str(metadata.get("checkpoint_ns") or "")
        current = tracing.start_span(
            f"node {name}",
            {
                "langgraph.node": name,
                "langgraph.step": metadata.get("langgraph_step"),
                "switchboard.domain": ns.split(":", 1)[0] if ns else None,
            },
            parent=span_of_run(parent_run_id),
        )
        self._add(run_id, parent_run_id, name, current).claimable = current.is_recording()

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
        # the call's own parameters first, then the run's metadata (LangChain's ls_* keys)
        call, meta = invocation_params or {}, metadata or {}
        model = str(
            _param("model", call, meta) or _param("model_name", call, meta) or meta.get("ls_model_name") or ""
        )
        provider = _provider_of(
            str(call.get("_type") or meta.get("ls_provider") or call.get("ls_provider") or ""),
            tuple((serialized or {}).get("id") or ()),
        )
        # under the caller's span: the decision point's
        self._add(
            run_id,
            parent_run_id,
            "chat",
            tracing.start_span(
                f"chat {model}".strip(),
                {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": provider,
                    "gen_ai.system": provider,
                    "gen_ai.request.model": model or None,
                    "gen_ai.request.temperature": _param("temperature", call, meta),
                },
                kind="client",
            ),
        )

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
        self._add(
            run_id,
            parent_run_id,
            name,
            tracing.start_span(
                f"execute_tool {name}",
                {"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": name},
            ),
        )

    def on_tool_end(self, output: Any, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id)

    def on_tool_error(self, error: BaseException, *, run_id: uuid.UUID, **kwargs: Any) -> None:
        self._end(run_id, error)
