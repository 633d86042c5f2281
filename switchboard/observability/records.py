"""What finished turns and runs left in Postgres, read back in bulk for `cost` and the dashboard.

A turn's spend is kept in its state (route.usage, each domain result's usage, compose_usage, each with
`cost_micros`), so in the checkpoint of the step that composed its answer; runs (a message, or a resume
after an approval) are the router checkpoints that share a `run_id` in their metadata, which also
carries the request's trace id, surface and deciders. One query reads the composing checkpoints of a
window with just the channels needed, so a report over thousands of turns is one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

FINAL_CHANNELS = ("route", "domain_results", "compose_usage", "budget")

TURNS_SQL = """
select c.thread_id, c.checkpoint_id, c.checkpoint->>'ts' as ts, c.metadata,
  c.checkpoint->'channel_values' as inline,
  (select array_agg(array[bl.channel::bytea, bl.type::bytea, bl.blob])
     from jsonb_each_text(c.checkpoint->'channel_versions') v
     join checkpoint_blobs bl on bl.thread_id = c.thread_id and bl.checkpoint_ns = '' and bl.channel = v.key
       and bl.version = v.value
    where v.key = any(%(channels)s)) as blobs
from checkpoints c
where c.checkpoint_ns = '' and c.checkpoint->>'ts' >= %(since)s
  and (%(thread)s::text is null or c.thread_id = %(thread)s)
  and (%(customer)s::text is null or c.metadata->>'customer_id' = %(customer)s)
  and exists (select 1 from checkpoint_writes w where w.thread_id = c.thread_id and w.checkpoint_ns = ''
              and w.checkpoint_id = c.parent_checkpoint_id and w.task_path = '~__pregel_pull, compose')
order by c.checkpoint->>'ts'
limit %(limit)s
"""

RUNS_SQL = """
select thread_id, metadata->>'run_id' as run_id, max(metadata->>'surface') as surface,
  min(checkpoint->>'ts') as started, max(checkpoint->>'ts') as ended
from checkpoints
where checkpoint_ns = '' and checkpoint->>'ts' >= %(since)s and metadata ? 'run_id'
group by thread_id, metadata->>'run_id'
order by min(checkpoint->>'ts')
limit %(limit)s
"""

STEPS_SQL = """
select c.thread_id, c.checkpoint_ns, c.checkpoint_id, c.parent_checkpoint_id, c.checkpoint->>'ts' as ts,
  (select array_agg(distinct w.task_path) from checkpoint_writes w where w.thread_id = c.thread_id
     and w.checkpoint_ns = c.checkpoint_ns and w.checkpoint_id = c.checkpoint_id) as tasks
from checkpoints c where c.checkpoint->>'ts' >= %(since)s
order by c.thread_id, c.checkpoint_ns, c.checkpoint_id
limit %(limit)s
"""


def since_iso(hours: float) -> str:
    return (datetime.now(UTC) - timedelta(hours=hours)).isoformat()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


RECORDS_SQL = """
select thread_id, turn, customer_id, route, domains, usage, finished_at
from store.turns
where finished_at >= %(since)s::timestamptz
  and (%(thread)s::text is null or thread_id = %(thread)s)
  and (%(customer)s::text is null or customer_id = %(customer)s)
order by finished_at
limit %(limit)s
"""


async def has_turn_records(conn: Any) -> bool:
    """Does the store keep a permanent record per turn (`store.turns`)? Then it outlives the checkpoints."""
    row = await (await conn.execute("select to_regclass('store.turns') is not null as present")).fetchone()
    return bool(row and row["present"])


def _from_record(row: dict[str, Any]) -> dict[str, Any]:
    """A turn record in the shape `turns()` returns (compose's usage is what the parts do not account for)."""
    route = dict(row["route"] or {})
    domains = list(row["domains"] or [])
    total = dict(row["usage"] or {})
    parts = [route.get("usage") or {}, *((d.get("usage") or {}) for d in domains)]
    compose = {
        k: int(total.get(k, 0) or 0) - sum(int(p.get(k, 0) or 0) for p in parts)
        for k in ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks")
    }
    return {
        "thread_id": row["thread_id"],
        "customer_id": row["customer_id"],
        "finished_at": row["finished_at"].isoformat(),
        "turn": row["turn"],
        "deciders": route.get("deciders") or {},
        "trace_id": route.get("trace_id"),
        "route": route,
        "domain_results": domains,
        "compose_usage": {k: max(v, 0) for k, v in compose.items()},
        "budget": route.get("budget"),
    }


async def turns(
    pool: Any,
    serde: Any,
    *,
    since: str,
    thread_id: str | None = None,
    customer_id: str | None = None,
    limit: int = 100_000,
) -> list[dict[str, Any]]:
    """Every turn that finished since `since`: when, whose, its route, domains' and compose's usage.

    From the turn records where the store keeps them (they survive checkpoint retention), else from the
    checkpoints of the steps that composed each turn's answer."""
    async with pool.connection() as conn:
        if await has_turn_records(conn):
            wanted = {"since": since, "thread": thread_id, "customer": customer_id, "limit": limit}
            rows = await (await conn.execute(RECORDS_SQL, wanted)).fetchall()
            return [_from_record(dict(r)) for r in rows]
    params: dict[str, Any] = {
        "since": since,
        "thread": thread_id,
        "customer": customer_id,
        "channels": list(FINAL_CHANNELS),
        "limit": limit,
    }
    async with pool.connection() as conn:
        rows = await (await conn.execute(TURNS_SQL, params)).fetchall()
    result = []
    for row in rows:
        values: dict[str, Any] = dict(row["inline"] or {})
        for channel, kind, blob in row["blobs"] or []:
            values[bytes(channel).decode()] = serde.loads_typed((bytes(kind).decode(), bytes(blob)))
        meta = row["metadata"] or {}
        result.append(
            {
                "thread_id": row["thread_id"],
                "customer_id": meta.get("customer_id"),
                "finished_at": row["ts"],
                "turn": values.get("turn"),
                "deciders": meta.get("deciders") or {},
                "trace_id": meta.get("trace_id"),
                "route": values.get("route") or {},
                "domain_results": values.get("domain_results") or [],
                "compose_usage": values.get("compose_usage") or {},
                "budget": values.get("budget"),
            }
        )
    return result


def usage_rows(turn: dict[str, Any]) -> list[dict[str, Any]]:
    """A turn's spend as rows: one per decision point (and domain), with the model that decided."""
    deciders = turn.get("deciders") or {}
    route = turn.get("route") or {}

    def row(point: str, domain: str | None, model: str, usage: dict[str, Any] | None) -> dict[str, Any]:
        return {"point": point, "domain": domain, "model": model, **_counts(usage)}

    rows = [
        row("route", None, route.get("decider") or deciders.get("route", "deterministic"), route.get("usage"))
    ]
    for result in turn.get("domain_results") or []:
        domain = result.get("domain")
        by_point = result.get("usage_by_point") or {}
        if by_point:
            rows += [row(p, domain, deciders.get(p, "deterministic"), u) for p, u in by_point.items()]
        elif any(_counts(result.get("usage")).values()):  # an older result: the domain's total only
            model = deciders.get("specialist") or deciders.get("supervisor") or "deterministic"
            rows.append(row("domain", domain, model, result.get("usage")))
        else:  # nothing spent: both decided without a model
            rows += [
                row(p, domain, deciders.get(p, "deterministic"), None) for p in ("supervisor", "specialist")
            ]
    rows.append(row("compose", None, deciders.get("compose", "deterministic"), turn.get("compose_usage")))
    return rows


def _counts(usage: dict[str, Any] | None) -> dict[str, int]:
    usage = usage or {}
    return {
        k: int(usage.get(k, 0) or 0)
        for k in ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks")
    }


async def runs(pool: Any, *, since: str, limit: int = 100_000) -> list[dict[str, Any]]:
    """Each run since `since`: thread, surface, start, end and duration (first to last checkpoint)."""
    async with pool.connection() as conn:
        rows = await (await conn.execute(RUNS_SQL, {"since": since, "limit": limit})).fetchall()
    return [
        {
            **dict(r),
            "duration_ms": round((_parse(r["ended"]) - _parse(r["started"])).total_seconds() * 1000, 1),
        }
        for r in rows
    ]


async def steps(pool: Any, *, since: str, limit: int = 200_000) -> list[dict[str, Any]]:
    """Each node run since `since` (every thread), with its namespace and duration."""
    async with pool.connection() as conn:
        rows = await (await conn.execute(STEPS_SQL, {"since": since, "limit": limit})).fetchall()
    children = {
        (r["thread_id"], r["checkpoint_ns"], r["parent_checkpoint_id"]): r
        for r in rows
        if r["parent_checkpoint_id"]
    }
    out = []
    for r in rows:
        after = children.get((r["thread_id"], r["checkpoint_ns"], r["checkpoint_id"]))
        for task in r["tasks"] or []:
            if not task.startswith("~__pregel_pull, ") or task.endswith("__start__"):
                continue
            ns = r["checkpoint_ns"]
            out.append(
                {
                    "node": task.removeprefix("~__pregel_pull, "),
                    "domain": ns.split(":", 1)[0] if ns else None,
                    "started": r["ts"],
                    "duration_ms": round((_parse(after["ts"]) - _parse(r["ts"])).total_seconds() * 1000, 1)
                    if after
                    else None,
                }
            )
    return out


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile (0..1) by nearest rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return round(ordered[index], 1)


def cost_report(turn_list: list[dict[str, Any]], currency: str) -> dict[str, Any]:
    """Spend summed by day, decision point, domain, model, thread and customer."""
    from switchboard.observability.cost import money

    groups: dict[str, dict[str, dict[str, int]]] = {
        k: {} for k in ("day", "point", "domain", "model", "thread", "customer")
    }
    total = dict.fromkeys(
        ("turns", "model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks"), 0
    )

    def add(group: str, key: str | None, row: dict[str, int], turns_: int = 0) -> None:
        if key is None:
            return
        entry = groups[group].setdefault(key, dict.fromkeys(total, 0))
        entry["turns"] += turns_
        for k in ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks"):
            entry[k] += row[k]

    for turn in turn_list:
        total["turns"] += 1
        day = turn["finished_at"][:10]
        first = True
        for row in usage_rows(turn):
            for k in ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks"):
                total[k] += row[k]
            counted = 1 if first else 0
            add("day", day, row, counted)
            add("thread", turn["thread_id"], row, counted)
            add("customer", turn.get("customer_id"), row, counted)
            add("point", row["point"], row)
            add("domain", row["domain"], row)
            add("model", row["model"], row)
            first = False

    def shown(entry: dict[str, int]) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in entry.items() if k != "cost_micros"}
        out["cost"] = money(entry["cost_micros"])
        return out

    return {
        "currency": currency,
        "total": shown(total),
        **{
            f"by_{group}": [{group: key, **shown(entry)} for key, entry in sorted(values.items())]
            for group, values in groups.items()
        },
    }
