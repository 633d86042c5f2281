"""Correlated logs: one structured line per event that matters, readable on a terminal, JSON otherwise.

structlog formats every record of the process, stdlib `logging` ones included (LangGraph's, uvicorn's,
ours), so an existing `logging.getLogger(__name__)` keeps working and a host application that configures
logging its own way still gets plain records with the fields as `extra`. structlog's ProcessorFormatter
gives both renderings from one chain (a console renderer on a terminal, one JSON object per line for a
collector) without a formatter of our own; the dev server configures structlog itself and renders our
events with its own (JSON) renderer.

Every line carries the correlation ids of the work it belongs to: `request_id` and `surface` (bound by
`bind_request` where a request enters: the service, the CLI, the SDK, the worker), and from the graph's
run config `thread_id` and `run_id`, and the `trace_id` when tracing is on. Customers appear only as
their pseudonym.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any

from switchboard.config.settings import Settings, get_settings
from switchboard.observability import tracing

EVENTS = logging.getLogger("switchboard.events")

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
_bound: ContextVar[dict[str, Any] | None] = ContextVar("switchboard_log_ids", default=None)


@contextmanager
def bind_request(**ids: Any) -> Iterator[dict[str, Any]]:
    """Ids every log line inside carries (request_id, surface, thread_id, run_id...)."""
    merged = {**(_bound.get() or {}), **{k: v for k, v in ids.items() if v is not None}}
    token = _bound.set(merged)
    try:
        yield merged
    finally:
        _bound.reset(token)


def bind(**ids: Any) -> None:
    """Add ids to the current request's (inside `bind_request`)."""
    current = _bound.get()
    if current is not None:
        current.update({k: v for k, v in ids.items() if v is not None})


def events_at_info() -> None:
    """Services (the HTTP service, the worker) log their events by default, whatever LOG_LEVEL says of the rest."""
    if EVENTS.getEffectiveLevel() > logging.INFO:
        EVENTS.setLevel(logging.INFO)


def correlation_ids() -> dict[str, Any]:
    """The ids of the work in progress: what the request bound, then the graph run's own."""
    ids: dict[str, Any] = {}
    module = sys.modules.get("langchain_core.runnables.config")  # not loaded: no graph run in progress
    config = module.var_child_runnable_config.get() if module is not None else None
    if config:
        configurable = config.get("configurable") or {}
        metadata = config.get("metadata") or {}
        for key, value in (
            ("thread_id", configurable.get("thread_id")),
            ("run_id", metadata.get("run_id")),
            ("request_id", metadata.get("request_id")),
        ):
            if value:
                ids[key] = str(value)
    ids.update(_bound.get() or {})
    trace_id = tracing.current_trace_id()
    if trace_id:
        ids["trace_id"] = trace_id
    return ids


def event(name: str, level: int = logging.INFO, **fields: Any) -> None:
    """One line for an event that matters (`request.finished`, `route.decided`, `action.performed`...)."""
    if not EVENTS.isEnabledFor(level):
        return
    extra = {**correlation_ids(), **{k: v for k, v in fields.items() if v is not None}}
    EVENTS.log(level, name, extra={(f"{k}_" if k in _RESERVED else k): v for k, v in extra.items()})


def _add_ids(logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key, value in correlation_ids().items():
        event_dict.setdefault(key, value)
    return event_dict


_HANDLER_MARK = "_switchboard_handler"


def _structlog_formatter(chosen: str, colors: bool) -> logging.Formatter:
    import structlog

    renderer: Any = (
        structlog.processors.JSONRenderer(default=str)
        if chosen == "json"
        else structlog.dev.ConsoleRenderer(colors=colors)
    )
    shared: list[Any] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _add_ids,
    ]
    if chosen == "json":
        shared.append(structlog.processors.format_exc_info)
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )


class _LazyFormatter(logging.Formatter):
    """structlog's formatter, built at the first record: a command that logs nothing never loads it."""

    def __init__(self, chosen: str, colors: bool) -> None:
        super().__init__()
        self._args = (chosen, colors)
        self._inner: logging.Formatter | None = None

    def format(self, record: logging.LogRecord) -> str:
        if self._inner is None:
            self._inner = _structlog_formatter(*self._args)
        return self._inner.format(record)


def configure_logging(
    settings: Settings | None = None,
    *,
    level: str | None = None,
    fmt: str | None = None,
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Route every log record through structlog's formatter on `stream` (stderr); returns the handler.

    fmt: "console" (colours when the stream is a terminal), "json" or "auto" (LOG_FORMAT: console on a
    terminal, JSON otherwise). Calling it again replaces the handler it installed before.
    """
    settings = settings or get_settings()
    stream = stream or sys.stderr
    chosen = fmt or settings.log_format
    if chosen == "auto":
        chosen = "console" if getattr(stream, "isatty", lambda: False)() else "json"
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_LazyFormatter(chosen, bool(getattr(stream, "isatty", lambda: False)())))
    setattr(handler, _HANDLER_MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level or settings.log_level)
    return handler


def approval_decided(approval_id: Any, action: Any, decision: str, role: str) -> None:
    """An approval decided (on any surface, or by the customer's yes to an offer): its event and counter."""
    from switchboard.observability import metrics

    metrics.record_approval_decision(decision, role)
    event("approval.decided", approval_id=approval_id, action=action, decision=decision, role=role)
