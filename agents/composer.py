"""The compose decision point: one answer from every domain's result (or a polite refusal/question).

The deterministic composer keeps each domain's own words (the supervisor pattern's known failure is
paraphrasing specialists' answers away); the LLM composer may rephrase but is given the same facts.
"""

from __future__ import annotations

import logging

from langchain_core.messages import HumanMessage, SystemMessage

from switchboard.agents.contracts import (
    DOMAIN_DESCRIPTIONS,
    ComposedAnswer,
    ComposeRequest,
    DomainResult,
    RouteDecision,
)
from switchboard.agents.llm import DecisionError, structured
from switchboard.agents.models import is_deterministic

log = logging.getLogger(__name__)

TITLES = {
    "orders": "Your order",
    "billing": "Billing",
    "shipping": "Shipping",
    "account": "Your account",
    "care": "Customer care",
}


def capabilities() -> str:
    return "; ".join(f"{d} ({desc})" for d, desc in DOMAIN_DESCRIPTIONS.items())


def out_of_scope_answer() -> str:
    return (
        "Sorry, that is outside what I can help with. I can help with your orders, billing and refunds, "
        "shipping and deliveries, your account, and complaints or reaching a person in customer care."
    )


def clarification_answer(route: RouteDecision) -> str:
    return route.clarifying_question or (
        "Could you tell me a little more about what you need? For example: an order, a payment or refund, "
        "a delivery, your account, or a complaint."
    )


def _domain_paragraph(result: DomainResult, titled: bool) -> str:
    text = result.summary.strip()
    if result.partial:
        text += " (I could not finish every check on this; ask again and I will continue.)"
    return f"{TITLES.get(result.domain, result.domain)}: {text}" if titled else text


def compose_deterministic(request: ComposeRequest) -> ComposedAnswer:
    results = sorted(request.results, key=lambda r: r.domain)
    if not results:
        return ComposedAnswer(answer=out_of_scope_answer())
    if len(results) == 1:
        return ComposedAnswer(answer=_domain_paragraph(results[0], titled=False))
    return ComposedAnswer(answer="\n".join(f"- {_domain_paragraph(r, titled=True)}" for r in results))


async def compose(decider: str, request: ComposeRequest) -> ComposedAnswer:
    if is_deterministic(decider) or not request.results:
        return compose_deterministic(request)
    facts = "\n\n".join(
        f"[{r.domain}] {r.summary}\nFacts: {'; '.join(r.facts)}\n"
        f"Actions: {'; '.join(f'{a.action} {a.status}: {a.detail}' for a in r.actions) or 'none'}"
        for r in request.results
    )
    system = (
        "You write the single reply of an online store's support assistant. Combine the teams' findings "
        "into one short, friendly answer. Keep every fact, amount, date and action status exactly; add "
        "nothing the findings do not say."
    )
    try:
        return await structured(
            decider,
            ComposedAnswer,
            [SystemMessage(system), HumanMessage(f"Customer: {request.request}\n\n{facts}")],
        )
    except DecisionError as exc:
        log.warning("composer model answer unusable (%s); composing deterministically", exc)
        return compose_deterministic(request)
