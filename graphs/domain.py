"""The shape every domain subgraph shares: a supervisor, its specialists, write actions, a result.

    START -> <domain>_supervisor --(conditional: a specialist | act | finish)--> ...
             each specialist -> <domain>_supervisor
             <domain>_actions -> <domain>_supervisor          (policy, approval interrupt, ledger)
             <domain>_supervisor --(finish)--> END            (with one typed DomainResult for the router)

A domain's module (`agents/specialists/<domain>.py`) declares which specialists it has; this builds its graph.
"""

from __future__ import annotations

import logging
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime

from switchboard.agents.actions import outcome_sentence, perform_pending_actions
from switchboard.agents.context import Context, context_from
from switchboard.agents.contracts import ActionOutcome, Brief, Domain, DomainResult, SpecialistReport
from switchboard.agents.llm import DecisionError, metered, total_usage
from switchboard.agents.models import is_deterministic
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec
from switchboard.agents.specialists.llm import run_llm_specialist
from switchboard.agents.supervisor import ACT, FINISH, supervise
from switchboard.config.settings import get_settings
from switchboard.graphs.state import DomainInput, DomainOutput, DomainState

log = logging.getLogger(__name__)


def _reports(state: DomainState) -> list[SpecialistReport]:
    return [SpecialistReport.model_validate(r) for r in state.get("reports", [])]


def _outcomes(state: DomainState) -> list[ActionOutcome]:
    return [ActionOutcome.model_validate(o) for o in state.get("outcomes", [])]


def _specialist_node(spec: SpecialistSpec) -> Any:
    async def run_specialist(state: DomainState, runtime: Runtime[Context]) -> dict[str, Any]:
        context = context_from(runtime.context)
        brief = Brief.model_validate(state["brief"])
        decider = context.decider("specialist")
        run = SpecialistRun(brief=brief, reports=_reports(state), outcomes=_outcomes(state))
        with metered() as usage:
            if is_deterministic(decider):
                report = await spec.handle(spec, run)
            else:
                try:
                    report = await run_llm_specialist(decider, spec, run)
                except DecisionError as exc:
                    log.warning(
                        "%s: model answer unusable (%s); using the deterministic specialist", spec.name, exc
                    )
                    run.tools_called.clear()
                    report = await spec.handle(spec, run)
        return {
            "reports": [report.model_dump(mode="json")],
            "steps": state.get("steps", 0) + 1,
            "usage": [usage.as_dict()] if usage.model_calls else [],
        }

    run_specialist.__name__ = spec.name
    return run_specialist


def domain_result(domain: Domain, state: DomainState, partial: bool) -> DomainResult:
    """What the domain hands back to the router: its specialists' findings and its actions' outcomes."""
    reports = _reports(state)
    outcomes = _outcomes(state)
    summary = " ".join([*(r.summary for r in reports), *(outcome_sentence(o) for o in outcomes)]).strip()
    return DomainResult(
        domain=domain,
        summary=summary or "I could not find anything to report.",
        facts=[f for r in reports for f in r.facts],
        specialists=[r.specialist for r in reports],
        tools_called=list(dict.fromkeys(t for r in reports for t in r.tools_called)),
        actions=outcomes,
        partial=partial,
        usage=total_usage(state.get("usage", [])),
    )


def build_domain_graph(
    spec: DomainSpec,
) -> CompiledStateGraph[DomainState, Context, DomainInput, DomainOutput]:
    domain, specialists = spec.name, spec.specialists  # DomainSpec checked: at least three specialists
    names = [s.name for s in specialists]
    supervisor_name, actions_name = f"{domain}_supervisor", f"{domain}_actions"

    async def supervisor(state: DomainState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Decide the next step; on finish, hand the domain's result back (no extra step for it)."""
        context = context_from(runtime.context)
        with metered() as usage:
            decision, cut = await supervise(
                context.decider("supervisor"),
                Brief.model_validate(state["brief"]),
                specialists,
                _reports(state),
                _outcomes(state),
                steps=state.get("steps", 0),
                budget=get_settings().domain_step_budget,
            )
        exhausted = state.get("budget_exhausted", False) or cut
        spent = [usage.as_dict()] if usage.model_calls else []
        update: dict[str, Any] = {"next": decision.next, "budget_exhausted": exhausted, "usage": spent}
        if decision.next == FINISH:
            finished: DomainState = {**state, "usage": [*state.get("usage", []), *spent]}
            update["domain_results"] = [domain_result(domain, finished, exhausted).model_dump(mode="json")]
        return update

    async def actions(state: DomainState, config: RunnableConfig) -> dict[str, Any]:
        brief = Brief.model_validate(state["brief"])
        thread_id = str(config.get("configurable", {}).get("thread_id") or brief.thread_id)
        outcomes = await perform_pending_actions(brief, _reports(state), _outcomes(state), thread_id)
        return {"outcomes": [o.model_dump(mode="json") for o in outcomes]}

    builder: StateGraph[DomainState, Context, DomainInput, DomainOutput] = StateGraph(
        DomainState, context_schema=Context, input_schema=DomainInput, output_schema=DomainOutput
    )
    builder.add_node(supervisor_name, supervisor)
    for specialist in specialists:
        builder.add_node(specialist.name, _specialist_node(specialist))
        builder.add_edge(specialist.name, supervisor_name)
    builder.add_node(actions_name, actions)
    builder.add_edge(START, supervisor_name)
    builder.add_conditional_edges(
        supervisor_name,
        lambda state: state["next"],
        {**{n: n for n in names}, ACT: actions_name, FINISH: END},
    )
    builder.add_edge(actions_name, supervisor_name)
    return builder.compile(name=domain)
