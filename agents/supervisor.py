"""The supervise decision point: after each specialist, who is next in this domain, or is it done?

Deterministic: the specialists whose cues match the brief, in the domain's order, then any handoff a
specialist asked for, then pending write actions, then finish. LLM: the model makes the opening choice
when the rules are not decisive (no specialist's cues match, or several do); every later step follows
the specialists' handoffs and the plan, so a supervisor costs a model call only where judgement is
needed. An answer outside the roster falls back to the deterministic choice (recorded as a fallback). Either way the step budget is
enforced here in code, so a domain ends with a partial result, never at the recursion limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import Field

from switchboard.agents import prompts
from switchboard.agents.contracts import ActionOutcome, Brief, Contract, SpecialistReport, SupervisorDecision
from switchboard.agents.llm import DecisionError, decide_or_fall_back, structured
from switchboard.agents.models import is_deterministic
from switchboard.agents.specialists.base import SpecialistSpec

ACT = "act"
FINISH = "finish"


def action_key(action: str, args: Mapping[str, object]) -> str:
    return action + ":" + ",".join(f"{k}={args[k]}" for k in sorted(args))


def pending_actions(reports: Sequence[SpecialistReport], outcomes: Sequence[ActionOutcome]) -> list[str]:
    done = {action_key(o.action, o.args) for o in outcomes}
    keys = [action_key(a.action, a.args) for r in reports for a in r.proposed_actions]
    return [k for k in dict.fromkeys(keys) if k not in done]


def candidates(brief: Brief, specialists: Sequence[SpecialistSpec]) -> list[str]:
    """The specialists whose cues the brief matches, in the domain's order."""
    return [s.name for s in specialists if s.wanted_for(brief)]


def plan(brief: Brief, specialists: Sequence[SpecialistSpec]) -> list[str]:
    """The specialists this brief calls for, in the domain's order; the first one when none match."""
    found = []
    if (current := brief.newest_part()) is not None:
        # "did my order get cancelled? / ok and can I order it again?": what the new message itself asks
        # for chooses first
        found = candidates(brief.model_copy(update={"request": current}), specialists)
    found = found or candidates(brief, specialists)
    if not found and brief.previous:  # "take me off that one": the specialists of what it refers to
        found = candidates(brief.model_copy(update={"request": brief.previous}), specialists)
    return found or [specialists[0].name]


def needs_judgement(
    brief: Brief, specialists: Sequence[SpecialistSpec], reports: Sequence[SpecialistReport]
) -> bool:
    """Only the opening choice can be ambiguous (no candidate, or several): later steps follow from the
    specialists' own handoffs and the plan, so a model is not consulted for them."""
    return not reports and len(candidates(brief, specialists)) != 1


def decide_deterministic(
    brief: Brief,
    specialists: Sequence[SpecialistSpec],
    reports: Sequence[SpecialistReport],
    outcomes: Sequence[ActionOutcome],
) -> SupervisorDecision:
    ran = {r.specialist for r in reports}
    known = {s.name for s in specialists}
    # With reports in hand (perhaps from a model's opening choice) the default specialist is not forced.
    opening = plan(brief, specialists) if not reports else candidates(brief, specialists)
    wanted = opening + [h for r in reports for h in r.handoffs if h in known]
    for name in dict.fromkeys(wanted):
        if name not in ran:
            why = (
                "asked for by a colleague"
                if name not in plan(brief, specialists)
                else "the request calls for it"
            )
            return SupervisorDecision(next=name, reason=why)
    if pending_actions(reports, outcomes):
        return SupervisorDecision(next=ACT, reason="write actions were proposed")
    return SupervisorDecision(next=FINISH, reason="every specialist the request needs has reported")


class SupervisorChoice(Contract):
    next: str = Field(
        description="the name of the specialist to run next, or 'finish' when the domain is done"
    )
    reason: str = Field(default="", description="one sentence")


async def decide_llm(
    decider: str,
    brief: Brief,
    specialists: Sequence[SpecialistSpec],
    reports: Sequence[SpecialistReport],
    outcomes: Sequence[ActionOutcome],
    prompt: str = prompts.SUPERVISOR,
) -> SupervisorDecision:
    roster = "\n".join(f"- {s.name}: {s.description}" for s in specialists)
    done = "\n".join(f"- {r.specialist}: {r.summary}" for r in reports) or "(nobody yet)"
    system = prompts.render(prompt, domain=brief.domain, roster=roster)
    human = f"Request: {brief.request}\nReports so far:\n{done}"
    choice = await structured(decider, SupervisorChoice, [SystemMessage(system), HumanMessage(human)])
    ran = {r.specialist for r in reports}
    names = {s.name for s in specialists}
    if choice.next == FINISH:
        if pending_actions(reports, outcomes):
            return SupervisorDecision(next=ACT, reason="write actions were proposed")
        if not reports:  # a domain always consults at least one specialist
            return decide_deterministic(brief, specialists, reports, outcomes)
        return SupervisorDecision(next=FINISH, reason=choice.reason)
    if choice.next in names and choice.next not in ran:
        return SupervisorDecision(next=choice.next, reason=choice.reason)
    raise DecisionError(f"the model chose {choice.next!r}, not an available specialist")


async def supervise(
    decider: str,
    brief: Brief,
    specialists: Sequence[SpecialistSpec],
    reports: Sequence[SpecialistReport],
    outcomes: Sequence[ActionOutcome],
    *,
    steps: int,
    budget: int,
    prompt: str = prompts.SUPERVISOR,
) -> tuple[SupervisorDecision, bool]:
    """The next step, and whether the budget cut the domain short."""
    if is_deterministic(decider) or not needs_judgement(brief, specialists, reports):
        decision = decide_deterministic(brief, specialists, reports, outcomes)
    else:
        decision = await decide_or_fall_back(
            f"{brief.domain}_supervisor",
            decider,
            lambda: decide_llm(decider, brief, specialists, reports, outcomes, prompt),
            lambda: decide_deterministic(brief, specialists, reports, outcomes),
        )
    if decision.next not in (ACT, FINISH) and steps >= budget:
        reason = f"step budget of {budget} specialist runs reached; {decision.next} was not consulted"
        if pending_actions(reports, outcomes):
            return SupervisorDecision(next=ACT, reason=reason), True
        return SupervisorDecision(next=FINISH, reason=reason), True
    return decision, False
