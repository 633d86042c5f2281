"""Prometheus metrics: one registry, named and labelled by Prometheus conventions; labels never carry ids.

Counters and histograms are recorded where things happen (through the helpers below); gauges of the
store (approvals waiting and their age, outbox backlog and lag) and of the connection pools are read
when the endpoint is scraped. `METRICS_ENABLED=false` makes every helper return at once.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterable, Iterator
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from switchboard.config.settings import get_settings

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)
CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

REQUESTS = Counter(
    "switchboard_requests",
    "Requests (a message, a decision or a resume) by surface and outcome.",
    ["surface", "outcome"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "switchboard_request_duration_seconds",
    "End-to-end time of a request, by surface and outcome.",
    ["surface", "outcome"],
    buckets=_LATENCY,
    registry=REGISTRY,
)
HTTP_REQUESTS = Counter(
    "switchboard_http_requests",
    "HTTP requests by method, route template and status code.",
    ["method", "route", "status_code"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "switchboard_http_request_duration_seconds",
    "HTTP request time by method and route template.",
    ["method", "route"],
    buckets=_LATENCY,
    registry=REGISTRY,
)
DECISIONS = Counter(
    "switchboard_decisions",
    "Decisions made, by decision point and decider ('deterministic' or the model).",
    ["point", "model"],
    registry=REGISTRY,
)
DECISION_SECONDS = Histogram(
    "switchboard_decision_duration_seconds",
    "Time of one decision, model calls included, by decision point and decider.",
    ["point", "model"],
    buckets=_LATENCY,
    registry=REGISTRY,
)
MODEL_CALLS = Counter(
    "switchboard_model_calls",
    "Model calls by decision point and model.",
    ["point", "model"],
    registry=REGISTRY,
)
MODEL_TOKENS = Counter(
    "switchboard_model_tokens",
    "Model tokens by decision point, model and type (input or output).",
    ["point", "model", "type"],
    registry=REGISTRY,
)
MODEL_COST = Counter(
    "switchboard_model_cost",
    "What model calls cost, in the price table's currency, by decision point and model.",
    ["point", "model", "currency"],
    registry=REGISTRY,
)
FALLBACKS = Counter(
    "switchboard_decision_fallbacks",
    "Model answers that broke their contract or failed, so the deterministic decider decided.",
    ["point", "model"],
    registry=REGISTRY,
)
BUDGET_DOWNGRADES = Counter(
    "switchboard_budget_downgrades",
    "Decisions made deterministically because the request reached its budget.",
    ["point"],
    registry=REGISTRY,
)
ROUTED = Counter(
    "switchboard_routed",
    "Routing decisions: one per domain a request was sent to, or out_of_scope, or clarify.",
    ["domain"],
    registry=REGISTRY,
)
ROUTE_CONFIDENCE = Histogram(
    "switchboard_route_confidence",
    "The router's confidence in its decision (0-1): low values are requests it routes poorly.",
    buckets=(0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0),
    registry=REGISTRY,
)
WRITE_ACTIONS = Counter(
    "switchboard_write_actions",
    "Write actions by action and outcome (done, failed = compensated, refused, rejected, approval_requested).",
    ["action", "outcome"],
    registry=REGISTRY,
)
APPROVAL_DECISIONS = Counter(
    "switchboard_approval_decisions",
    "Approval decisions by decision (approve, reject, edit) and the decider's role.",
    ["decision", "role"],
    registry=REGISTRY,
)
OUTBOX_HANDLED = Counter(
    "switchboard_outbox_events_handled",
    "Outbox events handled by the worker, by topic.",
    ["topic"],
    registry=REGISTRY,
)
OUTBOX_FAILED = Counter(
    "switchboard_outbox_events_failed",
    "Outbox events whose handling failed (the event stays in the outbox), by topic.",
    ["topic"],
    registry=REGISTRY,
)
OUTBOX_DELAY = Histogram(
    "switchboard_outbox_event_delay_seconds",
    "Time from an event's publication to its handling by the worker.",
    buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
    registry=REGISTRY,
)
APPROVALS_WAITING = Gauge(
    "switchboard_approvals_waiting",
    "Pending approvals by the role that must decide.",
    ["role"],
    registry=REGISTRY,
)
APPROVALS_OLDEST = Gauge(
    "switchboard_approvals_oldest_age_seconds",
    "Age of the oldest pending approval (0 when none waits).",
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "switchboard_outbox_pending_events", "Outbox events not handled yet.", registry=REGISTRY
)
OUTBOX_DEAD = Gauge(
    "switchboard_outbox_dead_events",
    "Outbox events whose retries are spent (dead letters: `switchboard outbox --state dead`, `outbox retry ID`).",
    registry=REGISTRY,
)
OUTBOX_LAG = Gauge(
    "switchboard_outbox_lag_seconds",
    "Age of the oldest unhandled outbox event (0 when the outbox is empty).",
    registry=REGISTRY,
)


def on() -> bool:
    return get_settings().metrics_enabled


# ------------------------------------------------------------------ helpers (one line at each site)


def record_request(surface: str, outcome: str, seconds: float) -> None:
    if on():
        REQUESTS.labels(surface, outcome).inc()
        REQUEST_SECONDS.labels(surface, outcome).observe(seconds)


def record_http(method: str, route: str, status_code: int, seconds: float) -> None:
    if on():
        HTTP_REQUESTS.labels(method, route, str(status_code)).inc()
        HTTP_SECONDS.labels(method, route).observe(seconds)


def record_decision(
    point: str, model: str, seconds: float, usage: dict[str, int], fallback: bool, currency: str
) -> None:
    if not on():
        return
    DECISIONS.labels(point, model).inc()
    DECISION_SECONDS.labels(point, model).observe(seconds)
    if usage.get("model_calls"):
        MODEL_CALLS.labels(point, model).inc(usage["model_calls"])
        MODEL_TOKENS.labels(point, model, "input").inc(usage.get("input_tokens", 0))
        MODEL_TOKENS.labels(point, model, "output").inc(usage.get("output_tokens", 0))
        MODEL_COST.labels(point, model, currency).inc(usage.get("cost_micros", 0) / 1_000_000)
    if fallback:
        FALLBACKS.labels(point, model).inc()


def record_budget_downgrade(point: str) -> None:
    if on():
        BUDGET_DOWNGRADES.labels(point).inc()


def record_route(domains: Iterable[str], out_of_scope: bool, clarify: bool, confidence: float) -> None:
    if not on():
        return
    ROUTE_CONFIDENCE.observe(confidence)
    chosen = list(domains) or (["clarify"] if clarify else ["out_of_scope"] if out_of_scope else [])
    for domain in chosen:
        ROUTED.labels(domain).inc()


def record_action(action: str, outcome: str) -> None:
    if on():
        WRITE_ACTIONS.labels(action, outcome).inc()


def record_approval_decision(decision: str, role: str) -> None:
    if on():
        APPROVAL_DECISIONS.labels(decision, role).inc()


def record_outbox_event(topic: str, delay_seconds: float | None, failed: bool = False) -> None:
    if not on():
        return
    if failed:
        OUTBOX_FAILED.labels(topic).inc()
        return
    OUTBOX_HANDLED.labels(topic).inc()
    if delay_seconds is not None:
        OUTBOX_DELAY.observe(max(delay_seconds, 0.0))


# ------------------------------------------------------------------ read at scrape time

STORE_GAUGES_SQL = """
select
  (select coalesce(json_object_agg(required_role, n), '{}') from
     (select required_role, count(*) as n from store.approvals
       where status = 'pending' and expires_at > now() group by required_role) a) as waiting,
  (select coalesce(extract(epoch from now() - min(requested_at)), 0) from store.approvals
    where status = 'pending' and expires_at > now()) as oldest,
  (select count(*) from store.outbox where handled_at is null) as outbox_pending,
  (select coalesce(extract(epoch from now() - min(created_at)), 0) from store.outbox
    where handled_at is null) as outbox_lag,
  (select count(*) from store.outbox o join queue.procrastinate_jobs j on j.id = o.job_id
    where o.handled_at is null and j.status = 'failed') as outbox_dead
"""


async def refresh_store_gauges(conn: Any) -> None:
    """Approvals waiting and their age, outbox backlog and lag: one query, at scrape time."""
    cur = await conn.execute(STORE_GAUGES_SQL)
    row = await cur.fetchone()
    for role in ("customer", "staff"):
        APPROVALS_WAITING.labels(role).set(int((row["waiting"] or {}).get(role, 0)))
    APPROVALS_OLDEST.set(float(row["oldest"] or 0))
    OUTBOX_PENDING.set(int(row["outbox_pending"] or 0))
    OUTBOX_LAG.set(float(row["outbox_lag"] or 0))
    OUTBOX_DEAD.set(int(row["outbox_dead"] or 0))


class PoolCollector(Collector):
    """Connection pool use (size, idle, waiting clients) of every pool the process opened, by pool name."""

    def __init__(self) -> None:
        self._pools: weakref.WeakSet[Any] = weakref.WeakSet()

    def track(self, pool: Any) -> None:
        self._pools.add(pool)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        size = GaugeMetricFamily(
            "switchboard_db_pool_connections", "Connections a pool holds, by pool name.", labels=["pool"]
        )
        idle = GaugeMetricFamily(
            "switchboard_db_pool_idle_connections",
            "Connections idle in a pool, by pool name.",
            labels=["pool"],
        )
        waiting = GaugeMetricFamily(
            "switchboard_db_pool_waiting_clients",
            "Clients waiting for a connection, by pool name.",
            labels=["pool"],
        )
        limit = GaugeMetricFamily(
            "switchboard_db_pool_max_connections", "A pool's maximum size, by pool name.", labels=["pool"]
        )
        totals: dict[str, list[int]] = {}
        for pool in list(self._pools):
            if getattr(pool, "closed", True):
                continue
            stats = pool.get_stats()
            entry = totals.setdefault(pool.name, [0, 0, 0, 0])
            entry[0] += stats.get("pool_size", 0)
            entry[1] += stats.get("pool_available", 0)
            entry[2] += stats.get("requests_waiting", 0)
            entry[3] += pool.max_size
        for name, (n, free, queued, most) in sorted(totals.items()):
            size.add_metric([name], n)
            idle.add_metric([name], free)
            waiting.add_metric([name], queued)
            limit.add_metric([name], most)
        yield from (size, idle, waiting, limit)


POOLS = PoolCollector()
REGISTRY.register(POOLS)


def track_pool(pool: Any) -> None:
    POOLS.track(pool)


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)


def serve_metrics(port: int, host: str = "127.0.0.1") -> Any:
    """A /metrics endpoint in a thread of its own (the worker's)."""
    from prometheus_client import start_http_server

    server, _thread = start_http_server(port, addr=host, registry=REGISTRY)
    log.info("metrics on http://%s:%d/metrics", host, port)
    return server
