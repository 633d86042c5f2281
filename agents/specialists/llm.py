"""The LLM implementation of a specialist: deterministic retrieval, model judgement, usually one call.

1. The specialist's deterministic implementation gathers the facts the brief calls for and drafts a
   reply and any write-action proposals (no model involved).
2. The model sees the brief, the facts and the draft, may look up more with the specialist's store
   tools, and gives its finding by calling the `SpecialistFinding` tool: one call when the facts
   suffice, which is the common case (supervisor stacks usually spend three or more).
3. A model that answers in prose instead is asked once more for the structured finding.

The scratch messages live and die inside this function (inside the domain subgraph). Tools are bound
to the brief's customer. A proposed write action is only a proposal: `tools/policy.py` decides.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from pydantic import Field, ValidationError

from switchboard.agents import prompts
from switchboard.agents.contracts import Contract, ProposedAction, SpecialistReport
from switchboard.agents.llm import DecisionError, invoke_model, structured
from switchboard.agents.models import get_chat_model
from switchboard.agents.specialists.base import SpecialistRun, SpecialistSpec

if TYPE_CHECKING:  # LangChain's chat models and tools load with the first model specialist
    from langchain_core.language_models import BaseChatModel
    from langchain_core.tools import StructuredTool

MAX_TOOL_ROUNDS = 4
FINDING = "SpecialistFinding"


class SpecialistFinding(Contract):
    """Your finding: what you tell the customer, the facts it rests on, and any write action to request."""

    summary: str = Field(
        description="what you found and what you will do, addressed to the customer, 1-3 sentences"
    )
    facts: list[str] = Field(
        default_factory=list, description="facts from the tools that the summary relies on"
    )
    proposed_actions: list[ProposedAction] = Field(
        default_factory=list, description="write actions to request, with exact arguments (may be empty)"
    )


_current_run: ContextVar[SpecialistRun] = ContextVar("switchboard_specialist_run")
_tools_by_spec: dict[str, list[StructuredTool]] = {}
_bound: dict[tuple[int, str], tuple[BaseChatModel, Any]] = {}


def _langchain_tools(spec: SpecialistSpec) -> list[StructuredTool]:
    """The specialist's store tools as LangChain tools, built once; each call acts for the run in progress
    (and so for that run's customer only)."""
    tools = _tools_by_spec.get(spec.name)
    if tools is None:
        from langchain_core.tools import StructuredTool

        tools = []
        for tool in spec.tools:

            async def call(_tool: Any = tool, **kwargs: Any) -> str:
                result = await _current_run.get().call(_tool, **kwargs)
                return json.dumps(result, default=str)[:6000]

            tools.append(
                StructuredTool.from_function(
                    coroutine=call, name=tool.name, description=tool.description, args_schema=tool.args_schema
                )
            )
        _tools_by_spec[spec.name] = tools
    return tools


def _bound_model(decider: str, spec: SpecialistSpec) -> Any:
    """The decider's model with the specialist's tools and the finding tool bound, built once: converting
    tool schemas is a sizeable share of a request's framework time."""
    model = get_chat_model(decider)
    key = (id(model), spec.name)
    cached = _bound.get(key)
    if cached is None or cached[0] is not model:  # the identity check guards against a reused id
        cached = (model, model.bind_tools([*_langchain_tools(spec), SpecialistFinding]))
        _bound[key] = cached
    return cached[1]


def _system_prompt(spec: SpecialistSpec, prompt: str) -> str:
    actions = ", ".join(a.name for a in spec.actions) or "none"
    return prompts.render(
        prompt,
        name=spec.name,
        domain=spec.domain,
        description=spec.description,
        finding=FINDING,
        actions=actions,
    )


def _brief_message(run: SpecialistRun, draft: SpecialistReport) -> HumanMessage:
    brief = run.brief
    proposals = [a.model_dump() for a in draft.proposed_actions]
    return HumanMessage(
        f"Request: {brief.request}\n"
        f"Entities named: {brief.entities.model_dump_json(exclude_defaults=True)}\n"
        f"Named earlier in the conversation: {brief.earlier.model_dump_json(exclude_defaults=True)}\n"
        f"Colleagues' reports: {[r.summary for r in run.reports]}\n"
        f"Facts found: {json.dumps(draft.facts)}\n"
        f"Draft reply: {draft.summary}\n"
        f"Draft proposals: {json.dumps(proposals)}"
    )


def _finding_from(call: Mapping[str, Any]) -> SpecialistFinding:
    try:
        return SpecialistFinding.model_validate(call.get("args") or {})
    except ValidationError as exc:
        raise DecisionError(f"{FINDING}: {exc.errors()[0].get('msg')}") from exc


async def run_llm_specialist(
    decider: str, spec: SpecialistSpec, run: SpecialistRun, prompt: str = prompts.SPECIALIST
) -> SpecialistReport:
    draft = await spec.handle(spec, run)  # deterministic retrieval and a draft
    _current_run.set(run)
    by_name = {t.name: t for t in _langchain_tools(spec)}
    messages: list[BaseMessage] = [SystemMessage(_system_prompt(spec, prompt)), _brief_message(run, draft)]
    bound = _bound_model(decider, spec)
    finding: SpecialistFinding | None = None
    for _ in range(MAX_TOOL_ROUNDS):
        reply = await invoke_model(bound, messages, decider)
        if not isinstance(reply, AIMessage) or not reply.tool_calls:
            break
        final = [c for c in reply.tool_calls if c["name"] == FINDING]
        if final:
            finding = _finding_from(final[0])
            break
        messages.append(reply)
        for call in reply.tool_calls:
            tool = by_name.get(call["name"])
            if tool is None:
                content = f"error: no tool named {call['name']}"
            else:
                try:
                    content = await tool.ainvoke(call["args"])
                except Exception as exc:  # a bad argument is reported back to the model, not raised
                    content = f"error: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
            messages.append(ToolMessage(content=str(content), tool_call_id=call["id"] or call["name"]))
    if finding is None:
        messages.append(HumanMessage("Now give your finding."))
        finding = await structured(decider, SpecialistFinding, messages)
    unknown = sorted({a.action for a in finding.proposed_actions} - {a.name for a in spec.actions})
    if unknown:
        raise DecisionError(f"{spec.name} proposed actions it may not propose: {unknown}")
    report = run.report(spec, finding.summary, finding.facts or draft.facts, finding.proposed_actions)
    report.handoffs = draft.handoffs  # who else is needed follows from the facts, not the wording
    return report
