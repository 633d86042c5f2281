"""The top-level router graph: intake -> route -> one domain subgraph per domain, in parallel -> compose.

    START -> intake -> route --Command(goto=Send per selected domain)--> <each domain of agents/registry.py>
                          \\--Command(goto="compose") when out of scope or unclear--> compose
                          \\--Command(goto="held") beside them when approvals held in an earlier turn wait--> held
             each domain, held -> compose (one answer; the turn's events to the outbox, its record to the store) -> END

`held`: a staff approval the customer went past with a new message stays pending, and each later turn asks
for it again (an interrupt beside the turn's domains) until staff decide; then it is carried out there.

Each domain is a compiled subgraph added as a node, so it is drawn (`get_graph(xray=True)`), streamed
and checkpointed under its own namespace. `graph` (no checkpointer) is what `langgraph.json` serves;
services and notebooks call `build_router_graph().compile(checkpointer=...)`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from langgraph.types import Command, Overwrite, Send

from switchboard.agents import registry
from switchboard.agents.actions import held_approvals, held_waiting, outcome_sentence
from switchboard.agents.composer import clarification_answer, compose, greeting_answer, out_of_scope_answer
from switchboard.agents.context import AdmittedContext, Context, context_from
from switchboard.agents.contracts import Brief, ComposeRequest, DomainResult, Entities, RouteDecision
from switchboard.agents.intake import admit
from switchboard.agents.llm import Usage, metered
from switchboard.agents.replies import bare_yes, declines
from switchboard.agents.router import extract_entities
from switchboard.agents.router.decide import affirms, decide_route, looks_like_followup
from switchboard.config.settings import get_settings
from switchboard.config.tracing import configure_tracing
from switchboard.graphs.domain import build_domain_graph
from switchboard.graphs.state import (
    RouterInput,
    RouterOutput,
    RouterState,
    Turn,
    bounded_messages,
    channel,
    chat_input,
    entities_of,
    lean_channel,
    memory_of,
    results_of,
    route_of,
    thread_id_of,
)
from switchboard.observability.cost import current_budget
from switchboard.observability.tracing import served_graph
from switchboard.tools import threads
from switchboard.tools.approvals import approval_id
from switchboard.tools.db import store_connection
from switchboard.tools.identity import customer_for_run
from switchboard.tools.turns import finish_turn


async def intake(state: RouterState, runtime: Runtime[Context], config: RunnableConfig) -> dict[str, Any]:
    """Admission (unless `Switchboard` admitted the message already), then the turn's entities.

    A run that did not come through `Switchboard` (Studio, the LangGraph server) is admitted here and
    claims its thread for the context's customer, so every surface leaves the same ownership record."""
    context = runtime.context
    chat = chat_input(state)
    message = chat.content if chat is not None else state.get("message")
    customer_id = context.customer_id if isinstance(context, Context) else ""
    if not isinstance(context, AdmittedContext):
        context = context_from(context)
        # On the LangGraph server the caller's identity decides the customer (tools/identity.py).
        admitted = await admit(message, customer_for_run(config, context.customer_id))
        message, customer_id = admitted.message, admitted.customer_id
        thread_id = thread_id_of(config)
        if thread_id:
            async with store_connection() as conn:
                await threads.claim(conn, thread_id, admitted.customer_id)
    assert isinstance(message, str)
    # The chat view gets the customer's message as admitted (redacted): a chat input is replaced by id.
    said = HumanMessage(message, id=chat.id if chat is not None else str(uuid.uuid4()))
    update: dict[str, Any] = {
        "message": message,
        "messages": [said],
        "message_id": said.id,
        "customer_id": customer_id,
        "turn": state.get("turn", 0) + 1,
        "started_at": datetime.now(UTC).isoformat(),
        "answer": "",  # always there, if empty, in the state and output of a turn not answered yet
    }
    # What this turn names, and the previous turn's results and fallbacks cleared: an empty value
    # where there is nothing to clear (a thread's first turn) is not written, since it would only be
    # stored, with a version of its channel in every later checkpoint.
    entities = extract_entities(message)
    if entities != Entities() or state.get("entities"):
        update["entities"] = lean_channel(entities)
    resets: dict[str, Any] = {"domain_results": Overwrite([]), "fallbacks": Overwrite([]), "domains": []}
    update.update({key: value for key, value in resets.items() if state.get(key)})
    return update


async def route(state: RouterState, runtime: Runtime[Context]) -> Command[str]:
    """Pick the domains, then one Send per domain with its own brief (they run in parallel), or compose."""
    context = context_from(runtime.context)
    turns = state.get("turns", [])
    previous = turns[-1]["domains"] if turns else []
    acted = bool(turns and turns[-1].get("acted"))
    # the previous answer, for what a yes takes up; after a turn that did something a yes is about what was
    # done ("yes please" after "I have sent you a reset link" is told it is done), offered or not
    answered = str(turns[-1].get("answer") or "") if turns and not acted else ""
    decider = context.decider("route")
    with metered("route", decider) as usage:
        decision = await decide_route(
            decider,
            state["message"],
            [t["message"] for t in turns],
            previous,
            context.prompt("route"),
            answered,
        )
    decision.usage = usage.as_dict()
    affirmed = affirms(
        state["message"], previous, answered
    )  # decide_route carried the previous turn's domains over
    update: dict[str, Any] = {"route": channel(decision), "domains": list(decision.domains)}
    if usage.fallbacks:
        update["fallbacks"] = usage.fallbacks
    held = bool(state.get("held"))  # approvals held in an earlier turn, asked for again beside the domains
    if not decision.domains:
        return Command(goto="held" if held else "compose", update=update)
    entities, memory = entities_of(state), memory_of(state)
    followup = bool(turns) and looks_like_followup(state["message"])
    waiting = await held_waiting(state.get("held") or []) if held else []
    if affirmed and acted:
        # "yes" after an answer that did something ("I have sent you a reset link"): the previous turn's
        # request as it was, in that turn's scope, so the ledger replays what was done instead of doing it
        # again (a second reset e-mail, a second ticket) and the answer says it is done
        repeated: list[Send | str] = [*_repeated(state, decision, turns[-1]["message"])]
        return Command(goto=[*repeated, "held"] if held else repeated, update=update)
    sends = [
        Send(
            domain,
            {
                "brief": lean_channel(
                    Brief(
                        domain=domain,
                        request=decision.domain_requests.get(domain) or state["message"],
                        message=state["message"],
                        customer_id=state["customer_id"],  # set by intake from the run's context, never text
                        entities=entities,
                        earlier=memory,
                        followup=followup or affirmed,
                        previous=turns[-1]["message"] if followup and not affirmed else "",
                        affirmed=affirmed,
                        # a bare yes to an offer is the customer's confirmation of it (agents/actions.py)
                        offer=answered if affirmed and bare_yes(state["message"]) else "",
                        declined=bool(previous) and declines(state["message"]),
                        turn=state.get("turn"),
                        waiting=waiting,
                    )
                )
            },
        )
        for domain in decision.domains
    ]
    return Command(goto=[*sends, "held"] if held else sends, update=update)


def _repeated(state: RouterState, decision: RouteDecision, message: str) -> list[Send]:
    earlier = route_of(state) if state.get("route") else decision  # the previous turn's decision
    return [
        Send(
            domain,
            {
                "brief": lean_channel(
                    Brief(
                        domain=domain,
                        request=earlier.domain_requests.get(domain) or message,
                        message=message,
                        customer_id=state["customer_id"],
                        entities=extract_entities(message),
                        earlier=memory_of(state),
                        followup=True,
                        turn=state.get("turn", 1) - 1,
                        repeats=True,
                    )
                )
            },
        )
        for domain in decision.domains
    ]


async def compose_answer(
    state: RouterState, runtime: Runtime[Context], config: RunnableConfig
) -> dict[str, Any]:
    """One answer from the domains' results; then the turn's events go to the outbox and its record
    to `store.turns`, in one transaction.

    Ancillary work is choreographed: the outbox is read by a worker, nothing is sent in the request.
    """
    context = context_from(runtime.context)
    decision = route_of(state)
    usage = Usage()
    results = results_of(state)
    streamed_id: str | None = None  # the id of a model reply streamed to the chat view
    if decision.needs_clarification and not decision.domains:
        answer = clarification_answer(decision)
    elif decision.greeting and not decision.domains:
        answer = greeting_answer(state["message"])
    elif not decision.domains:
        answer = out_of_scope_answer()
    else:
        decider = context.decider("compose")
        with metered("compose", decider) as usage:
            composed = await compose(
                decider,
                ComposeRequest(request=state["message"], results=results),
                context.prompt("compose"),
            )
        answer, streamed_id = composed.answer, composed.message_id
    budget = current_budget()
    if budget is not None and budget.downgraded:  # finished on the deterministic deciders: say so
        answer = f"{answer}\n\n{budget.note()}"
    window = get_settings().history_window
    turn: Turn = {"message": state["message"], "answer": answer, "domains": list(decision.domains)}
    if any(a.status == "done" and not a.replayed for r in results for a in r.actions):
        turn["acted"] = True
    turns = ([*state.get("turns", []), turn])[-window:] if window else []
    # Remember what this turn was about, for follow-ups ("and the invoice for it?"): what the customer
    # named, then what the specialists found (an order looked up without being named).
    results_text = " ".join(f for r in results for f in r.facts)
    # What an action was carried out on (or waits on) comes last: after "I have cancelled order X",
    # "the refund for it" means X, not another order the answer mentioned on the way.
    acted_text = " ".join(
        str(value)
        for r in results
        for a in r.actions
        if a.status in ("done", "pending")
        for value in (a.performed_args or a.args).values()
    )
    memory = (
        memory_of(state)
        .merged(entities_of(state))
        .merged(extract_entities(results_text) if results_text else Entities())
        .merged(extract_entities(acted_text) if acted_text else Entities())
    )
    # A run without a thread (no checkpointer) still publishes, under a key of its own.
    thread_id = thread_id_of(config) or f"run-{uuid.uuid4()}"
    budget_view = budget.as_dict() if budget is not None and budget.limited else None
    metadata = config.get("metadata") or {}
    await finish_turn(
        thread_id,
        context.customer_id,
        {
            **state,
            "answer": answer,
            "compose_usage": usage.as_dict(),
            # what the turn record keeps of the run beside its decisions (`explain` and `cost` after pruning)
            "observability": {
                "deciders": metadata.get("deciders"),
                "trace_id": metadata.get("trace_id"),
                "budget": budget_view,
            },
        },
    )
    # The chat message keeps the streamed reply's id, so the chat view does not show the answer twice
    # (unless a server reuses ids: a message id is unique within the thread).
    known = {m.id for m in state.get("messages") or []}
    message_id = streamed_id if streamed_id and streamed_id not in known else str(uuid.uuid4())
    # An approval held in this turn (the customer wrote something new while staff decide) is asked for
    # again in the next turns (`held`), beside their domains, until staff decide.
    just_held = [
        {
            "approval_id": approval_id(thread_id, a.action, a.args, state.get("turn")),
            "turn": state.get("turn"),
        }
        for r in results
        for a in r.actions
        if a.status == "pending"
    ]
    carried = list(state.get("held") or [])
    held = carried + [h for h in just_held if h not in carried]
    return {
        "answer": answer,
        "answered": state.get("turn", 0),
        "turns": turns,
        "messages": bounded_messages(state, AIMessage(answer, id=message_id), window),
        "memory": lean_channel(memory),  # read back through `memory_of`
        "compose_usage": usage.as_dict(),
        **({"fallbacks": usage.fallbacks} if usage.fallbacks else {}),
        # no budget set (the default): nothing written, unless a budget of an earlier turn is to clear
        **({"budget": budget_view} if budget_view is not None or state.get("budget") else {}),
        **({"held": held} if held or carried else {}),
    }


async def ask_held(state: RouterState, config: RunnableConfig) -> dict[str, Any]:
    """Approvals held in earlier turns, asked for again beside this turn's domains: the run pauses on each
    one still waiting for staff (an interrupt like the domain's, decided the same way on every surface),
    and what staff decided is carried out and reported as its domain's result, so compose says it."""
    outcomes, still = await held_approvals(state.get("held") or [], thread_id_of(config))
    update: dict[str, Any] = {"held": still}
    if outcomes:
        update["domain_results"] = [
            channel(
                DomainResult(
                    domain=domain, summary=outcome_sentence(outcome), specialists=["held"], actions=[outcome]
                )
            )
            for domain, outcome in outcomes
        ]
    return update


def build_router_graph() -> StateGraph[RouterState, Context, RouterInput, RouterOutput]:
    builder: StateGraph[RouterState, Context, RouterInput, RouterOutput] = StateGraph(
        RouterState, context_schema=Context, input_schema=RouterInput, output_schema=RouterOutput
    )
    domains = registry.domains()
    builder.add_node("intake", intake)  # type: ignore[arg-type, call-overload]  # runtime and config: supported, not typed
    builder.add_node("route", route, destinations=(*(d.name for d in domains), "held", "compose"))
    for domain in domains:
        builder.add_node(domain.name, build_domain_graph(domain))
    builder.add_node("held", ask_held)  # type: ignore[arg-type, call-overload]  # config: supported, not typed
    builder.add_node("compose", compose_answer)  # type: ignore[arg-type, call-overload]  # runtime and config: supported, not typed
    builder.add_edge(START, "intake")
    builder.add_edge("intake", "route")
    for domain in domains:
        builder.add_edge(domain.name, "compose")
    builder.add_edge("held", "compose")
    builder.add_edge("compose", END)
    return builder


_built: tuple[int, StateGraph[RouterState, Context, RouterInput, RouterOutput]] | None = None


def router_builder() -> StateGraph[RouterState, Context, RouterInput, RouterOutput]:
    """`build_router_graph()` once per state of the registry: building it (a compiled subgraph per
    domain) costs twenty times what compiling the finished builder costs, and a process compiles it
    twice (`graph` below at import, then with its checkpointer). A domain registered later gets a new
    builder."""
    global _built
    if _built is None or _built[0] != registry.generation():
        _built = (registry.generation(), build_router_graph())
    return _built[1]


configure_tracing()  # the dev server imports this module: tracing settings from .env apply there too
graph = served_graph(router_builder().compile(name="switchboard"))  # traced there too, when tracing is on
