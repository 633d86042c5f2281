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

import re
from collections.abc import Callable, Sequence
from typing import Any

from langgraph.types import interrupt

from switchboard.agents.contracts import ActionOutcome, Brief, SpecialistReport, WaitingAction
from switchboard.agents.resume import decision_from_resume, is_fresh, resume_forms
from switchboard.agents.supervisor import action_key
from switchboard.config.settings import get_settings
from switchboard.observability import logs, metrics, tracing
from switchboard.tools import approvals, policy
from switchboard.tools.actions import args_hash, ledger_key, perform, recorded
from switchboard.tools.customers import CUSTOMER_ID_IN_TEXT
from switchboard.tools.db import store_connection

ROLE_RANK = {"customer": 1, "staff": 2}

# A yes to an offer ("I can cancel it: just tell me if you want me to" / "yes please") is the customer's
# confirmation of what was offered, so it is not asked for a second time. Closing the account and a new
# login e-mail are always confirmed in the words of their own description: they can lock a customer out.
_NOT_BY_A_YES = frozenset({"close_account", "change_account_email"})
_REFERENCE = re.compile(r"[A-Z]{2,4}-\d{3,}")
_AMOUNT = re.compile(r"\d+\.\d{2}")
TAKEN_UP = "the customer said yes to the offer"


def taken_up(brief: Brief, action: str, args: dict[str, Any]) -> bool:
    """This turn's yes answers an offer of this very action: the previous answer, which offered it, named
    every reference (order, payment) and amount of its arguments. A model proposing something the offer did
    not name is asked to confirm as before."""
    if not (brief.affirmed and brief.offer) or action in _NOT_BY_A_YES:
        return False
    named = [str(v) for v in args.values() if isinstance(v, str) and _REFERENCE.fullmatch(v)]
    named += [str(v) for v in args.values() if isinstance(v, str) and _AMOUNT.fullmatch(v)]
    return bool(named) and all(value in brief.offer for value in named)


def _outcome(action: str, args: dict[str, Any], status: str, detail: str) -> ActionOutcome:
    return ActionOutcome(action=action, args=args, status=status, detail=detail)  # type: ignore[arg-type]


def _done(action: str, args: dict[str, Any], result: Any) -> ActionOutcome:
    if result.status == "compensated":
        return _outcome(action, args, "failed", result.detail)
    return _outcome(action, args, "done", _receipt(result.result))


def _receipt(result: dict[str, Any]) -> str:
    """The references the store gave a done action, in words ("refund RF-1001"); nothing when it has none."""
    parts = [f"refund {result['refund_id']}"] if result.get("refund_id") else []
    parts += [f"refund {r['refund_id']} of {r['amount']} EUR" for r in result.get("refunds") or [] if r]
    voided = [str(v) for v in result.get("voided") or []]
    if voided:
        parts.append(f"payment {', '.join(voided)} released: it was never charged")
    if result.get("ticket_id"):
        parts.append(f"ticket {result['ticket_id']}")
    return ", ".join(parts)


def other_customers(brief: Brief) -> list[str]:
    """Customer ids the request names that are not the caller's ("change the e-mail of customer
    CUST-0239"): a request about someone else's account, whatever it says about who is asking."""
    named = CUSTOMER_ID_IN_TEXT.findall(f"{brief.message} {brief.request}")
    return list(dict.fromkeys(c.upper() for c in named if c.upper() != brief.customer_id.upper()))


async def _handle(
    brief: Brief, specialist: str, action: str, args: dict[str, Any], thread_id: str
) -> ActionOutcome:
    customer_id, turn = brief.customer_id, brief.turn
    others = other_customers(brief)
    if others:  # identity comes from the credentials: nothing is done on the strength of a named account
        return _outcome(
            action,
            args,
            "refused",
            f"the request is about another customer's account ({', '.join(others)}), and I can only act on "
            "your own",
        )
    async with store_connection() as conn:
        earlier = await recorded(conn, ledger_key(thread_id, action, args, turn))
        if earlier is not None:
            done = _done(action, args, earlier)
            done.replayed = brief.repeats  # a re-run of this turn still publishes (the outbox dedupes it)
            return done
        row = await approvals.get(conn, approvals.approval_id(thread_id, action, args, turn))
        if row is not None and row["status"] != "pending":
            # Decided on an earlier pass of this turn (a re-run after a crash before the checkpoint; a
            # later turn asking again has its own approval id, so it never lands here): the decision path
            # below re-checks the policy; the proposal's own verdict may have changed because of that very
            # decision (an edited refund, already carried out, makes the original one a "second refund").
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
                        conn,
                        thread_id=thread_id,
                        customer_id=customer_id,
                        action=action,
                        args=args,
                        turn=turn,
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
                turn=turn,
            )
            metrics.record_action(action, "approval_requested")
            logs.event(
                "approval.requested", action=action, approval_id=row["id"], required_role=role, path=path
            )
            if role == "customer" and taken_up(brief, action, args):
                # recorded as the customer's decision, like a yes to the confirmation question would be
                row = await approvals.decide(
                    conn,
                    row["id"],
                    actor=approvals.Identity("customer", customer_id),
                    decision="approve",
                    reason=TAKEN_UP,
                )
                logs.approval_decided(row["id"], action, "approve", "customer")
    payload = approval_payload(row, why)
    confirmed = row["status"] == "approved" and row.get("reason") == TAKEN_UP  # this pass or an earlier one
    decided = row if confirmed else await _await_decision(payload, row["id"])
    if decided is None:  # held: the customer wrote something new while staff decide (see `held_approvals`)
        return _outcome(action, args, "pending", HELD)
    return await carry_out(decided, action, args, customer_id, thread_id, turn)


async def carry_out(
    decided: dict[str, Any],
    action: str,
    args: dict[str, Any],
    customer_id: str,
    thread_id: str,
    turn: int | None,
) -> ActionOutcome:
    """A decided approval's action: nothing when rejected; else the policy decides again on the store as
    it is now (an edit, or days of waiting, may change the verdict) and the ledger carries it out once."""
    decided_by = f"{decided['decided_role']}:{decided['decided_by']}" if decided.get("decided_by") else ""
    if decided["status"] == "rejected":
        outcome = _outcome(action, args, "rejected", decided.get("reason") or "no reason given")
        outcome.decided_by = decided_by
        return outcome
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
            approval_id=decided["id"],
            turn=turn,
        )
    outcome = _done(action, args, result)  # keyed by the proposal; the edit is in performed_args
    outcome.decided_by = decided_by
    if final_args != args:
        outcome.performed_args = dict(final_args)
    return outcome


async def _await_decision(payload: dict[str, Any], approval_id: str) -> dict[str, Any] | None:
    """Pause until a resume decides this approval (or names a decision recorded elsewhere); None when the
    resume holds it instead (`{"hold": approval_id}`: the customer asked something new while staff decide,
    so the turn finishes with the action pending and the thread's next turns ask for it again).

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
        if fresh and isinstance(answer, dict) and answer.get("hold") == approval_id:
            if payload.get("required_role") == "staff":
                return None
            problem = "only an approval that waits for staff is held while the customer asks something else"
            continue
        decided, problem = await decision_from_resume(answer, approval_id, payload["action"], fresh=fresh)
        if decided is not None:
            return decided


def approval_payload(row: dict[str, Any], why: str = "") -> dict[str, Any]:
    """The interrupt's payload for an approval row: what a person deciding it sees, and the resumes that
    decide it (the same for a pause in a domain and for a held approval asked again)."""
    parts = [p.strip() for p in str(row["path"]).split(">")]
    action, args, role = row["action"], dict(row["args"]), row["required_role"]
    return {
        "kind": "confirmation" if role == "customer" else "approval",
        "approval_id": row["id"],
        "path": row["path"],
        "domain": parts[1] if len(parts) > 3 else "",
        "specialist": parts[2] if len(parts) > 3 else "",
        "action": action,
        "args": args,
        "args_hash": args_hash(action, args),
        "description": row["description"],
        "why": why,
        "required_role": role,
        "customer_id": row["customer_id"],
        "expires_at": row["expires_at"].isoformat(),
        "resume": resume_forms(row["id"], args),  # what a valid resume looks like (Studio, the SDK)
    }


HELD = "it waits for a member of staff to decide; you will be told when they have"


async def held_waiting(held: Sequence[dict[str, Any]]) -> list[WaitingAction]:
    """The held approvals still pending, as the domains' briefs carry them (`Brief.waiting`)."""
    waiting: list[WaitingAction] = []
    async with store_connection() as conn:
        for entry in held:
            row = await approvals.get(conn, str(entry["approval_id"]))
            if row is not None and row["status"] == "pending" and not row["expired"]:
                waiting.append(WaitingAction(action=row["action"], args=dict(row["args"])))
    return waiting


async def held_approvals(
    held: Sequence[dict[str, Any]], thread_id: str
) -> tuple[list[tuple[str, ActionOutcome]], list[dict[str, Any]]]:
    """Approvals held while the customer went on (they wait for staff), asked for again at the end of a later
    turn: each pending one pauses the run as it did in its domain, and a decided one is carried out (once:
    the ledger key is its own turn's). `held`: {"approval_id", "turn"} each. Returns the outcomes decided
    now, each with its domain, and the approvals still held (a resume that holds them again leaves them
    for the next turn)."""
    outcomes: list[tuple[str, ActionOutcome]] = []
    for index, entry in enumerate(held):
        approval_id = str(entry["approval_id"])
        async with store_connection() as conn:
            row = await approvals.current(conn, approval_id)
        if row is None:  # erased with its thread's data: nothing to ask or do
            continue
        payload = approval_payload(row)
        decided = row if row["status"] != "pending" else await _await_decision(payload, row["id"])
        if decided is None:
            return outcomes, list(held[index:])
        action, args = row["action"], dict(row["args"])
        with tracing.span(
            f"action {action}", {"switchboard.action": action, "switchboard.domain": payload["domain"]}
        ) as current:
            outcome = await carry_out(decided, action, args, row["customer_id"], thread_id, entry.get("turn"))
            tracing.set_attributes(current, {"switchboard.action.status": outcome.status})
        record_outcome(outcome)
        outcomes.append((payload["domain"], outcome))
    return outcomes, []


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
            with tracing.span(
                f"action {proposal.action}",
                {
                    "switchboard.action": proposal.action,
                    "switchboard.domain": brief.domain,
                    "switchboard.specialist": report.specialist,
                },
            ) as current:
                outcome = await _handle(
                    brief, report.specialist, proposal.action, dict(proposal.args), thread_id
                )
                tracing.set_attributes(current, {"switchboard.action.status": outcome.status})
            record_outcome(outcome)
            results.append(outcome)
    return results


EVENT_OF = {
    "done": "action.performed",
    "failed": "action.compensated",
    "refused": "action.refused",
    "rejected": "action.rejected",
}


def record_outcome(outcome: ActionOutcome) -> None:
    """One log line and the metric of what became of a write action."""
    metrics.record_action(outcome.action, outcome.status)
    logs.event(
        EVENT_OF.get(outcome.status, "action.outcome"),
        action=outcome.action,
        status=outcome.status,
        detail=outcome.detail[:300],
    )


def _topic(args: dict[str, Any]) -> str:
    return str(args.get("topic") or "").replace("_", " ")


def _newsletters(args: dict[str, Any]) -> str:
    """ "the weekly deals newsletter", or "all your newsletters" for the topic "all"."""
    return "all your newsletters" if args.get("topic") == "all" else f"the {_topic(args)} newsletter"


# What each action is, in the customer's words: as a thing (for "was not approved") and as a deed done.
_WHAT: dict[str, Callable[[dict[str, Any]], str]] = {
    "issue_refund": lambda a: f"the refund of {a.get('amount')} EUR for order {a.get('order_id')}",
    "cancel_order": lambda a: f"cancelling order {a.get('order_id')}",
    "start_return": lambda a: f"the return of order {a.get('order_id')}",
    "change_delivery_address": lambda a: f"changing the delivery address of order {a.get('order_id')}",
    "open_lost_parcel_claim": lambda a: f"the lost-parcel claim for order {a.get('order_id')}",
    "close_account": lambda a: "closing your account",
    "change_account_email": lambda a: f"changing your account e-mail to {a.get('new_email')}",
    "send_password_reset": lambda a: "the password-reset link",
    "unsubscribe_newsletter": lambda a: f"unsubscribing you from {_newsletters(a)}",
    "escalate_to_human": lambda a: "handing this over to our care team",
}
_DONE: dict[str, Callable[[dict[str, Any]], str]] = {
    "issue_refund": lambda a: f"I have refunded {a.get('amount')} EUR for order {a.get('order_id')}",
    "cancel_order": lambda a: f"I have cancelled order {a.get('order_id')}",
    "start_return": lambda a: f"I have started the return of order {a.get('order_id')}",
    "change_delivery_address": lambda a: (
        f"I have changed the delivery address of order {a.get('order_id')} to {a.get('address')}"
    ),
    "open_lost_parcel_claim": lambda a: (
        f"I have opened a lost-parcel claim for order {a.get('order_id')} (parcel {a.get('tracking_number')});"
        " you will get a replacement or a full refund"
    ),
    "close_account": lambda a: "I have closed your account",
    "change_account_email": lambda a: f"I have changed your account e-mail to {a.get('new_email')}",
    "send_password_reset": lambda a: (
        "I have sent you a password-reset link by e-mail; setting a new password unlocks your account"
    ),
    "unsubscribe_newsletter": lambda a: f"I have unsubscribed you from {_newsletters(a)}",
    "escalate_to_human": lambda a: (
        "I have passed your complaint to a member of our care team; they will get back to you"
        if str(a.get("subject", "")).lower().startswith("complaint")
        else "I have handed this over to a person in our care team; they will contact you"
    ),
}


def _what(outcome: ActionOutcome) -> str:
    args = dict(outcome.args)
    describe = _WHAT.get(outcome.action)
    return describe(args) if describe else outcome.action.replace("_", " ")


def outcome_sentence(outcome: ActionOutcome) -> str:
    """How the customer hears what became of a write action: one plain sentence, said once."""
    status = outcome.status
    if status == "done":
        args = {**outcome.args, **outcome.performed_args}
        done = _DONE.get(outcome.action)
        text = done(args) if done else f"Done: {outcome.action.replace('_', ' ')}"
        if outcome.detail:
            text += f" ({outcome.detail})"
        text += "."
        changed = [k for k, v in outcome.performed_args.items() if outcome.args.get(k) != v]
        if changed:
            what = ", ".join(
                f"the {k.replace('_', ' ')} from {outcome.args.get(k)} to {outcome.performed_args[k]}"
                for k in changed
            )
            text += f" Our staff changed {what} when approving it."
        return text
    what = _what(outcome)
    if status == "rejected":
        if outcome.decided_by.startswith("customer:"):
            return f"As you declined {what}, nothing was changed."
        return f"Our staff did not approve {what} ({outcome.detail}), so nothing was changed."
    if status == "pending":
        return f"{what[0].upper()}{what[1:]} is waiting for approval."
    if status == "failed":
        return (
            f"{what[0].upper()}{what[1:]} could not be completed, so nothing was changed: {outcome.detail}."
        )
    return f"I could not go ahead with {what}: {outcome.detail}."
