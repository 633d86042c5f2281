"""The route decision point: deterministic by default, a model when one is configured.

Follow-ups ("and the other order?") carry no domain words of their own; when a request looks like one
and the thread has an earlier turn, the earlier turn's domains are reused.
"""

from __future__ import annotations

import re

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import Field

from switchboard.agents import prompts, registry
from switchboard.agents.contracts import Contract, Domain, RouteDecision
from switchboard.agents.llm import decide_or_fall_back, structured
from switchboard.agents.models import is_deterministic
from switchboard.agents.replies import declines, plain_yes
from switchboard.agents.router.discourse import asks_whereabouts, whereabouts_domains
from switchboard.observability import logs, metrics

_FOLLOWUP = re.compile(
    r"^\s*(and|also|what about|how about|same for|and what about|ok(ay)?,? and|then)\b|\b(the other|that one|"
    r"the same|this one|it|that order|the first|the second|the last one|before that|them|those|all of them)\b"
    # the other languages' "and ...?" / "the other one" / "the one before"
    r"|^\W*(?:(?:ok(?:ay|é)?|d'accord|gut|vale|bien|bon|va bene|top|prima|certo)\W+)?(und|y|e|et|en|ook)\s+\S"
    r"|\b(die andere|der andere|das andere|die davor|davor|el otro|la otra|"
    r"la anterior|el anterior|l'autre|celle d'avant|d'avant|de andere|het andere|die ervoor|daarvoor"
    r"|celle-l[àa]|celui-l[àa]|ceux-l[àa]|celles-l[àa]|aquella|aquel|l'altro|l'altra|quella|quello)(?!\w)",
    re.IGNORECASE,
)


# "and what did I pay for the whole lot, and on which card?": a message that opens with "and" goes on
# from the last turn, however long
_GOES_ON = re.compile(
    r"^\W*(?:and|also|what about|how about|ok(?:ay)?,? and|"
    r"(?:(?:ok(?:ay|é)?|d'accord|gut|vale|bien|bon|va bene|top|prima|certo)\W+)?(?:und|y|et|en|ook))\s",
    re.IGNORECASE,
)


def looks_like_followup(text: str) -> bool:
    words = len(text.split())
    return (words <= 12 and bool(_FOLLOWUP.search(text))) or (words <= 25 and bool(_GOES_ON.search(text)))


class DomainShare(Contract):
    domain: Domain
    request: str = Field(description="the part of the customer's message this domain should handle")


class RouteChoice(Contract):
    domains: list[DomainShare] = Field(
        default_factory=list, description="one entry per domain the request concerns"
    )
    out_of_scope: bool = Field(default=False, description="true when no domain fits")
    needs_clarification: bool = Field(
        default=False, description="true when the request is too vague to route"
    )
    clarifying_question: str | None = None
    greeting: bool = Field(
        default=False, description="true for a greeting, thanks or small talk that asks for nothing"
    )
    confidence: float = Field(ge=0.0, le=1.0)


async def route_llm(
    decider: str, text: str, history: list[str], prompt: str = prompts.ROUTE
) -> RouteDecision:
    domains = "\n".join(f"- {d.name}: {d.description}" for d in registry.domains())
    system = prompts.render(prompt, domains=domains)
    earlier = "\n".join(f"- {h}" for h in history[-3:]) or "(none)"
    choice = await structured(
        decider,
        RouteChoice,
        [SystemMessage(system), HumanMessage(f"Earlier messages:\n{earlier}\n\nMessage: {text}")],
    )
    selected = sorted({share.domain for share in choice.domains}, key=registry.names().index)
    shares: dict[Domain, str] = {}
    for share in choice.domains:
        shares[share.domain] = (
            (shares[share.domain] + " " + share.request).strip() if share.domain in shares else share.request
        )
    return RouteDecision(
        domains=sorted(selected),
        out_of_scope=choice.out_of_scope and not selected and not choice.greeting,
        greeting=choice.greeting and not selected,
        needs_clarification=choice.needs_clarification and not selected,
        clarifying_question=choice.clarifying_question
        if choice.needs_clarification and not selected
        else None,
        confidence=choice.confidence,
        rationale="model decision",
        domain_requests=shares,
        decider=decider,
    )


# What an answer that offers something or asks a question says ("I can refund it if you ask me to",
# "just tell me if you want it", "shall I ...?"). A yes to an answer without one is a thank-you.
_OFFERS = re.compile(
    r"\b(?:I can|I could|shall I|should I|do you want|would you like|want me to|if you want|if you like"
    r"|if you ask me|just tell me|let me know if)\b|\?",
    re.IGNORECASE,
)


def affirms(text: str, previous_domains: list[str], previous_answer: str = "") -> bool:
    """A plain yes after a turn that had domains ("yes please", or "ok send it" when that answer offered
    to send something): it takes up what that turn's answer offered. After an answer that offered nothing
    and asked nothing ("ok thanks", "perfect, merci!" after a tracking answer) it is a thank-you, routed as
    one. Without the previous answer (a caller that has none) a plain yes takes up the previous turn."""
    offered = not previous_answer or bool(_OFFERS.search(previous_answer))
    return bool(previous_domains) and offered and plain_yes(text, previous_answer)


def _carried_over(decision: RouteDecision, domains: list[str], request: str, why: str) -> RouteDecision:
    """The decision routed to the previous turn's domains, each given `request`."""
    kept: list[Domain] = [d for d in registry.names() if d in domains]
    return decision.model_copy(
        update={
            "domains": sorted(kept),
            "out_of_scope": False,
            "needs_clarification": False,
            "clarifying_question": None,
            "greeting": False,
            "rationale": f"{why}: kept the previous turn's domains ({', '.join(kept)})",
            "domain_requests": dict.fromkeys(kept, request),
        }
    )


async def decide_route(
    decider: str,
    text: str,
    history: list[str],
    previous_domains: list[str],
    prompt: str = prompts.ROUTE,
    previous_answer: str = "",
) -> RouteDecision:
    from switchboard.agents.router import route_deterministic

    if is_deterministic(decider):
        decision = route_deterministic(text, history)
    else:
        decision = await decide_or_fall_back(
            "route",
            decider,
            lambda: route_llm(decider, text, history, prompt),
            lambda: route_deterministic(text, history),
        )
    if affirms(text, previous_domains, previous_answer):
        # "yes" to an answer that offered something ("I can refund it if you ask me to"): the previous
        # request again, its offer now asked for (a pause is answered before the graph runs)
        decision = _carried_over(
            decision,
            previous_domains,
            f"{history[-1]} / {text}" if history else text,
            "a yes to the previous answer",
        )
    elif not decision.domains and not decision.greeting and previous_domains and declines(text):
        # "nah, not now" / "no, don't bother" to an answer that offered something: the previous request
        # with this no, so the domain says what it has not done instead of offering it again
        decision = _carried_over(
            decision,
            previous_domains,
            f"{history[-1]} / {text}" if history else text,
            "a no to the previous answer",
        )
    elif (
        not decision.domains
        and not decision.greeting
        and previous_domains
        and ((where := asks_whereabouts(text)) or looks_like_followup(text))
    ):
        kept = (
            whereabouts_domains(previous_domains, text, history[-1] if history else "")
            if where
            else previous_domains
        )
        decision = _carried_over(decision, kept, text, "follow-up")
        decision.confidence = min(decision.confidence, 0.6) or 0.5
    metrics.record_route(
        decision.domains, decision.out_of_scope, decision.needs_clarification, decision.confidence
    )
    logs.event(
        "route.decided",
        domains=list(decision.domains),
        out_of_scope=decision.out_of_scope or None,
        needs_clarification=decision.needs_clarification or None,
        confidence=decision.confidence,
        decider=decision.decider,
        rationale=decision.rationale[:300],
    )
    return decision
