"""The workflow-level view: the data behind `/dashboard` (`GET /dashboard/data`) and the page itself.

Figures over a window come from Postgres (every run, node and finished turn the checkpoints recorded,
so every service process and the CLI count, and a restart loses nothing); rates since the process
started (errors, fallbacks) come from its Prometheus metrics; the live gauges (approvals waiting, outbox
lag) are read from the store as the data is asked for. The page is plain HTML with a script that draws
SVG: no CDN, no build step.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

from switchboard.observability import metrics, records
from switchboard.observability.cost import money, prices

POINTS = {"route": "route", "compose": "compose", "intake": "intake"}
LOW_CONFIDENCE = 0.5  # a route decided with less confidence than this is counted as a weak one


def point_of(node: str, domain: str | None) -> str:
    """The decision point a node is: route, supervisor, specialist, actions, compose (or intake)."""
    if domain is None:
        return POINTS.get(node, node)
    if node.endswith("_supervisor"):
        return "supervisor"
    if node.endswith("_actions"):
        return "actions"
    return "specialist"


def _metric_total(counter: Any, **match: str) -> float:
    total = 0.0
    for family in counter.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and all(sample.labels.get(k) == v for k, v in match.items()):
                total += sample.value
    return total


async def dashboard_data(sb: Any, hours: float = 24.0, buckets: int = 24) -> dict[str, Any]:
    since = records.since_iso(hours)
    run_rows = await records.runs(sb.pool, since=since)
    step_rows = await records.steps(sb.pool, since=since)
    turn_rows = await records.turns(sb.pool, sb.checkpointer.serde, since=since)
    async with sb.pool.connection() as conn:
        await metrics.refresh_store_gauges(conn)

    now = datetime.now(UTC)
    width = timedelta(hours=hours) / buckets
    start = now - timedelta(hours=hours)
    series: list[dict[str, Any]] = []
    per_bucket: dict[int, list[float]] = defaultdict(list)
    for run in run_rows:
        index = int((datetime.fromisoformat(run["started"]) - start) / width)
        per_bucket[min(max(index, 0), buckets - 1)].append(run["duration_ms"])
    for i in range(buckets):
        values = per_bucket.get(i, [])
        series.append(
            {
                "t": (start + width * i).isoformat(),
                "count": len(values),
                "p50_ms": records.percentile(values, 0.5),
                "p95_ms": records.percentile(values, 0.95),
            }
        )
    durations = [r["duration_ms"] for r in run_rows]

    by_point: dict[str, list[float]] = defaultdict(list)
    by_domain: dict[str, list[float]] = defaultdict(list)
    for step in step_rows:
        if step["duration_ms"] is None:
            continue
        by_point[point_of(step["node"], step["domain"])].append(step["duration_ms"])
        if step["domain"]:
            by_domain[step["domain"]].append(step["duration_ms"])

    routed: Counter[str] = Counter()
    low_confidence: Counter[str] = Counter()  # per domain (or out_of_scope): routes under LOW_CONFIDENCE
    fallbacks = decisions = 0
    cost_by_day: dict[str, dict[str, float]] = {}
    for turn in turn_rows:
        route = turn["route"]
        chosen = route.get("domains") or (
            ["clarify"] if route.get("needs_clarification") else ["out_of_scope"]
        )
        routed.update(chosen)
        if float(route.get("confidence") or 0) < LOW_CONFIDENCE:
            low_confidence.update(chosen)
        day = cost_by_day.setdefault(turn["finished_at"][:10], {"cost": 0.0, "tokens": 0, "turns": 0})
        day["turns"] += 1
        for row in records.usage_rows(turn):
            fallbacks += row["fallbacks"]
            decisions += 1
            day["cost"] = round(day["cost"] + money(row["cost_micros"]), 6)
            day["tokens"] += row["input_tokens"] + row["output_tokens"]

    requests = _metric_total(metrics.REQUESTS)
    errors = _metric_total(metrics.REQUESTS, outcome="error")
    live_decisions = _metric_total(metrics.DECISIONS)
    live_fallbacks = _metric_total(metrics.FALLBACKS)
    waiting = {
        role: int(metrics.APPROVALS_WAITING.labels(role)._value.get()) for role in ("customer", "staff")
    }
    return {
        "generated_at": now.isoformat(),
        "window_hours": hours,
        "requests": {
            "total": len(run_rows),
            "p50_ms": records.percentile(durations, 0.5),
            "p95_ms": records.percentile(durations, 0.95),
            "series": series,
        },
        "points": [
            {
                "point": p,
                "count": len(v),
                "p50_ms": records.percentile(v, 0.5),
                "p95_ms": records.percentile(v, 0.95),
            }
            for p, v in sorted(by_point.items())
        ],
        "domains": [
            {
                "domain": d,
                "routed": routed.get(d, 0),
                "steps": len(v),
                "p50_ms": records.percentile(v, 0.5),
                "p95_ms": records.percentile(v, 0.95),
            }
            for d, v in sorted(by_domain.items())
        ],
        "routing": dict(sorted(routed.items())),
        "low_confidence": {
            "threshold": LOW_CONFIDENCE,
            "turns": sum(
                1 for t in turn_rows if float((t["route"] or {}).get("confidence") or 0) < LOW_CONFIDENCE
            ),
            "by_domain": dict(sorted(low_confidence.items())),
        },
        "rates": {
            "turns": len(turn_rows),
            "fallbacks": fallbacks,
            "fallback_rate": round(fallbacks / decisions, 4) if decisions else 0.0,
            "process_requests": int(requests),
            "process_errors": int(errors),
            "error_rate": round(errors / requests, 4) if requests else 0.0,
            "process_decisions": int(live_decisions),
            "process_fallbacks": int(live_fallbacks),
        },
        "approvals": {"waiting": waiting, "oldest_age_seconds": metrics.APPROVALS_OLDEST._value.get()},
        "outbox": {
            "pending": int(metrics.OUTBOX_PENDING._value.get()),
            "dead": int(metrics.OUTBOX_DEAD._value.get()),
            "lag_seconds": metrics.OUTBOX_LAG._value.get(),
        },
        "cost": {
            "currency": prices().currency,
            "total": round(sum(d["cost"] for d in cost_by_day.values()), 6),
            "by_day": [{"day": k, **v} for k, v in sorted(cost_by_day.items())],
        },
    }


def dashboard_html() -> str:
    return files("switchboard.observability").joinpath("dashboard.html").read_text(encoding="utf-8")
