"""Write actions proposed by specialists: policy, approval pause, exactly-once execution.

For each proposed action, in order:
1. Already in the side-effect ledger (a re-run after a resume, retry or crash)? Report it; do nothing.
2. The deterministic policy (`tools/policy.py`) decides: refused, allowed, confirm or approve.
3. confirm/approve: a pending approval row is written and the run pauses with `interrupt()`; the
   payload carries the path (router > domain > specialist > action), a description, the exact
   arguments and their hash. The decision is read back from the approval row, never from the
   resume payload.
4. `tools.actions.perform()` runs it once, consuming the approval in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langgraph.types import interrupt

from switchboard.agents.contracts import ActionOutcome, Brief, SpecialistReport
from switchboard.agents.resume import decision_from_resume, is_fresh, resume_forms
from switchboard.agents.supervisor import action_key
from switchboard.config.settings import get_settings
from switchboard.tools import approvals, policy
from switchboard.tools.actions import args_hash, ledger_key, perform, recorded
from switchboard.tools.db import store_connection

ROLE_RANK = {"customer": 1, "staff": 2}


def _outcome(action: str, args: dict[str, Any], status: str, detail: str) -> ActionOutcome:
    return ActionOutcome(action=action, args=args, status=status, detail=detail)  # type: ignore[arg-type]


def _done(action: str, args: dict[str, Any], result: Any) -> ActionOutcome:
    if result.status == "compensated":
        return _outcome(action, args, "failed", result.detail)
    detail = ", ".join(f"{k} {v}" for k, v in result.result.items() if k.endswith("_id") or k == "refunds")
    return _outcome(action, args, "done", detail)


async def _handle(
    brief: Brief, specialist: str, action: str, args: dict[str, Any], thread_id: str
) -> ActionOutcome:
    customer_id = brief.customer_id
    async with store_connection() as conn:
        earlier = await recorded(conn, ledger_key(thread_id, action, args))
        if earlier is not None:
            return _done(action, args, earlier)
        row = await approvals.get(conn, approvals.approval_id(thread_id, action, args))
        if row is not None and row["status"] != "pending":
            # Decided on an earlier pass (a re-run after a crash before the checkpoint): the decision path
            # below re-checks the policy; the proposal's own verdict may have changed because of that very
            # decision (an edited refund, already carried out, makes the original one a "second refund").
            role, path, description = row["required_role"], row["path"], row["description"]
            why = f"already {row['status']}"
        else:
            verdict = await policy.evaluate(conn, customer_id, action, args)
            if verdict.verdict == "refused":
                return _outcome(action, args, "refused", verdict.reason)
            if verdict.verdict == "allowed":
                return _done(
                    action,
                    args,
                    await perform(
                        conn, thread_id=thread_id, customer_id=customer_id, action=action, args=args
                    ),
                )
            assert verdict.role is not None
            role, path = verdict.role, f"router > {brief.domain} > {specialist} > {action}"
            description, why = verdict.description, verdict.reason
            row = await approvals.request(
                conn,
                thread_id=thread_id,
                customer_id=customer_id,
                action=action,
                args=args,
                path=path,
                description=description,
                required_role=role,
                ttl_hours=get_settings().approval_ttl_hours,
            )
    payload = {
        "kind": "confirmation" if role == "customer" else "approval",
        "approval_id": row["id"],
        "path": path,
        "domain": brief.domain,
        "specialist": specialist,
        "action": action,
        "args": args,
        "args_hash": args_hash(action, args),
        "description": description,
        "why": why,
        "required_role": role,
        "customer_id": customer_id,
        "expires_at": row["expires_at"].isoformat(),
        "resume": resume_forms(row["id"], args),  # what a valid resume looks like (Studio, the SDK)
    }
    decided = await _await_decision(payload, row["id"])
    if decided["status"] == "rejected":
        return _outcome(action, args, "rejected", decided.get("reason") or "no reason given")
    async with store_connection() as conn:
        final_args = decided["decided_args"] or args
        if decided["status"] == "approved":
            # The store may have changed while the run was paused, and an edit may change the verdict:
            # the policy decides again before anything is written.
            again = await policy.evaluate(conn, customer_id, action, final_args)
            edited = "edited arguments " if final_args != args else ""
            if again.verdict == "refused":
                return _outcome(action, args, "refused", f"{edited}refused: {again.reason}")
            if ROLE_RANK[decided["decided_role"]] < ROLE_RANK.get(again.role or "customer", 1):
                return _outcome(action, args, "refused", f"{edited}need staff approval")
        result = await perform(
            conn,
            thread_id=thread_id,
            customer_id=customer_id,
            action=action,
            args=final_args,
            approval_id=row["id"],
        )
    outcome = _done(action, args, result)  # keyed by the proposal; an edit shows in the detail
    if final_args != args:
        edits = ", ".join(f"{k} {v}" for k, v in final_args.items() if args.get(k) != v)
        outcome.detail = f"edited by {decided['decided_by']}: {edits}" + (
            f"; {outcome.detail}" if outcome.detail else ""
        )
    return outcome


async def _await_decision(payload: dict[str, Any], approval_id: str) -> dict[str, Any]:
    """Pause until a resume decides this approval (or names a decision recorded elsewhere).

    The decision is read from the approval row, never from the resume payload: a decision carried by the
    resume is first recorded there by `approvals.decide`, with the caller's authenticated identity
    (`agents/resume.py`). A resume that does not qualify (a forged approval id, a caller without the
    role, other arguments, no decision yet) does not fail the run: it pauses again, with the reason in
    the new interrupt's payload, so the run stays resumable.
    """
    problem = None
    while True:
        answer = interrupt({**payload, "refused_resume": problem} if problem else payload)
        fresh = is_fresh(answer)
        decided, problem = await decision_from_resume(answer, approval_id, payload["action"], fresh=fresh)
        if decided is not None:
            return decided


async def perform_pending_actions(
    brief: Brief, reports: Sequence[SpecialistReport], outcomes: Sequence[ActionOutcome], thread_id: str
) -> list[ActionOutcome]:
    handled = {action_key(o.action, o.args) for o in outcomes}
    results: list[ActionOutcome] = []
    for report in reports:
        for proposal in report.proposed_actions:
            key = action_key(proposal.action, proposal.args)
            if key in handled:
                continue
            handled.add(key)
            results.append(
                await _handle(brief, report.specialist, proposal.action, dict(proposal.args), thread_id)
            )
    return results


def outcome_sentence(outcome: ActionOutcome) -> str:
    """How the customer hears what became of a write action."""
    label = outcome.action.replace("_", " ")
    if outcome.status == "done":
        return f"Done: {label}" + (f" ({outcome.detail})." if outcome.detail else ".")
    if outcome.status == "rejected":
        return f"The {label} was not approved: {outcome.detail}."
    if outcome.status == "pending":
        return f"The {label} is waiting for approval."
    if outcome.status == "failed":
        return f"The {label} could not be completed and nothing was changed: {outcome.detail}."
    return f"I could not {label}: {outcome.detail}."
