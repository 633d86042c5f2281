"""One request's observability in one place: ids, span, budget, start/finish log lines and metrics.

Every surface runs a request through the embedding API (`Switchboard.ask`, `decide`, `recover`), which
opens `observed_request` around the graph run: a request id (the caller's, e.g. the HTTP
`X-Request-ID`, or a new one), a run id, the span of the request (child of the HTTP or CLI span),
the per-request budget, and the graph's run config with the callback handler (tracing on) and the ids in
its metadata, so every checkpoint of the run records its run id, request id, trace id and deciders.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import RunnableConfig

from switchboard.config.errors import SwitchboardError
from switchboard.observability import logs, metrics, tracing
from switchboard.observability.cost import Budget, budget_scope

POINTS = ("route", "supervisor", "specialist", "compose")


@dataclass
class ObservedRequest:
    kind: str
    surface: str
    request_id: str
    run_id: uuid.UUID
    thread_id: str
    budget: Budget
    trace_id: str | None
    span: Any = None
    customer: str = ""  # the pseudonym
    deciders: dict[str, str] = field(default_factory=dict)
    outcome: str = "error"

    def config(self, base: RunnableConfig) -> RunnableConfig:
        """The run config: `base` plus the run id, the ids in the metadata and the span callbacks."""
        metadata = {
            **(base.get("metadata") or {}),
            "run_id": str(self.run_id),
            "request_id": self.request_id,
            "surface": self.surface,
            "deciders": self.deciders,
        }
        if self.trace_id:
            metadata["trace_id"] = self.trace_id
        config: RunnableConfig = {**base, "metadata": metadata, "run_id": self.run_id}
        callbacks = tracing.run_callbacks()
        if callbacks:
            config["callbacks"] = callbacks
        return config

    def finish(self, status: str) -> None:
        self.outcome = status

    def identify(self, thread_id: str, context: Any = None) -> None:
        """The thread (a new request's id is known once it is admitted) and the run's deciders."""
        self.thread_id = thread_id
        if context is not None:
            self.deciders = {p: context.decider(p) for p in POINTS}
        tracing.set_attributes(self.span, {"switchboard.thread_id": thread_id})
        logs.bind(thread_id=thread_id)
        logs.event("request.started", kind=self.kind, customer=self.customer)


def current_surface() -> str:
    return str(logs.correlation_ids().get("surface") or "sdk")


@asynccontextmanager
async def observed_request(
    kind: str, thread_id: str | None, customer_id: str, context: Any = None
) -> AsyncIterator[ObservedRequest]:
    """Observe one request (kind: ask, decide, resume) on `thread_id` (None: a new thread, `identify` it
    once admitted) for `customer_id`."""
    surface = current_surface()
    request_id = str(logs.correlation_ids().get("request_id") or uuid.uuid4().hex)
    run_id = uuid.uuid4()
    started = time.perf_counter()
    with (
        tracing.span(
            f"switchboard.{kind}",
            {
                "switchboard.surface": surface,
                "switchboard.thread_id": thread_id,
                "switchboard.run_id": str(run_id),
                "switchboard.request_id": request_id,
                "customer.pseudonym": tracing.pseudonym(customer_id),
            },
        ) as current,
        budget_scope() as budget,
        logs.bind_request(request_id=request_id, surface=surface, thread_id=thread_id, run_id=str(run_id)),
    ):
        request = ObservedRequest(
            kind,
            surface,
            request_id,
            run_id,
            thread_id or "",
            budget,
            tracing.current_trace_id(),
            current,
            customer=tracing.pseudonym(customer_id),
        )
        if thread_id is not None:
            request.identify(thread_id, context)
        try:
            yield request
        except SwitchboardError as exc:
            request.outcome = "rejected"
            logs.event("request.rejected", kind=kind, reason=str(exc), error_type=type(exc).__name__)
            raise
        except BaseException as exc:
            request.outcome = "error"
            logs.event(
                "request.failed", level=40, kind=kind, error_type=type(exc).__name__, error=str(exc)[:300]
            )
            raise
        finally:
            seconds = time.perf_counter() - started
            tracing.set_attributes(
                current,
                {
                    "switchboard.outcome": request.outcome,
                    "switchboard.budget.exhausted": bool(budget.downgraded) or None,
                },
            )
            metrics.record_request(surface, request.outcome, seconds)
            logs.event(
                "request.finished",
                kind=kind,
                outcome=request.outcome,
                duration_ms=round(seconds * 1000, 1),
                model_tokens=budget.tokens or None,
            )
