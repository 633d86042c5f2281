"""The compose decision point: one answer from every domain's result (or a polite refusal/question).

The deterministic composer keeps each domain's own words (the supervisor pattern's known failure is
paraphrasing specialists' answers away); the LLM composer may rephrase but is given the same facts,
and writes its reply as plain text, streamed to the chat view (Studio, `messages-tuple`).
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from switchboard.agents import prompts, registry
from switchboard.agents.contracts import ComposedAnswer, ComposeRequest, DomainResult, RouteDecision
from switchboard.agents.llm import DecisionError, decide_or_fall_back, invoke_model
from switchboard.agents.models import get_chat_model, is_deterministic
from switchboard.agents.replies import declines


def _listing(parts: list[str], last: str = "and") -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])}, {last} {parts[-1]}"


def capabilities() -> str:
    return "; ".join(f"{d.name} ({d.description})" for d in registry.domains())


def out_of_scope_answer() -> str:
    offers = _listing([d.offer for d in registry.domains()])
    return f"Sorry, that is outside what I can help with. I can help with {offers}."


def greeting_answer(text: str = "") -> str:
    """A greeting answers a greeting (thanks get a "you're welcome"), then says what Switchboard can do."""
    offers = _listing([d.offer for d in registry.domains()])
    if declines(text):  # "no thanks" after an offer: nothing is done, and nothing more is pushed
        return "All right, I will leave it there. Is there anything else I can do for you?"
    thanked = bool(_THANKS.search(text))
    opening = "You're welcome!" if thanked else "Hello!"
    return (
        f"{opening} I'm Switchboard, the store's assistant: I can help with {offers}. What can I do for you?"
    )


_THANKS = re.compile(r"\b(?:thank|thx|ty\b|cheers|merci|danke|gracias|bedankt|dank)", re.IGNORECASE)


def clarification_answer(route: RouteDecision) -> str:
    examples = _listing([d.example for d in registry.domains()], "or")
    return route.clarifying_question or (
        f"Could you tell me a little more about what you need? For example: {examples}."
    )


def _title(domain: str) -> str:
    return registry.get(domain).title if domain in registry.names() else domain


def _domain_paragraph(result: DomainResult, titled: bool) -> str:
    text = result.summary.strip()
    if result.partial:
        text += " (I could not finish every check on this; ask again and I will continue.)"
    return f"{_title(result.domain)}: {text}" if titled else text


def compose_deterministic(request: ComposeRequest) -> ComposedAnswer:
    results = sorted(request.results, key=lambda r: r.domain)
    if not results:
        return ComposedAnswer(answer=out_of_scope_answer())
    if len(results) == 1:
        return ComposedAnswer(answer=_domain_paragraph(results[0], titled=False))
    return ComposedAnswer(answer="\n".join(f"- {_domain_paragraph(r, titled=True)}" for r in results))


async def compose(decider: str, request: ComposeRequest, prompt: str = prompts.COMPOSE) -> ComposedAnswer:
    if is_deterministic(decider) or not request.results:
        return compose_deterministic(request)
    facts = "\n\n".join(
        f"[{r.domain}] {r.summary}\nFacts: {'; '.join(r.facts)}\n"
        f"Actions: {'; '.join(f'{a.action} {a.status}: {a.detail}' for a in r.actions) or 'none'}"
        for r in request.results
    )
    system = prompts.render(prompt)
    messages = [SystemMessage(system), HumanMessage(f"Customer: {request.request}\n\n{facts}")]
    return await decide_or_fall_back(
        "compose", decider, lambda: compose_llm(decider, messages), lambda: compose_deterministic(request)
    )


async def compose_llm(decider: str, messages: list[BaseMessage]) -> ComposedAnswer:
    """The model writes the reply as plain text (no structured output: the reply is one string), in a
    call that streams when the run streams messages, so Studio's chat view shows it token by token. The
    answer keeps the id of the streamed message, so the chat shows it once."""
    reply = await invoke_model(get_chat_model(decider), messages, decider, chat=True)
    answer = str(getattr(reply, "text", "") or "").strip()
    if not answer:
        named = [c["name"] for c in getattr(reply, "tool_calls", None) or []]
        raise DecisionError(f"the composer's reply has no text (tool calls: {named or 'none'})")
    return ComposedAnswer(answer=answer, message_id=str(reply.id) if reply.id else None)
