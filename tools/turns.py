"""Turn records: one compact, permanent row per finished turn in `store.turns`.

Written by the turn's last step in the same transaction as its outbox events, so a turn that published
has its record and one that did not has neither (a resumed run writes both once). Checkpoints can then be
pruned (tools/retention.py) and `history --turns` / explain still say what each turn did: the request,
the route decision, each domain's specialists, tools, facts and actions (verdict and who decided), the
answer, model usage and timings. About 1-2 KB a turn, against ~27 KB of checkpoints.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from switchboard.tools.actions import args_hash
from switchboard.tools.db import store_connection
from switchboard.tools.outbox import outbox_rows
from switchboard.tools.queue import ENQUEUE_KEYS_SQL, unprepared


async def _deciders(conn: Any, thread_id: str, results: list[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """Who decided each action of the turn: the approval row for exactly these arguments, if any."""
    wanted = {
        (a["action"], args_hash(a["action"], a.get("args") or {}))
        for r in results
        for a in r.get("actions", [])
    }
    if not wanted:
        return {}
    cur = await conn.execute(
        "select distinct on (action, decided_args_hash) action, decided_args_hash, id, status, decided_by,"
        " decided_role, decided_at from store.approvals where thread_id = %s and decided_args_hash = any(%s)"
        " order by action, decided_args_hash, requested_at desc",
        (thread_id, [h for _, h in wanted]),
    )
    return {(r["action"], r["decided_args_hash"]): r for r in await cur.fetchall()}


def _total_usage(state: Mapping[str, Any]) -> dict[str, int]:
    parts = [
        (state.get("route") or {}).get("usage") or {},
        *((r.get("usage") or {}) for r in state.get("domain_results") or []),
        state.get("compose_usage") or {},
    ]
    total: dict[str, int] = {}
    for part in parts:
        for key, value in part.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


_INSERT_TURN_SQL = (
    "insert into store.turns (thread_id, turn, customer_id, request, route, domains, answer, usage, started_at)"
    " values (%(thread)s, %(turn)s, %(customer)s, %(request)s, %(route)s, %(domains)s, %(answer)s, %(usage)s,"
    " %(started_at)s) on conflict (thread_id, turn) do nothing"
)
# The turn's record and its events in one statement (the record as a data-modifying CTE), the events'
# ids returned for the new ones (an event written before, by an earlier try of the turn, is kept as it is).
_FINISH_SQL = f"""
with turn as ({_INSERT_TURN_SQL})
insert into store.outbox (topic, dedupe_key, thread_id, customer_id, payload)
select e.topic, e.dedupe_key, %(thread)s, %(customer)s, e.payload::jsonb
from unnest(%(topics)s::text[], %(keys)s::text[], %(payloads)s::text[]) with ordinality
    as e(topic, dedupe_key, payload, n)
order by e.n
on conflict (dedupe_key) do nothing returning id
"""


def _record(
    thread_id: str, customer_id: str, state: Mapping[str, Any], deciders: dict[tuple[str, str], Any]
) -> dict[str, Any]:
    """The turn record's row (the parameters of `_INSERT_TURN_SQL`)."""
    results = sorted(state.get("domain_results") or [], key=lambda r: r["domain"])
    route = state.get("route") or {}
    domains = []
    for r in results:
        actions = []
        for a in r.get("actions", []):
            approval = deciders.get((a["action"], args_hash(a["action"], a.get("args") or {})))
            actions.append(
                {
                    "action": a["action"],
                    "args": a.get("args") or {},
                    "verdict": a.get("status"),
                    "detail": a.get("detail", ""),
                    "approval": None
                    if approval is None
                    else {
                        "id": approval["id"],
                        "status": approval["status"],
                        "decided_by": approval["decided_by"],
                        "decided_role": approval["decided_role"],
                        "decided_at": approval["decided_at"].isoformat() if approval["decided_at"] else None,
                    },
                }
            )
        domains.append(
            {
                "domain": r["domain"],
                "summary": r.get("summary", ""),
                "specialists": r.get("specialists", []),
                "tools": r.get("tools_called", []),
                "facts": r.get("facts", []),
                "actions": actions,
                "partial": r.get("partial", False),
                "usage": r.get("usage") or {},
                "usage_by_point": r.get("usage_by_point") or {},
            }
        )
    return {
        "thread": thread_id,
        "turn": int(state.get("turn", 0)),
        "customer": customer_id or None,
        "request": state.get("message", ""),
        "route": json.dumps(
            {
                k: route.get(k)
                for k in (
                    "domains",
                    "decider",
                    "confidence",
                    "rationale",
                    "out_of_scope",
                    "needs_clarification",
                    "usage",
                )
            }
            # the run's deciders, trace id and budget, for `explain` and `cost` after pruning
            | {k: v for k, v in (state.get("observability") or {}).items() if v is not None}
        ),
        "domains": json.dumps(domains),
        "answer": state.get("answer", ""),
        "usage": json.dumps(_total_usage(state)),
        "started_at": state.get("started_at"),
    }


async def record_turn(conn: Any, thread_id: str, customer_id: str, state: Mapping[str, Any]) -> bool:
    """Write this turn's record in `conn`'s open transaction; False when it was written before."""
    results = state.get("domain_results") or []
    record = _record(thread_id, customer_id, state, await _deciders(conn, thread_id, results))
    cur = await conn.execute(_INSERT_TURN_SQL, record)
    return bool(cur.rowcount)


async def finish_turn(thread_id: str, customer_id: str, state: Mapping[str, Any]) -> int:
    """The end of a turn: its record and its events, each new event with its queue job, in one
    transaction; returns how many events were new.

    One round trip (after the approvals' query, for a turn with actions): the transaction, the record and
    events' statement and the enqueue of the events without a job go out together as a pipeline."""
    results = state.get("domain_results") or []
    keyed = outbox_rows(thread_id, state)
    async with store_connection() as conn:
        record = _record(thread_id, customer_id, state, await _deciders(conn, thread_id, results))
        params = {
            **record,
            "topics": [topic for topic, _, _ in keyed],
            "keys": [key for _, key, _ in keyed],
            "payloads": [payload for _, _, payload in keyed],
        }
        async with conn.pipeline(), conn.transaction():
            inserted = await conn.execute(_FINISH_SQL, params)
            async with unprepared(conn):
                await conn.execute(ENQUEUE_KEYS_SQL, {"keys": params["keys"]})
        return len(await inserted.fetchall())


async def turn_records(thread_id: str) -> list[dict[str, Any]]:
    async with store_connection() as conn:
        cur = await conn.execute(
            "select thread_id, turn, customer_id, request, route, domains, answer, usage, started_at,"
            " finished_at, extract(epoch from finished_at - started_at) * 1000 as duration_ms, erased_at"
            " from store.turns where thread_id = %s order by turn",
            (thread_id,),
        )
        rows = [dict(r) for r in await cur.fetchall()]
    for r in rows:
        r["duration_ms"] = round(float(r["duration_ms"]), 1) if r["duration_ms"] is not None else None
    return rows
