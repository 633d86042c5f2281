"""The shape every domain subgraph shares: a supervisor, its specialists, write actions, a result.

    START -> <domain>_supervisor --Command(goto=...)--> a specialist | <domain>_actions | END
             each specialist --Command(goto=...)--> another specialist | <domain>_actions | END
             <domain>_actions -> <domain>_supervisor          (policy, approval interrupt, ledger)
             finish --> END                                    (with one typed DomainResult for the router)

The supervisor's decision (`agents/supervisor.py`) is taken at the opening, after the actions, and at
the end of each specialist's step (there the rules decide: its handoffs, the plan, pending actions),
so a specialist run costs one step, not two. Every possible next step is declared (`destinations`),
so the drawn graph shows them. A domain's module declares its specialists; this builds its graph.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command

from switchboard.agents.actions import outcome_sentence, perform_pending_actions
from switchboard.agents.context import Context, context_from
from switchboard.agents.contracts import ActionOutcome, Domain, DomainResult, Fallback, SpecialistReport
from switchboard.agents.llm import Usage, decide_or_fall_back, metered, total_usage
from switchboard.agents.models import is_deterministic
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec
from switchboard.agents.specialists.llm import run_llm_specialist
from switchboard.agents.supervisor import ACT, FINISH, action_key, supervise
from switchboard.config.settings import get_settings
from switchboard.graphs.state import (
    DomainInput,
    DomainOutput,
    DomainState,
    brief_of,
    channel,
    outcomes_of,
    report_channel,
    reports_of,
    thread_id_of,
)


def domain_result(
    domain: Domain, state: DomainState, partial: bool, pending: Sequence[ActionOutcome] = ()
) -> DomainResult:
    """The one builder of what a domain hands back: its specialists' findings and its actions' outcomes.

    A paused domain (`api.result`) passes the actions waiting for a decision as `pending`."""
    reports = reports_of(state)
    outcomes = [*outcomes_of(state), *pending]
    summary = " ".join([*(_findings(r, outcomes) for r in reports), *(outcome_sentence(o) for o in outcomes)])
    summary = " ".join(summary.split())
    # two specialists saying the same sentence (where the parcel is, for tracking and for the claim): once
    sentences = re.split(r"(?<=[.!?])\s+", summary)
    summary = " ".join(dict.fromkeys(s for s in sentences if s))
    return DomainResult(
        domain=domain,
        summary=summary or "I could not find anything to report.",
        facts=[f for r in reports for f in r.facts],
        specialists=[r.specialist for r in reports],
        tools_called=list(dict.fromkeys(t for r in reports for t in r.tools_called)),
        actions=outcomes,
        partial=partial,
        usage=total_usage(state.get("usage", [])),
        fallbacks=[Fallback.model_validate(f) for f in state.get("fallbacks", [])],
        usage_by_point={
            point: total_usage(u for u in state.get("usage", []) if u.get("point") == point)
            for point in dict.fromkeys(str(u.get("point")) for u in state.get("usage", []) if u.get("point"))
        },
    )


def spent(usage: Usage, point: str) -> dict[str, Any]:
    """One step's entry in the domain's `usage` channel: its decision point and the counts that are not
    zero (every reader sums them with zero for a missing count: `total_usage`, explain)."""
    return {**{k: v for k, v in usage.as_dict().items() if v}, "point": point}


def _findings(report: SpecialistReport, outcomes: Sequence[ActionOutcome]) -> str:
    """A report's words, less its announcements ("I will refund ...") once each action it proposed has been
    decided: the outcome's sentence then says what happened, and the answer never says both."""
    decided = {action_key(o.action, o.args) for o in outcomes if o.status != "pending"}
    proposed = [action_key(p.action, dict(p.args)) for p in report.proposed_actions]
    if not proposed or not all(key in decided for key in proposed):
        return report.summary
    sentences = re.split(r"(?<=[.!?])\s+", report.summary.strip())
    return " ".join(s for s in sentences if not _ANNOUNCEMENT.match(s))


_ANNOUNCEMENT = re.compile(r"^(I will|I'll|I am going to|Once you confirm)\b", re.IGNORECASE)


def build_domain_graph(
    spec: DomainSpec,
) -> CompiledStateGraph[DomainState, Context, DomainInput, DomainOutput]:
    domain, specialists = spec.name, spec.specialists  # DomainSpec checked: at least three specialists
    supervisor_name, actions_name = f"{domain}_supervisor", f"{domain}_actions"
    goto = {**{s.name: s.name for s in specialists}, ACT: actions_name, FINISH: END}

    async def decide_next(state: DomainState, update: dict[str, Any], context: Context) -> Command[str]:
        """The supervisor's decision on the state with `update` applied, as the step's Command: the next
        specialist, the actions or the end (then with the domain's one result for the router)."""
        reports = [
            *reports_of(state),
            *(SpecialistReport.model_validate(r) for r in update.get("reports", [])),
        ]
        usage_so_far = [*state.get("usage", []), *update.get("usage", [])]
        fallbacks_so_far = [*state.get("fallbacks", []), *update.get("fallbacks", [])]
        decider = context.decider("supervisor")
        with metered("supervisor", decider, domain) as usage:
            decision, cut = await supervise(
                decider,
                brief_of(state),
                specialists,
                reports,
                outcomes_of(state),
                steps=len(reports),  # specialist runs so far: each leaves one report
                budget=get_settings().domain_step_budget,
                prompt=context.prompt("supervisor"),
            )
        if usage.model_calls or usage.fallbacks:
            step_usage = spent(usage, "supervisor")
            update["usage"] = [*update.get("usage", []), step_usage]
            usage_so_far.append(step_usage)
        if usage.fallbacks:
            update["fallbacks"] = [*update.get("fallbacks", []), *usage.fallbacks]
            fallbacks_so_far.extend(usage.fallbacks)
        if cut:
            update["budget_exhausted"] = True
        if decision.next == FINISH:
            finished: DomainState = {
                **state,
                "reports": [channel(r) for r in reports],
                "usage": usage_so_far,
                "fallbacks": fallbacks_so_far,
            }
            exhausted = state.get("budget_exhausted", False) or cut
            update["domain_results"] = [channel(domain_result(domain, finished, exhausted))]
        return Command(goto=goto[decision.next], update=update)

    async def supervisor(state: DomainState, runtime: Runtime[Context]) -> Command[str]:
        """The opening choice (a model's, when the rules are not decisive), and the step after actions."""
        return await decide_next(state, {}, context_from(runtime.context))

    def specialist_node(specialist: SpecialistSpec) -> Any:
        async def run_specialist(state: DomainState, runtime: Runtime[Context]) -> Command[str]:
            """The specialist's report, then the supervisor's next step in the same step: after a
            specialist the rules decide (its handoffs, the plan, pending actions), so no model is asked
            and no separate supervisor step (and checkpoint) is spent on it."""
            context = context_from(runtime.context)
            decider = context.decider("specialist")
            run = SpecialistRun(brief=brief_of(state), reports=reports_of(state), outcomes=outcomes_of(state))
            with metered("specialist", decider, domain) as usage:
                if is_deterministic(decider):
                    report = await specialist.handle(specialist, run)
                else:

                    def twin() -> Awaitable[SpecialistReport]:
                        run.tools_called.clear()  # the model's lookups are not the twin's
                        return specialist.handle(specialist, run)

                    report = await decide_or_fall_back(
                        specialist.name,
                        decider,
                        lambda: run_llm_specialist(decider, specialist, run, context.prompt("specialist")),
                        twin,
                    )
            update: dict[str, Any] = {"reports": [report_channel(report)]}
            if usage.model_calls or usage.fallbacks:
                update["usage"] = [spent(usage, "specialist")]
            if usage.fallbacks:
                update["fallbacks"] = usage.fallbacks
            return await decide_next(state, update, context)

        run_specialist.__name__ = specialist.name
        return run_specialist

    async def actions(state: DomainState, config: RunnableConfig) -> dict[str, Any]:
        outcomes = await perform_pending_actions(
            brief_of(state), reports_of(state), outcomes_of(state), thread_id_of(config)
        )
        return {"outcomes": [channel(o) for o in outcomes]}

    builder: StateGraph[DomainState, Context, DomainInput, DomainOutput] = StateGraph(
        DomainState, context_schema=Context, input_schema=DomainInput, output_schema=DomainOutput
    )
    destinations = tuple(goto.values())
    builder.add_node(supervisor_name, supervisor, destinations=destinations)
    for specialist in specialists:  # never itself next: a supervisor does not pick a specialist twice
        others = tuple(d for d in destinations if d != specialist.name)
        builder.add_node(specialist.name, specialist_node(specialist), destinations=others)
    builder.add_node(actions_name, actions)
    builder.add_edge(START, supervisor_name)
    builder.add_edge(actions_name, supervisor_name)
    return builder.compile(name=domain)
