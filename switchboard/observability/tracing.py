"""OpenTelemetry traces of a request: surface, graph run, nodes, domains, decisions, store, actions, models.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` is set (or a test or benchmark passes an exporter): then no SDK
provider is installed, `span()` returns at once, and no callback handler joins the graph's config, so
tracing costs nothing. LangSmith (LANGSMITH_TRACING) is independent and keeps working beside it.

Where spans come from (few places, no instrumentation sprinkled through the code):
- `SpanHandler`, a LangChain callback handler in the run's config: the graph run, every node (a domain
  node is the span of its whole subgraph, so parallel domains overlap as they ran), model calls (GenAI
  semantic conventions: gen_ai.provider.name, gen_ai.request.model, gen_ai.usage.input_tokens, ...) and
  tool calls;
- `span()`: the surface (CLI command, SDK call; HTTP comes from the FastAPI instrumentation), each
  decision point (`metered()`), each store query (the store connection's cursor), each write action and
  the outbox worker's handling of an event (linked to the request that published it).

A span started in a node is parented to that node's span: LangChain keeps the current run in a context
variable, and `SpanHandler` maps run ids to spans. The customer is `customer.pseudonym`, an HMAC of the
id under PSEUDONYM_SECRET: stable, never the id or any personal data.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from switchboard.config.settings import Settings, get_settings

# OpenTelemetry is imported only when tracing is turned on: off, nothing of it is loaded or called.
_tracer: Any = None
_provider: Any = None  # the SDK TracerProvider when tracing is on
_enabled = False


class _NoSpan:
    """What `span()` yields when tracing is off."""

    def is_recording(self) -> bool:
        return False

    def set_attribute(self, key: str, value: Any) -> None:
        pass

    def set_attributes(self, attributes: Mapping[str, Any]) -> None:
        pass


NO_SPAN = _NoSpan()


def enabled() -> bool:
    return _enabled


def configure_telemetry(
    settings: Settings | None = None, *, exporter: Any = None, batch: bool = False
) -> bool:
    """Install an SDK tracer provider when an OTLP endpoint is set (or `exporter` is given); True when on.

    `exporter` (tests, benchmarks) is exported synchronously unless `batch`; the OTLP exporter in batches,
    from a thread of its own. Calling it again replaces the provider; with no endpoint and no exporter,
    tracing is off.
    """
    global _tracer, _provider, _enabled
    settings = settings or get_settings()
    endpoint = settings.otel_exporter_otlp_endpoint
    if _provider is not None:
        _provider.shutdown()
        _provider, _tracer, _enabled = None, None, False
    if exporter is None and not endpoint:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": settings.otel_service_name, "service.namespace": "switchboard"}
        )
    )
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        assert endpoint is not None
        url = endpoint if endpoint.rstrip("/").endswith("/v1/traces") else endpoint.rstrip("/") + "/v1/traces"
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=url)))
    _provider, _tracer, _enabled = provider, provider.get_tracer("switchboard"), True
    return True


def tracer_provider() -> Any:
    """The SDK provider when tracing is on (for instrumentations such as FastAPI's), else None."""
    return _provider


def shutdown_telemetry() -> None:
    """Flush spans still in the batch (a CLI command ends right after its request)."""
    if _provider is not None:
        _provider.force_flush(timeout_millis=5000)


def pseudonym(customer_id: object) -> str:
    """A stable pseudonymous id for a customer: the same id always gives the same value; it cannot be
    turned back into the id without PSEUDONYM_SECRET."""
    if not customer_id:
        return ""
    key = get_settings().pseudonym_secret.get_secret_value().encode()
    return "c_" + hmac.new(key, str(customer_id).encode(), hashlib.sha256).hexdigest()[:20]


# ------------------------------------------------------------------ the current run's span

# The innermost span started with `span()` in this task, with the LangChain run it was started in.
_inner: ContextVar[tuple[Any, str | None] | None] = ContextVar("switchboard_inner_span", default=None)
_owners: dict[str, Any] = {}  # LangChain run id -> the SpanHandler that holds its span


def _current_run_id() -> str | None:
    """The LangChain run (graph node) the caller runs in; None outside a graph run."""
    module = sys.modules.get("langchain_core.runnables.config")
    if module is None:  # nothing of LangChain loaded: no run in progress
        return None
    config = module.var_child_runnable_config.get()
    manager = (config or {}).get("callbacks")
    run_id = getattr(manager, "parent_run_id", None)
    return str(run_id) if run_id is not None else None


def _parent_span() -> Any:
    """The span new work belongs to: the innermost `span()` of this node, else the node's own span."""
    run_id = _current_run_id()
    inner = _inner.get()
    if inner is not None and inner[1] == run_id:
        return inner[0]
    if run_id is not None:
        handler = _owners.get(run_id)
        found = handler.span_for(run_id) if handler is not None else None
        if found is not None:
            return found
    return inner[0] if inner is not None else None


@functools.cache
def _otel() -> tuple[Any, Any, dict[str, Any]]:
    """The OpenTelemetry modules `span()` uses, imported once, when tracing is first used."""
    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.trace import SpanKind

    return otel_context, trace, {k.name.lower(): k for k in SpanKind}


def _parent_context() -> Any:
    parent = _parent_span()
    return _otel()[1].set_span_in_context(parent) if parent is not None else None


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in attributes.items() if v is not None}


@contextmanager
def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: str = "internal",
    links: list[Any] | None = None,
    new_trace: bool = False,
) -> Iterator[Any]:
    """A span around the code inside, parented to the current node's span (or the current span).

    kind: "internal", "client", "server", "consumer" or "producer"."""
    if not _enabled:
        yield NO_SPAN
        return
    otel_context, trace, kinds = _otel()
    parent = otel_context.Context() if new_trace else _parent_context()
    current = _tracer.start_span(
        name, context=parent, kind=kinds[kind], attributes=_clean(attributes or {}), links=links
    )
    attached = otel_context.attach(trace.set_span_in_context(current))
    token = _inner.set((current, _current_run_id()))
    try:
        yield current
    except BaseException as exc:
        mark_error(current, exc)
        raise
    finally:
        _inner.reset(token)
        otel_context.detach(attached)
        current.end()


PAUSES = ("GraphInterrupt", "NodeInterrupt", "ParentCommand")  # LangGraph's control flow, not failures


def mark_error(target: Any, exc: BaseException) -> None:
    """Record an exception on a span: an approval pause is an attribute, anything else an error."""
    if type(exc).__name__ in PAUSES:
        target.set_attribute("switchboard.paused", True)
        return
    from opentelemetry.trace import Status, StatusCode

    target.record_exception(exc)
    target.set_status(Status(StatusCode.ERROR, type(exc).__name__))
    target.set_attribute("error.type", type(exc).__name__)


@contextmanager
def decision_span(name: str, attributes: Mapping[str, Any]) -> Iterator[Any]:
    """The span of a decision point: the span of the graph node it runs in, renamed (one span, not two:
    a decision point is a node's whole work), else a span of its own (a graph run without the callbacks)."""
    if not _enabled:
        yield NO_SPAN
        return
    run_id = _current_run_id()
    handler = _owners.get(run_id) if run_id is not None else None
    found = handler.claim_span(run_id) if handler is not None else None
    if found is None:  # no node span, or a second decision in the same node: a span of its own
        with span(name, attributes) as current:
            yield current
        return
    found.update_name(name)
    found.set_attributes(_clean(attributes))
    yield found


def set_attributes(target: Any, attributes: Mapping[str, Any]) -> None:
    if _enabled and target.is_recording():
        target.set_attributes(_clean(attributes))


def current_trace_id() -> str | None:
    """The hex trace id of the work in progress (None when tracing is off or outside a trace)."""
    if not _enabled:
        return None
    from opentelemetry import trace

    current = _parent_span() or trace.get_current_span()
    ctx = current.get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


def inject_context() -> dict[str, str]:
    """W3C trace context of the current span (`traceparent`), to store with an outbox event."""
    if not _enabled:
        return {}
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    carrier: dict[str, str] = {}
    TraceContextTextMapPropagator().inject(carrier, context=_parent_context())
    return carrier


def link_from(carrier: Mapping[str, str] | None) -> list[Any]:
    """A link to the span whose context `inject_context()` stored (the request that published an event)."""
    if not _enabled or not carrier:
        return []
    from opentelemetry import trace
    from opentelemetry.trace import Link
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    ctx = trace.get_current_span(TraceContextTextMapPropagator().extract(dict(carrier))).get_span_context()
    return [Link(ctx, {"switchboard.link": "published_by"})] if ctx.is_valid else []


def run_callbacks(**root_attributes: Any) -> list[Any]:
    """The callbacks a graph run needs for its spans: none when tracing is off."""
    if not _enabled:
        return []
    from switchboard.observability.callbacks import SpanHandler

    return [SpanHandler(**root_attributes)]
