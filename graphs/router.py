"""The top-level router graph: intake -> route -> one domain subgraph per domain, in parallel -> compose.

    START -> intake -> route --(Send, one per selected domain)--> <each domain of agents/registry.py>
                          \\--(out of scope / unclear)--> compose
             each domain -> compose (one answer; the turn's events to the outbox) -> END

Each domain is a compiled subgraph added as a node, so it is drawn (`get_graph(xray=True)`), streamed
and checkpointed under its own namespace. `graph` (no checkpointer) is what `langgraph.json` serves;
services and notebooks call `build_router_graph().compile(checkpointer=...)`.
"""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Overwrite, Send

from switchboard.agents import registry
from switchboard.agents.composer import clarification_answer, compose, greeting_answer, out_of_scope_answer
from switchboard.agents.context import Context, context_from
from switchboard.agents.contracts import Brief, ComposeRequest, DomainResult, Entities, RouteDecision
from switchboard.agents.intake import check_customer, redact, validate_message
from switchboard.agents.llm import Usage, metered
from switchboard.agents.router import extract_entities
from switchboard.agents.router.decide import decide_route, looks_like_followup
from switchboard.config.settings import get_settings
from switchboard.config.tracing import configure_tracing
from switchboard.graphs.domain import build_domain_graph
from switchboard.graphs.state import RouterInput, RouterOutput, RouterState, Turn
from switchboard.tools.outbox import publish_turn_events


async def intake(state: RouterState, runtime: Runtime[Context]) -> dict[str, Any]:
    """Validate the message, identify the customer from the context, redact, extract entities."""
    context = context_from(runtime.context)
    message = redact(validate_message(state.get("message")))
    await check_customer(context.customer_id)
    entities = extract_entities(message)
    return {
        "message": message,
        "customer_id": context.customer_id,
        "entities": entities.model_dump(mode="json"),
        "domain_results": Overwrite([]),
        "answer": "",
        "domains": [],
        "turn": state.get("turn", 0) + 1,
    }


async def route(state: RouterState, runtime: Runtime[Context]) -> dict[str, Any]:
    context = context_from(runtime.context)
    turns = state.get("turns", [])
    previous = turns[-1]["domains"] if turns else []
    with metered() as usage:
        decision = await decide_route(
            context.decider("route"), state["message"], [t["message"] for t in turns], previous
        )
    decision.usage = usage.as_dict()
    return {"route": decision.model_dump(mode="json"), "domains": list(decision.domains)}


def fan_out(state: RouterState, config: RunnableConfig) -> list[Send] | str:
    """One Send per selected domain, each with its own brief; the branches run in parallel."""
    decision = RouteDecision.model_validate(state["route"])
    if not decision.domains:
        return "compose"
    entities = Entities.model_validate(state.get("entities") or {})
    memory = Entities.model_validate(state.get("memory") or {})
    thread_id = str(config.get("configurable", {}).get("thread_id", ""))
    sends = []
    for domain in decision.domains:
        brief = Brief(
            domain=domain,
            request=decision.domain_requests.get(domain) or state["message"],
            customer_id=state["customer_id"],  # set by intake from the run's context, never from text
            entities=entities,
            earlier=memory,
            followup=bool(state.get("turns")) and looks_like_followup(state["message"]),
            thread_id=thread_id,
        )
        sends.append(Send(domain, {"brief": brief.model_dump(mode="json")}))
    return sends


async def compose_answer(
    state: RouterState, runtime: Runtime[Context], config: RunnableConfig
) -> dict[str, Any]:
    """One answer from the domains' results; then the turn's events go to the outbox.

    Ancillary work is choreographed: the outbox is read by a worker, nothing is sent in the request.
    """
    context = context_from(runtime.context)
    decision = RouteDecision.model_validate(state["route"])
    usage = Usage()
    if decision.needs_clarification and not decision.domains:
        answer = clarification_answer(decision)
    elif decision.greeting and not decision.domains:
        answer = greeting_answer(state["message"])
    elif not decision.domains:
        answer = out_of_scope_answer()
    else:
        results = [DomainResult.model_validate(r) for r in state.get("domain_results", [])]
        with metered() as usage:
            composed = await compose(
                context.decider("compose"), ComposeRequest(request=state["message"], results=results)
            )
        answer = composed.answer
    window = get_settings().history_window
    turn: Turn = {"message": state["message"], "answer": answer, "domains": list(decision.domains)}
    turns = ([*state.get("turns", []), turn])[-window:] if window else []
    # Remember what this turn was about, for follow-ups ("and the invoice for it?"): what the customer
    # named, then what the specialists found (an order looked up without being named).
    results_text = " ".join(f for r in state.get("domain_results", []) for f in r.get("facts", []))
    memory = (
        Entities.model_validate(state.get("memory") or {})
        .merged(Entities.model_validate(state.get("entities") or {}))
        .merged(extract_entities(results_text) if results_text else Entities())
    )
    # A run without a thread (no checkpointer) still publishes, under a key of its own.
    thread_id = str(config.get("configurable", {}).get("thread_id") or config.get("run_id") or uuid.uuid4())
    await publish_turn_events(thread_id, context.customer_id, {**state, "answer": answer})
    return {
        "answer": answer,
        "turns": turns,
        "memory": memory.model_dump(mode="json"),
        "compose_usage": usage.as_dict(),
    }


def build_router_graph() -> StateGraph[RouterState, Context, RouterInput, RouterOutput]:
    builder: StateGraph[RouterState, Context, RouterInput, RouterOutput] = StateGraph(
        RouterState, context_schema=Context, input_schema=RouterInput, output_schema=RouterOutput
    )
    domains = registry.domains()
    builder.add_node("intake", intake)
    builder.add_node("route", route)
    for domain in domains:
        builder.add_node(domain.name, build_domain_graph(domain))
    builder.add_node("compose", compose_answer)  # type: ignore[arg-type]  # runtime and config: supported, not typed
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "route")
    builder.add_conditional_edges("route", fan_out, [*(d.name for d in domains), "compose"])
    for domain in domains:
        builder.add_edge(domain.name, "compose")
    builder.add_edge("compose", END)
    return builder


configure_tracing()  # the dev server imports this module: tracing settings from .env apply there too
graph = build_router_graph().compile(name="switchboard")
