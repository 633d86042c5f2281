"""A sixth domain, written the way a user adds one: one module ending with one DomainSpec.

Registered only by `tests/test_domains.py`, at test time (`registry.registered(DOMAIN)`); it uses the
store's existing tables and tools, so it needs no migration or seed rows.
"""

from __future__ import annotations

from datetime import date

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary, money
from switchboard.agents.specialists.common import day, not_found_sentence, orders_in_question
from switchboard.tools.catalogue.care import escalate_to_human

NAME = "warranty"
WARRANTY_YEARS = 2


async def coverage(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    orders, unknown = await orders_in_question(run, prefer=("delivered",))
    if not orders:
        return run.report(
            spec, (not_found_sentence(unknown) or "I could not find an order on your account.").strip()
        )
    order = orders[0]
    today = date.fromisoformat((await run.call(toolkit.today))["today"])
    placed = date.fromisoformat(day(order.get("placed_at")))
    until = placed.replace(year=placed.year + WARRANTY_YEARS)
    covered = "is still under warranty" if today <= until else "is no longer under warranty"
    fact = f"{order['id']}: placed {placed}, {money(order['total'])}, warranty until {until}"
    return run.report(
        spec,
        f"Order {order['id']} {covered} (until {until}).",
        [fact],
        handoffs=["repairs_desk"] if "repair" in run.brief.request.lower() else [],
    )


async def repairs(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    action = ProposedAction(
        action=escalate_to_human.name,
        args={"subject": "Warranty repair", "summary": run.brief.request[:300]},
        reason="the customer asked for a warranty repair",
    )
    return run.report(spec, "I will ask our repairs team to contact you about the repair.", [], [action])


async def terms(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    return run.report(
        spec,
        f"Every product comes with a {WARRANTY_YEARS}-year warranty from the day it was ordered; it covers "
        "defects, not wear or accidental damage.",
        [f"warranty: {WARRANTY_YEARS} years from the order date"],
    )


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="warranty_clerk",
        domain=NAME,
        description="whether an order is still under warranty",
        cues=(r"\bstill\b", r"\bunder warranty\b", r"\bcovered\b", r"\bexpire"),
        tools=(toolkit.list_orders, toolkit.get_order, toolkit.today),
        handle=coverage,
    ),
    SpecialistSpec(
        name="repairs_desk",
        domain=NAME,
        description="repairs under warranty",
        cues=(r"\brepair",),
        tools=(),
        handle=repairs,
        actions=(escalate_to_human,),
    ),
    SpecialistSpec(
        name="warranty_terms_advisor",
        domain=NAME,
        description="what the warranty covers and for how long",
        cues=(r"\bhow long\b", r"\bcover", r"\bterms\b", r"\bwhat does\b"),
        tools=(),
        handle=terms,
    ),
)

# fmt: off
VOCABULARY = Vocabulary(
    predicates={"warranty": 3.0, "guarantee": 3.0, "guaranty": 3.0, "repair": 2.5},
    phrases=((("under", "warranty guarantee"), 0, 1.0),),
)
# fmt: on

DOMAIN = DomainSpec(
    name=NAME,
    title="Warranty",
    description="product warranties: what they cover, whether an order is still covered, repairs",
    offer="warranties and repairs",
    example="a warranty",
    vocabulary=VOCABULARY,
    specialists=SPECIALISTS,
    tools=tuple(dict.fromkeys(t for s in SPECIALISTS for t in s.tools)),
    examples=("is my order still under warranty?", "what does the warranty cover?"),
)
