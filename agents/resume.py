"""What a resume of an approval interrupt may say, and how it is checked: the same for every surface.

A paused write action resumes with one of:
- `{"approval_id": "APR-..."}`: the decision is already recorded (the CLI, the HTTP service and
  `Switchboard.decide` record it, then resume this way);
- `{"decision": "approve", "args": {...}}`, `{"decision": "reject", "reason": "..."}` or
  `{"decision": "edit", "args": {...changed...}}`: a decision made by whoever resumes (Studio, the
  LangGraph SDK). The resumer's identity is the one the LangGraph server authenticated
  (`langgraph_auth_user`), never a field of the resume; the decision is recorded through
  `tools.approvals.decide`, so role, expiry and single use are checked as on every other surface, and
  an approval names the exact arguments it approves (their hash must match the request's).

A resume that does not qualify never fails the run: the interrupt comes back with the reason.

A node that paused re-runs from its start on every resume, and LangGraph hands each earlier `interrupt()`
its earlier resume value again. Only the newest value is this caller's: an earlier one was refused in an
earlier run (else the node would not have paused again) and is never decided again, under this caller's
identity or any other.
"""

from __future__ import annotations

from typing import Any, Literal, cast

from langgraph.config import get_config

from switchboard.config.errors import SwitchboardError
from switchboard.tools import approvals
from switchboard.tools.actions import args_hash
from switchboard.tools.db import store_connection
from switchboard.tools.identity import run_identity

DECISIONS = ("approve", "reject", "edit")


def resume_forms(approval_id: str, args: dict[str, Any]) -> dict[str, Any]:
    """The valid resume values, in the interrupt's payload, so Studio's resume box can be filled in."""
    return {
        "approve": {"decision": "approve", "args": args},
        "reject": {"decision": "reject", "reason": "why it is refused"},
        "edit": {"decision": "edit", "args": {name: "new value" for name in args}},
        "recorded": {"approval_id": approval_id},
    }


def is_fresh(answer: object) -> bool:
    """True when `answer` (what `interrupt()` just returned) is this run's resume value, not a replay.

    LangGraph keeps a task's resume values in order in its scratchpad; the newest is the last one, and a
    replayed value is an earlier element. Unknown (no scratchpad): not fresh, so nothing is decided."""
    from langgraph._internal._constants import CONFIG_KEY_SCRATCHPAD

    scratchpad = ((_config() or {}).get("configurable") or {}).get(CONFIG_KEY_SCRATCHPAD)
    resumes = getattr(scratchpad, "resume", None)
    return bool(resumes) and answer is resumes[-1]  # type: ignore[index]


def _config() -> dict[str, Any] | None:
    try:
        return cast(dict[str, Any], get_config())
    except RuntimeError:  # called outside a run
        return None


async def _recorded(approval_id: str) -> dict[str, Any] | None:
    async with store_connection() as conn:
        row = await approvals.get(conn, approval_id)
    return row if row is not None and row["status"] != "pending" else None


async def decision_from_resume(
    answer: object, approval_id: str, action: str, *, fresh: bool = True
) -> tuple[dict[str, Any] | None, str]:
    """(the decided approval row, "") or (None, why this resume does not decide it).

    `fresh`: False for a value LangGraph replays from an earlier run (see `is_fresh`)."""
    if not isinstance(answer, dict) or "decision" not in answer:
        given = answer.get("approval_id") if isinstance(answer, dict) else None
        if given != approval_id:
            return None, f"a resume must carry a decision or approval {approval_id} (got {given!r})"
        decided = await _recorded(approval_id)
        return (decided, "") if decided else (None, f"approval {approval_id} has no decision yet")
    if not fresh:
        return None, "an earlier resume (refused then)"
    decision = answer.get("decision")
    if decision not in DECISIONS:
        return None, f"decision must be approve, reject or edit, not {decision!r}"
    served, actor = run_identity(_config())
    if actor is None:
        where = "this server did not identify the caller" if served else "this run has no caller identity"
        return None, (
            f"approval {approval_id} has no decision yet, and a decision in a resume needs an authenticated"
            f" caller ({where}): resume through the LangGraph server with an API key, or decide with"
            " `switchboard approve`"
        )
    args = answer.get("args")
    async with store_connection() as conn:
        row = await approvals.get(conn, approval_id)
        if row is None:
            return None, f"approval {approval_id} does not exist"
        if row["status"] != "pending":
            return row, ""  # decided on another surface meanwhile: that recorded decision stands
        if decision == "approve":
            if not isinstance(args, dict):
                return None, "an approval names the arguments it approves: copy 'args' from the interrupt"
            if args_hash(action, args) != row["args_hash"]:
                return None, (
                    "the resume approves other arguments than the request's (their hash differs):"
                    " approve the interrupt's 'args' exactly, or decide 'edit'"
                )
        try:
            decided = await approvals.decide(
                conn,
                approval_id,
                actor=actor,
                decision=cast(Literal["approve", "reject", "edit"], decision),
                args=args if decision == "edit" else None,
                reason=answer.get("reason") if isinstance(answer.get("reason"), str) else None,
            )
        except SwitchboardError as exc:
            return None, str(exc)
    return decided, ""
