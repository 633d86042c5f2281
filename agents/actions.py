"""Write actions proposed by specialists: policy, approval, exactly-once execution.

Until the approvals mechanism exists every write action is refused with a clear message: nothing is
ever performed silently on a model's or a rule's say-so.
"""

from __future__ import annotations

from collections.abc import Sequence

from agents.contracts import ActionOutcome, Brief, SpecialistReport
from agents.supervisor import action_key


async def perform_pending_actions(
    brief: Brief, reports: Sequence[SpecialistReport], outcomes: Sequence[ActionOutcome]
) -> list[ActionOutcome]:
    done = {action_key(o.action, o.args) for o in outcomes}
    results: list[ActionOutcome] = []
    for report in reports:
        for proposal in report.proposed_actions:
            key = action_key(proposal.action, proposal.args)
            if key in done:
                continue
            done.add(key)
            results.append(
                ActionOutcome(
                    action=proposal.action,
                    args=proposal.args,
                    status="refused",
                    detail="write actions need staff or customer approval, which is not available yet; nothing was changed",
                )
            )
    return results


def outcome_sentence(outcome: ActionOutcome) -> str:
    """How the customer hears what became of a write action."""
    label = outcome.action.replace("_", " ")
    if outcome.status == "done":
        return f"Done: {label}." + (f" {outcome.detail}" if outcome.detail else "")
    if outcome.status == "rejected":
        return f"The {label} was not approved" + (f": {outcome.detail}" if outcome.detail else ".")
    if outcome.status == "pending":
        return f"The {label} is waiting for approval."
    return f"I could not {label}: {outcome.detail}" if outcome.detail else f"I could not {label}."
