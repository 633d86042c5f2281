"""Explain a turn from Postgres alone: the decision chain, who decided what, how long each step took,
what it cost, where a model fell back, and the trace id to open in a trace viewer.

Read from LangGraph's checkpoint tables (the thread's state and every step's checkpoint, with the
writes that say which node ran and where it went next) and the store (approvals: who decided what and
when; the side-effect ledger: what was performed or compensated). Nothing comes from a live process.
The turn is the thread's latest: from the checkpoint where its message came in to the end (a resume
after an approval is part of the turn it finishes).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from switchboard.observability.cost import money, prices

TURN_START_SQL = """
select c.checkpoint_id, c.checkpoint->>'ts' as ts
from checkpoints c
join checkpoint_writes w on w.thread_id = c.thread_id and w.checkpoint_ns = c.checkpoint_ns
  and w.checkpoint_id = c.checkpoint_id and w.channel = 'message'
where c.thread_id = %(thread)s and c.checkpoint_ns = ''
order by c.checkpoint_id desc limit 1
"""

CHECKPOINTS_SQL = """
select checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint->>'ts' as ts, metadata
from checkpoints where thread_id = %(thread)s and checkpoint_id >= %(start)s
order by checkpoint->>'ts', checkpoint_ns
"""

WRITES_SQL = """
select checkpoint_ns, checkpoint_id, task_path, array_agg(channel order by idx) as channels
from checkpoint_writes where thread_id = %(thread)s and checkpoint_id >= %(start)s
group by checkpoint_ns, checkpoint_id, task_path
"""

APPROVALS_SQL = """
select id, action, args, path, required_role, status, requested_at, decided_by, decided_role, decided_at,
  decided_args, reason, used_at
from store.approvals where thread_id = %(thread)s and requested_at >= %(since)s order by requested_at
"""

LEDGER_SQL = """
select action, args, approval_id, status, detail, created_at
from store.side_effects where thread_id = %(thread)s and created_at >= %(since)s order by created_at
"""


def _ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _ms(start: datetime | None, end: datetime | None) -> float | None:
    return round((end - start).total_seconds() * 1000, 1) if start and end else None


def _node(task_path: str) -> str | None:
    """The node a pull task ran ('~__pregel_pull, billing_supervisor'), None for push tasks and inputs."""
    if task_path.startswith("~__pregel_pull, "):
        name = task_path.removeprefix("~__pregel_pull, ")
        return None if name.startswith("__") else name
    return None


def steps_of(checkpoints: list[dict[str, Any]], writes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each node that ran, where (router or a domain), when, for how long, and where it sent the run next.

    A node runs from checkpoint C and its writes are keyed by C; it ends when the next checkpoint of its
    namespace (the one whose parent is C) is written. A node that paused on an approval has no end.
    """
    by_id = {(c["checkpoint_ns"], c["checkpoint_id"]): c for c in checkpoints}
    child: dict[tuple[str, str], dict[str, Any]] = {}
    for c in checkpoints:
        if c["parent_checkpoint_id"]:
            child[(c["checkpoint_ns"], c["parent_checkpoint_id"])] = c
    steps = []
    for w in writes:
        node = _node(w["task_path"])
        key = (w["checkpoint_ns"], w["checkpoint_id"])
        if node is None or key not in by_id:
            continue
        start = _ts(by_id[key]["ts"])
        after = child.get(key)
        end = _ts(after["ts"]) if after else None
        channels = list(w["channels"] or [])
        ns = w["checkpoint_ns"]
        steps.append(
            {
                "where": ns.split(":", 1)[0] if ns else "router",
                "node": node,
                "started_at": start.isoformat() if start else None,
                "duration_ms": _ms(start, end),
                "next": [c.removeprefix("branch:to:") for c in channels if c.startswith("branch:to:")],
                "paused": "__interrupt__" in channels,
            }
        )
    steps.sort(key=lambda s: s["started_at"] or "")
    return steps


def _usage_cost(usage: dict[str, Any] | None) -> dict[str, Any]:
    usage = usage or {}
    return {
        "model_calls": int(usage.get("model_calls", 0)),
        "input_tokens": int(usage.get("input_tokens", 0)),
        "output_tokens": int(usage.get("output_tokens", 0)),
        "cost": money(int(usage.get("cost_micros", 0))),
        "fallbacks": int(usage.get("fallbacks", 0)),
    }


def _domain_state(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "reports": values.get("reports") or [],
        "outcomes": values.get("outcomes") or [],
        "partial": bool(values.get("budget_exhausted")),
        "usage": values.get("usage") or [],
    }


async def explain_thread(sb: Any, thread_id: str) -> dict[str, Any]:
    """The latest turn of `thread_id`, explained (the thread must exist; access is the caller's check)."""
    async with sb.pool.connection() as conn:
        cur = await conn.execute(TURN_START_SQL, {"thread": thread_id})
        start_row = await cur.fetchone()
        if start_row is None:  # no message yet, or its checkpoints were pruned: the turn record, if kept
            record = await _latest_record(conn, thread_id)
            if record is not None:
                return explain_record(record)
            return {"thread_id": thread_id, "turn": None, "note": "the thread has no message yet"}
        params = {"thread": thread_id, "start": start_row["checkpoint_id"]}
        checkpoints = list(await (await conn.execute(CHECKPOINTS_SQL, params)).fetchall())
        writes = list(await (await conn.execute(WRITES_SQL, params)).fetchall())
        since = {"thread": thread_id, "since": _ts(start_row["ts"])}
        approvals = list(await (await conn.execute(APPROVALS_SQL, since)).fetchall())
        ledger = list(await (await conn.execute(LEDGER_SQL, since)).fetchall())

    # The state of each namespace at its latest checkpoint in this turn (router and every domain).
    latest: dict[str, dict[str, Any]] = {}
    for c in checkpoints:
        latest[c["checkpoint_ns"]] = c
    states: dict[str, dict[str, Any]] = {}
    for ns, c in latest.items():
        config = {
            "configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": c["checkpoint_id"]}
        }
        found = await sb.checkpointer.aget_tuple(config)
        states[ns] = dict(found.checkpoint.get("channel_values") or {}) if found else {}
    root = states.get("", {})

    steps = steps_of(checkpoints, writes)
    runs: dict[str, dict[str, Any]] = {}
    for c in checkpoints:
        meta = c["metadata"] or {}
        run_id = str(meta.get("run_id") or "")
        if run_id and c["checkpoint_ns"] == "":
            entry = runs.setdefault(
                run_id,
                {
                    "run_id": run_id,
                    "trace_id": meta.get("trace_id"),
                    "request_id": meta.get("request_id"),
                    "surface": meta.get("surface"),
                    "started_at": c["ts"],
                },
            )
            for name in ("trace_id", "request_id", "surface"):  # on the run's first checkpoints, at least
                if entry.get(name) is None and meta.get(name) is not None:
                    entry[name] = meta[name]
            entry["last_checkpoint_at"] = c["ts"]
    deciders = (
        next(
            (c["metadata"].get("deciders") for c in checkpoints if (c["metadata"] or {}).get("deciders")),
            None,
        )
        or {}
    )

    route = root.get("route") or {}
    route_view = {
        "domains": route.get("domains", []),
        "out_of_scope": route.get("out_of_scope", False),
        "needs_clarification": route.get("needs_clarification", False),
        "greeting": route.get("greeting", False),
        "rationale": route.get("rationale", ""),
        "confidence": route.get("confidence"),
        "decider": route.get("decider", deciders.get("route", "deterministic")),
        "domain_requests": route.get("domain_requests", {}),
        **_usage_cost(route.get("usage")),
    }

    results = {r["domain"]: r for r in root.get("domain_results") or []}
    domain_states = {ns.split(":", 1)[0]: _domain_state(v) for ns, v in states.items() if ns}
    approvals_by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for a in approvals:
        approvals_by_action[a["action"]].append(a)
    ledger_by_approval = {row["approval_id"]: row for row in ledger if row["approval_id"]}

    domains = []
    for name in route_view["domains"]:
        inner = domain_states.get(name, {})
        result = results.get(name, {})
        reports = inner.get("reports") or []
        outcomes = {
            (o["action"], str(sorted(o.get("args", {}).items()))): o for o in inner.get("outcomes", [])
        }
        for o in result.get("actions", []):
            outcomes.setdefault((o["action"], str(sorted(o.get("args", {}).items()))), o)
        actions = []
        proposed = [(r["specialist"], a) for r in reports for a in r.get("proposed_actions", [])]
        for specialist, proposal in proposed:
            key = (proposal["action"], str(sorted(proposal.get("args", {}).items())))
            outcome = outcomes.get(key)
            approval = next(
                (
                    a
                    for a in approvals_by_action.get(proposal["action"], [])
                    if a["args"] == proposal.get("args")
                ),
                None,
            )
            performed = ledger_by_approval.get(approval["id"]) if approval else None
            if performed is None:
                performed = next(
                    (
                        r
                        for r in ledger
                        if r["action"] == proposal["action"] and r["args"] == proposal.get("args")
                    ),
                    None,
                )
            actions.append(
                {
                    "action": proposal["action"],
                    "args": proposal.get("args", {}),
                    "proposed_by": specialist,
                    "status": outcome["status"] if outcome else ("pending" if approval else "proposed"),
                    "detail": outcome.get("detail", "") if outcome else "",
                    "policy": _verdict(outcome, approval),
                    "approval": _approval(approval),
                    "ledger": {"status": performed["status"], "at": performed["created_at"].isoformat()}
                    if performed
                    else None,
                }
            )
        # The supervisor decides after each step of its domain (in its own step, or in the step of the
        # specialist that just reported): where each step sent the run next is its choice.
        choices = [
            {
                "after": s["node"],
                "next": s["next"][0] if s["next"] else ("paused" if s["paused"] else "finish"),
                "at": s["started_at"],
                "duration_ms": s["duration_ms"],
            }
            for s in steps
            if s["where"] == name
        ]
        usage_parts = inner.get("usage") or []
        domain_usage = result.get("usage") or {
            k: sum(int(u.get(k, 0)) for u in usage_parts)
            for k in ("model_calls", "input_tokens", "output_tokens", "cost_micros", "fallbacks")
        }
        domain_steps = [s for s in steps if s["where"] == name]
        domains.append(
            {
                "domain": name,
                "request": route_view["domain_requests"].get(name, ""),
                "supervisor": {"decider": deciders.get("supervisor", "deterministic"), "choices": choices},
                "specialists": [
                    {
                        "name": r["specialist"],
                        "decider": deciders.get("specialist", "deterministic"),
                        "summary": r.get("summary", ""),
                        "tools": r.get("tools_called", []),
                        "facts": r.get("facts", []),
                        "handoffs": r.get("handoffs", []),
                    }
                    for r in reports
                ],
                "actions": actions,
                "partial": bool(result.get("partial", inner.get("partial", False))),
                "by_point": {p: _usage_cost(u) for p, u in (result.get("usage_by_point") or {}).items()},
                "duration_ms": _span_ms(domain_steps),
                **_usage_cost(domain_usage),
            }
        )
    # Approvals held in an earlier turn (the customer went on while staff decide): still waiting, or
    # decided in this turn (the `held` node carried them out; its results are marked "held").
    held = [
        {"approval_id": str(h.get("approval_id")), "from_turn": h.get("turn"), "status": "waiting for staff"}
        for h in root.get("held") or []
    ] + [
        {
            "action": a["action"],
            "args": a.get("args", {}),
            "status": a["status"],
            "decided_by": a.get("decided_by", ""),
            "detail": a.get("detail", ""),
        }
        for r in root.get("domain_results") or []
        if "held" in (r.get("specialists") or [])
        for a in r.get("actions", [])
    ]
    compose_usage = _usage_cost(root.get("compose_usage"))
    parts = [route_view, *domains, compose_usage]
    total = {
        k: sum(p[k] for p in parts) for k in ("model_calls", "input_tokens", "output_tokens", "fallbacks")
    }
    paused = any(s["paused"] for s in steps) and not root.get("answer")
    started = _ts(checkpoints[0]["ts"]) if checkpoints else None
    ended = _ts(checkpoints[-1]["ts"]) if checkpoints else None
    return {
        "thread_id": thread_id,
        "turn": root.get("turn"),
        "request": root.get("message", ""),
        "answer": root.get("answer", ""),
        "status": "paused" if paused else "done",
        "started_at": started.isoformat() if started else None,
        "duration_ms": _ms(started, ended),
        "runs": list(runs.values()),
        "trace_ids": [r["trace_id"] for r in runs.values() if r.get("trace_id")],
        "route": route_view,
        "domains": domains,
        "held": held,
        "compose": {"decider": deciders.get("compose", "deterministic"), **compose_usage},
        "budget": root.get("budget"),
        "cost": {
            "currency": prices().currency,
            "total": round(sum(p["cost"] for p in parts), 6),
            "by_point": {
                "route": route_view["cost"],
                **{f"domain:{d['domain']}": d["cost"] for d in domains},
                "compose": compose_usage["cost"],
            },
        },
        **total,
        "fallback_points": [
            p
            for p, v in (
                ("route", route_view),
                *((d["domain"], d) for d in domains),
                ("compose", compose_usage),
            )
            if v["fallbacks"]
        ],
        "steps": steps,
        "source": "checkpoints",
    }


RECORD_SQL = """
select thread_id, turn, request, route, domains, answer, usage, started_at, finished_at
from store.turns where thread_id = %(thread)s order by turn desc limit 1
"""


async def _latest_record(conn: Any, thread_id: str) -> dict[str, Any] | None:
    from switchboard.observability.records import has_turn_records

    if not await has_turn_records(conn):
        return None
    row = await (await conn.execute(RECORD_SQL, {"thread": thread_id})).fetchone()
    return dict(row) if row else None


def explain_record(row: dict[str, Any]) -> dict[str, Any]:
    """A turn explained from its permanent record (`store.turns`), when its checkpoints were pruned:
    the same decision chain, without the per-step timings the checkpoints held."""
    from switchboard.observability.records import _from_record

    shaped = _from_record({**row, "customer_id": None})
    route = row["route"] or {}
    route_view = {
        "domains": route.get("domains", []),
        "out_of_scope": route.get("out_of_scope", False),
        "needs_clarification": route.get("needs_clarification", False),
        "greeting": route.get("greeting", False),
        "rationale": route.get("rationale", ""),
        "confidence": route.get("confidence"),
        "decider": route.get("decider", "deterministic"),
        "domain_requests": route.get("domain_requests", {}),
        **_usage_cost(route.get("usage")),
    }
    domains = []
    for d in row["domains"] or []:
        domains.append(
            {
                "domain": d.get("domain"),
                "request": route_view["domain_requests"].get(d.get("domain"), ""),
                "supervisor": {"decider": shaped["deciders"].get("supervisor", "unknown"), "choices": []},
                "specialists": [
                    {
                        "name": name,
                        "decider": shaped["deciders"].get("specialist", "unknown"),
                        "summary": "",
                        "tools": d.get("tools", []) if i == 0 else [],
                        "facts": d.get("facts", []) if i == 0 else [],
                        "handoffs": [],
                    }
                    for i, name in enumerate(d.get("specialists", []))
                ],
                "actions": [
                    {
                        "action": a.get("action"),
                        "args": a.get("args", {}),
                        "proposed_by": None,
                        "status": a.get("verdict"),
                        "detail": a.get("detail", ""),
                        "policy": _verdict(
                            {"status": a.get("verdict")},
                            a.get("approval")
                            and {"required_role": a["approval"].get("decided_role") or "staff"},
                        ),
                        "approval": a.get("approval"),
                        "ledger": None,
                    }
                    for a in d.get("actions", [])
                ],
                "partial": bool(d.get("partial")),
                "duration_ms": None,
                **_usage_cost(d.get("usage")),
            }
        )
    compose_usage = _usage_cost(shaped["compose_usage"])
    parts = [route_view, *domains, compose_usage]
    started, finished = row.get("started_at"), row.get("finished_at")
    return {
        "thread_id": row["thread_id"],
        "turn": row["turn"],
        "request": row["request"],
        "answer": row["answer"],
        "status": "done",
        "started_at": started.isoformat() if started else None,
        "duration_ms": _ms(started, finished),
        "runs": [],
        "trace_ids": [shaped["trace_id"]] if shaped["trace_id"] else [],
        "route": route_view,
        "domains": domains,
        "compose": {"decider": shaped["deciders"].get("compose", "unknown"), **compose_usage},
        "budget": shaped["budget"],
        "cost": {
            "currency": prices().currency,
            "total": round(sum(p["cost"] for p in parts), 6),
            "by_point": {
                "route": route_view["cost"],
                **{f"domain:{d['domain']}": d["cost"] for d in domains},
                "compose": compose_usage["cost"],
            },
        },
        **{
            k: sum(p[k] for p in parts) for k in ("model_calls", "input_tokens", "output_tokens", "fallbacks")
        },
        "fallback_points": [],
        "steps": [],
        "source": "turn record (the turn's checkpoints were pruned)",
    }


def _span_ms(steps: list[dict[str, Any]]) -> float | None:
    """From the first step's start to the last step's end (None while a step has not ended)."""
    ends = [
        _ts(s["started_at"]).timestamp() * 1000 + s["duration_ms"]  # type: ignore[union-attr]
        for s in steps
        if s["started_at"] and s["duration_ms"] is not None
    ]
    if not steps or not ends or not steps[0]["started_at"]:
        return None
    return round(max(ends) - _ts(steps[0]["started_at"]).timestamp() * 1000, 1)  # type: ignore[union-attr]


def _verdict(outcome: dict[str, Any] | None, approval: dict[str, Any] | None) -> str:
    if approval is not None:
        return f"needs {'confirmation by the customer' if approval['required_role'] == 'customer' else 'staff approval'}"
    if outcome is None:
        return "not evaluated yet"
    return {"refused": "refused", "done": "allowed", "failed": "allowed (failed, compensated)"}.get(
        outcome["status"], outcome["status"]
    )


def _approval(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row["id"],
        "required_role": row["required_role"],
        "status": row["status"],
        "requested_at": row["requested_at"].isoformat(),
        "decided_by": row["decided_by"],
        "decided_role": row["decided_role"],
        "decided_at": row["decided_at"].isoformat() if row["decided_at"] else None,
        "edited_args": row["decided_args"] if row["decided_args"] not in (None, row["args"]) else None,
        "reason": row["reason"],
        "path": row["path"],
    }
