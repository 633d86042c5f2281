"""The outbox side of a trace: the publishing request's context stored with each event, and the worker's
handling of an event as a span of its own trace, linked to the request that published it (OpenTelemetry's
messaging convention for work done later, elsewhere), with its log lines and metrics."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from switchboard.observability import logs, metrics, tracing

TRACE_KEY = "_trace"  # where an event's payload keeps the publishing request's W3C trace context


def with_trace_context(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload, carrying the current trace context when tracing is on (unchanged when off)."""
    carrier = tracing.inject_context()
    return {**payload, TRACE_KEY: carrier} if carrier else payload


@contextmanager
def handling_event(event: Mapping[str, Any]) -> Iterator[Any]:
    """Around the handling of one outbox event by the worker."""
    topic = str(event.get("topic", ""))
    payload = event.get("payload") or {}
    started = time.perf_counter()
    with (
        logs.bind_request(
            surface="worker",
            request_id=f"event-{event.get('id')}",
            thread_id=event.get("thread_id"),
        ),
        tracing.span(
            f"outbox process {topic}",
            {
                "messaging.system": "postgresql_outbox",
                "messaging.operation.type": "process",
                "messaging.destination.name": topic,
                "messaging.message.id": str(event.get("id")),
                "switchboard.thread_id": event.get("thread_id"),
                "customer.pseudonym": tracing.pseudonym(event.get("customer_id")),
            },
            kind="consumer",
            links=tracing.link_from(payload.get(TRACE_KEY) if isinstance(payload, Mapping) else None),
            new_trace=True,
        ) as current,
    ):
        try:
            yield current
        except Exception as exc:
            metrics.record_outbox_event(topic, None, failed=True)
            logs.event(
                "event.failed", level=40, topic=topic, event_id=event.get("id"), error_type=type(exc).__name__
            )
            raise
        created = event.get("created_at")
        delay = (datetime.now(UTC) - created).total_seconds() if isinstance(created, datetime) else None
        metrics.record_outbox_event(topic, delay)
        logs.event(
            "event.handled",
            topic=topic,
            event_id=event.get("id"),
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            delay_s=round(delay, 3) if delay is not None else None,
        )
