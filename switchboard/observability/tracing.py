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
variable, and `SpanHandler` records each run's span in `_runs` (keyed by run id, so concurrent runs and
parallel domains never mix). Inside a `span()` block its span is the parent (and OpenTelemetry's current
span, so SDK spans nest too); outside any node and span, OpenTelemetry's current span is (FastAPI's). The customer is `customer.pseudonym`, an HMAC of the id under PSEUDONYM_SECRET: stable, never the id or
any personal data.

How a span is made: see `_otel()` (the SDK's data types, processor and exporter, without its per-span
machinery).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import sys
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from switchboard.config.settings import Settings, get_settings

# OpenTelemetry is imported only when tracing is turned on: off, nothing of it is loaded or called.
_provider: Any = None  # the SDK TracerProvider when tracing is on
_enabled = False
# What spans take from the provider configure_telemetry installed: its span processor (batch for OTLP),
# resource, sampler and id generator; and the instrumentation scope.
_processor: Any = None
_resource: Any = None
_sampler: Any = None
_ids: Any = None
_scope: Any = None


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
    global _provider, _enabled, _processor, _resource, _sampler, _ids, _scope
    settings = settings or get_settings()
    endpoint = settings.otel_exporter_otlp_endpoint
    if _provider is not None:
        _provider.shutdown()
        _provider, _processor, _enabled = None, None, False
    if exporter is None and not endpoint:
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
    from opentelemetry.sdk.util.instrumentation import InstrumentationScope

    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": settings.otel_service_name, "service.namespace": "switchboard"}
        )
    )
    processor: Any
    if exporter is not None:
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        assert endpoint is not None
        url = endpoint if endpoint.rstrip("/").endswith("/v1/traces") else endpoint.rstrip("/") + "/v1/traces"
        processor = BatchSpanProcessor(OTLPSpanExporter(endpoint=url))
    provider.add_span_processor(processor)  # the SDK's own spans (FastAPI's) go there too; flush, shutdown
    _processor, _resource, _sampler, _ids = (
        processor,
        provider.resource,
        provider.sampler,
        provider.id_generator,
    )
    _scope = InstrumentationScope("switchboard")
    _provider, _enabled = provider, True
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
    return _pseudonym(get_settings().pseudonym_secret.get_secret_value(), str(customer_id))


@functools.lru_cache(maxsize=1024)
def _pseudonym(secret: str, customer_id: str) -> str:
    return "c_" + hmac.new(secret.encode(), customer_id.encode(), hashlib.sha256).hexdigest()[:20]


# ------------------------------------------------------------------ spans


def _valid(value: Any) -> Any:
    """An attribute value OpenTelemetry accepts: a str, bool, int or float, or a sequence of them."""
    if isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return tuple(v if isinstance(v, str | bool | int | float) else str(v) for v in value if v is not None)
    return str(value)


_PLAIN = frozenset({str, bool, int, float})


def _clean(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if type(v) in _PLAIN else _valid(v) for k, v in attributes.items() if v is not None}


@functools.cache
def _otel() -> tuple[Any, Any, dict[str, Any], Any]:
    """OpenTelemetry's context and trace modules, span kinds by name, and `start` (below), made once,
    when tracing is first used.

    A span is a small object while it runs and becomes the SDK's `ReadableSpan` when it ends, handed to
    the span processor `configure_telemetry` installed, which batches and exports it like any SDK span.
    The SDK's `Tracer.start_span` and `Span.end` do more per span than this process needs (about 40 us
    here, most of what tracing cost: sampler call, span limits, attribute validation, locks, a copy at the
    end); this path keeps what a trace carries: the provider's sampler decides a new trace and children
    follow their parent's decision (what the default `parentbased_*` samplers do), its id generator and
    resource, W3C trace flags and state, links, events, exceptions and status. What it leaves out: span
    limits (our attributes are few and bounded; values are checked by `_valid`) and the processors'
    `on_start` (the batch and simple processors do nothing there).
    """
    import traceback
    from time import time_ns

    from opentelemetry import context as otel_context
    from opentelemetry import trace
    from opentelemetry.sdk.trace import Event, ReadableSpan
    from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, Status, StatusCode, TraceFlags

    unset = Status(StatusCode.UNSET)
    no_parent = otel_context.Context()

    class RecordingSpan(trace.Span):
        """A span in progress: attributes in a dict; the SDK's ReadableSpan to the processor at its end."""

        __slots__ = (
            "_attributes",
            "_context",
            "_end",
            "_events",
            "_kind",
            "_links",
            "_name",
            "_parent",
            "_start",
            "_status",
            "claimable",
        )

        def __init__(
            self, name: str, context: Any, parent: Any, kind: Any, attributes: dict[str, Any], links: Any
        ) -> None:
            self._name, self._context, self._parent, self._kind = name, context, parent, kind
            self._attributes, self._links = attributes, links
            self._events: tuple[Any, ...] = ()
            self._status = unset
            self._end: int | None = None
            self._start = time_ns()

        def get_span_context(self) -> Any:
            return self._context

        def is_recording(self) -> bool:
            return self._end is None

        def set_attribute(self, key: str, value: Any) -> None:
            if self._end is None and value is not None:
                self._attributes[key] = _valid(value)

        def set_attributes(self, attributes: Mapping[str, Any]) -> None:
            if self._end is None:
                for key, value in attributes.items():
                    if value is not None:
                        self._attributes[key] = _valid(value)

        def update_name(self, name: str) -> None:
            if self._end is None:
                self._name = name

        def add_event(self, name: str, attributes: Any = None, timestamp: int | None = None) -> None:
            if self._end is None:
                self._events = (*self._events, Event(name, _clean(attributes or {}), timestamp or time_ns()))

        def set_status(self, status: Any, description: str | None = None) -> None:
            if self._end is None:
                self._status = status if isinstance(status, Status) else Status(status, description)

        def record_exception(
            self,
            exception: BaseException,
            attributes: Any = None,
            timestamp: int | None = None,
            escaped: bool = False,
        ) -> None:
            kind, module = type(exception), type(exception).__module__
            self.add_event(
                "exception",
                {
                    "exception.type": kind.__qualname__
                    if module == "builtins"
                    else f"{module}.{kind.__qualname__}",
                    "exception.message": str(exception),
                    "exception.stacktrace": "".join(traceback.format_exception(exception)),
                    "exception.escaped": str(escaped),
                    **(attributes or {}),
                },
                timestamp,
            )

        def end(self, end_time: int | None = None) -> None:
            if self._end is not None:
                return
            self._end = end_time or time_ns()
            _processor.on_end(
                ReadableSpan(
                    name=self._name,
                    context=self._context,
                    parent=self._parent,
                    resource=_resource,
                    attributes=self._attributes,
                    events=self._events,
                    links=self._links,
                    kind=self._kind,
                    status=self._status,
                    start_time=self._start,
                    end_time=self._end,
                    instrumentation_scope=_scope,
                )
            )

    def start(name: str, parent: Any, kind: Any, attributes: dict[str, Any], links: Any = ()) -> Any:
        """A started span under `parent` (a span; None or an invalid one: the root of a new trace)."""
        parent_context = parent.get_span_context() if parent is not None else None
        if parent_context is None or not parent_context.is_valid:
            trace_id = _ids.generate_trace_id()
            # an empty context: a new trace has no parent, whatever span is current
            decided = _sampler.should_sample(no_parent, trace_id, name, kind, attributes, links)
            flags = TraceFlags.SAMPLED if decided.decision.is_sampled() else TraceFlags.DEFAULT
            if _ids.is_trace_id_random():
                flags |= TraceFlags.RANDOM_TRACE_ID
            context = SpanContext(
                trace_id, _ids.generate_span_id(), False, TraceFlags(flags), decided.trace_state
            )
            parent_context = None
            if decided.attributes:
                attributes = {**decided.attributes, **attributes}
        else:
            context = SpanContext(
                parent_context.trace_id,
                _ids.generate_span_id(),
                False,
                parent_context.trace_flags,
                parent_context.trace_state,
            )
        if not context.trace_flags.sampled:  # not sampled: nothing recorded, and its children follow
            return NonRecordingSpan(context)
        return RecordingSpan(name, context, parent_context, kind, attributes, tuple(links) if links else ())

    return otel_context, trace, {k.name.lower(): k for k in SpanKind}, start


# ------------------------------------------------------------------ parents


class Run:
    """One LangChain run in progress, as `SpanHandler` records it: its span (None: it shares its parent's,
    as edges, channel writers and a subgraph's own run inside its node do), its parent run, its name."""

    __slots__ = ("claimable", "name", "parent", "root", "span")

    def __init__(self, span: Any, parent: uuid.UUID | None, name: str, root: uuid.UUID | None) -> None:
        self.span, self.parent, self.name, self.root = span, parent, name, root
        self.claimable = False  # a node's span, which the node's first decision point takes as its own


_runs: dict[uuid.UUID, Run] = {}  # LangChain run id -> its run, while it runs (every handler's)
# The innermost `span()` of this task, with the LangChain run it was started in.
_inner: ContextVar[tuple[Any, uuid.UUID | None] | None] = ContextVar("switchboard_inner_span", default=None)
_config_var: Any = None  # LangChain's context variable of the current run's config


def _current_run_id() -> uuid.UUID | None:
    """The LangChain run (graph node) the caller runs in; None outside a graph run."""
    global _config_var
    if _config_var is None:
        module = sys.modules.get("langchain_core.runnables.config")
        if module is None:  # nothing of LangChain loaded: no run in progress
            return None
        _config_var = module.var_child_runnable_config
    config = _config_var.get()
    if not config:
        return None
    return getattr(config.get("callbacks"), "parent_run_id", None)


def span_of_run(run_id: uuid.UUID | None) -> Any:
    """The span of a run, or of its nearest ancestor that has one."""
    while run_id is not None:
        run = _runs.get(run_id)
        if run is None:
            return None
        if run.span is not None:
            return run.span
        run_id = run.parent
    return None


def _parent_span(run_id: uuid.UUID | None = None) -> Any:
    """The span new work belongs to: the innermost `span()` of this node, else the node's own span, else
    the innermost `span()` (outside a node), else OpenTelemetry's current span. `run_id`: the current
    LangChain run, when the caller has it already."""
    if run_id is None:
        run_id = _current_run_id()
    inner = _inner.get()
    if inner is not None and inner[1] == run_id:
        return inner[0]
    if run_id is not None:
        found = span_of_run(run_id)
        if found is not None:
            return found
    return inner[0] if inner is not None else _otel()[1].get_current_span()


def start_span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: str = "internal",
    parent: Any = None,
) -> Any:
    """A started span that is not made current (the callback handler's): under `parent` (a span), else
    where `span()` would put it. The caller ends it."""
    _, _, kinds, start = _otel()
    return start(
        name, parent if parent is not None else _parent_span(), kinds[kind], _clean(attributes or {})
    )


class _SpanScope:
    """`with span(...)`: the span is the parent of what starts inside the block (ours and the SDK's), and
    is ended (an error recorded) after it."""

    __slots__ = ("_current", "_inner", "_run_id", "_token")

    def __init__(self, current: Any, run_id: uuid.UUID | None) -> None:
        self._current, self._run_id = current, run_id

    def __enter__(self) -> Any:
        otel_context, trace, _, _ = _otel()
        self._token = otel_context.attach(trace.set_span_in_context(self._current))
        self._inner = _inner.set((self._current, self._run_id))
        return self._current

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        try:
            if exc is not None:
                mark_error(self._current, exc)
        finally:
            _inner.reset(self._inner)
            _otel()[0].detach(self._token)
            self._current.end()


class _Given:
    """`with` on a span someone else ends (tracing off: NO_SPAN; a node's span claimed by a decision)."""

    __slots__ = ("_current",)

    def __init__(self, current: Any) -> None:
        self._current = current

    def __enter__(self) -> Any:
        return self._current

    def __exit__(self, *exc: Any) -> None:
        return None


_NO_SCOPE = _Given(NO_SPAN)


def span(
    name: str,
    attributes: Mapping[str, Any] | None = None,
    *,
    kind: str = "internal",
    links: list[Any] | None = None,
    new_trace: bool = False,
) -> Any:
    """`with span(...) as current`: a span around the code inside, child of the current span (the node's,
    a decision point's, the request's), or the root of a trace of its own (`new_trace`).

    kind: "internal", "client", "server", "consumer" or "producer"."""
    if not _enabled:
        return _NO_SCOPE
    _, _, kinds, start = _otel()
    run_id = _current_run_id()
    parent = None if new_trace else _parent_span(run_id)
    return _SpanScope(
        start(name, parent, kinds[kind], _clean(attributes) if attributes else {}, links or ()), run_id
    )


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


def decision_span(name: str, attributes: Mapping[str, Any]) -> Any:
    """`with decision_span(...) as current`: the span of a decision point, which is the span of the graph
    node it runs in, renamed (one span, not two: a decision point is a node's whole work), else a span of
    its own (a second decision in the same node, or a graph run without the callback handler)."""
    if not _enabled:
        return _NO_SCOPE
    run_id = _current_run_id()
    run = _runs.get(run_id) if run_id is not None else None
    if run is None or not run.claimable:  # no node span, or a second decision in the same node
        return span(name, attributes)
    run.claimable = False
    run.span.update_name(name)
    run.span.set_attributes(attributes)
    return _Given(run.span)


def set_attributes(target: Any, attributes: Mapping[str, Any]) -> None:
    if _enabled and target.is_recording():
        target.set_attributes(attributes)


def current_trace_id() -> str | None:
    """The hex trace id of the work in progress (None when tracing is off or outside a trace)."""
    if not _enabled:
        return None
    ctx = _parent_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None


@functools.cache
def _propagator() -> Any:
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    return TraceContextTextMapPropagator()


def inject_context() -> dict[str, str]:
    """W3C trace context of the current span (`traceparent`), to store with an outbox event."""
    if not _enabled:
        return {}
    trace = _otel()[1]
    carrier: dict[str, str] = {}
    _propagator().inject(carrier, context=trace.set_span_in_context(_parent_span()))
    return carrier


def link_from(carrier: Mapping[str, str] | None) -> list[Any]:
    """A link to the span whose context `inject_context()` stored (the request that published an event)."""
    if not _enabled or not carrier:
        return []
    from opentelemetry.trace import Link

    ctx = _otel()[1].get_current_span(_propagator().extract(dict(carrier))).get_span_context()
    return [Link(ctx, {"switchboard.link": "published_by"})] if ctx.is_valid else []


def run_callbacks(**root_attributes: Any) -> list[Any]:
    """The callbacks a graph run needs for its spans: none when tracing is off."""
    if not _enabled:
        return []
    from switchboard.observability.callbacks import SpanHandler

    return [SpanHandler(**root_attributes)]


def served_graph(graph: Any) -> Any:
    """The compiled graph a LangGraph server (`langgraph dev`, Studio; `langgraph.json`) runs, traced like
    a run through `Switchboard`: telemetry configured from the settings when it is not yet (the server
    process has no CLI start-up to do it), and one span handler in the graph's config for every run it
    serves (the handler keeps nothing of a run outside `_runs`, keyed by run id, so concurrent runs are
    safe). Tracing off: the graph unchanged. A run whose own config brings callbacks (the server's
    `events` stream mode) replaces these, and then has the decision, store and action spans without the
    graph run's and nodes'."""
    if _provider is None:
        configure_telemetry()
    if not _enabled:
        return graph
    return graph.with_config(callbacks=run_callbacks())
