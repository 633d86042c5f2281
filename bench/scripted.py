"""A scripted chat model for the benchmark: configurable latency, counted calls, no network.

It answers whatever each graph asks the way a competent real model would for the customer's request:

- Switchboard's LLM deciders (structured output over function calling): a `RouteChoice`, a
  `SupervisorChoice` or a `SpecialistFinding`, valid against their contracts; its composer (a call
  without tools, system prompt "You write the single reply"): the reply in plain text.
- Tool-calling loops (Switchboard's LLM specialists, `create_react_agent` agents): one round of the
  store lookups the request needs (parallel tool calls when several are needed), then a text answer.
- langgraph-supervisor supervisors (handoff tools `transfer_to_<agent>`): hand off to each team or
  agent the request needs, one at a time, then answer in text (which ends that supervisor's turn).

The same instance (same script, same latency) drives every system in a run. Each call is logged with
its start/end (perf_counter) and the time spent computing the reply, so the benchmark can count calls,
find the critical path and subtract model time from wall time.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import PrivateAttr

HANDOFF_PREFIX = "transfer_to_"

# ------------------------------------------------------------------ the script: what a request needs


@dataclass(frozen=True)
class Intent:
    """One need a clause of a request expresses, and the names a sensible model would pick for it.

    `picks` are matched against whatever the graph offers (team names, agent names, specialist names,
    tool names): the first offered one wins.
    """

    domain: str
    cue: re.Pattern[str]
    picks: tuple[str, ...]


def _cue(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


# Order matters: the first intent whose cue matches a clause claims it ("charged for my order" is billing).
INTENTS: tuple[Intent, ...] = (
    Intent(
        "billing",
        _cue(r"\bcharg|\btwice\b|\bduplicate\b|\bpaid\b|\bpayment"),
        ("payments_investigator", "payments_agent", "billing_team", "find_duplicate_charges"),
    ),
    Intent("billing", _cue(r"\brefund"), ("refunds_agent", "billing_team", "list_refunds")),
    Intent(
        "billing",
        _cue(r"\binvoice|\breceipt"),
        ("invoice_clerk", "payments_agent", "billing_team", "list_invoices"),
    ),
    Intent(
        "shipping",
        _cue(r"\bparcel|\btrack|\bdeliver|\bshipping\b|\blate\b"),
        ("tracking_agent", "shipping_agent", "orders_team", "get_shipments_for_order", "list_orders"),
    ),
    Intent(
        "account", _cue(r"\bpassword|\blog ?in\b|\baccount\b|\bnewsletter"), ("login_helper", "get_account")
    ),
    Intent(
        "care",
        _cue(r"\bcomplain|\bhuman\b|\bopening hours\b|\bcontact\b"),
        ("contact_desk", "contact_details"),
    ),
    Intent(
        "orders",
        _cue(r"\border|\bwhere\b|\bstatus\b"),
        ("order_status_clerk", "order_agent", "orders_team", "list_orders"),
    ),
)

_CLAUSES = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|;\s*|\?\s*|\.\s+|\s+and\s+(?=(?:why|where|what|how|when|i|my)\b))", re.I
)
_REQUEST_LINE = re.compile(r"^(?:Message|Request|Customer):\s*(.+)$", re.MULTILINE)


def clauses(text: str) -> list[tuple[Intent, str]]:
    """The request's clauses, each with the intent it expresses (clauses with no intent are dropped)."""
    found: list[tuple[Intent, str]] = []
    for part in _CLAUSES.split(text):
        part = part.strip(" ,.?!")
        if not part:
            continue
        for intent in INTENTS:
            if intent.cue.search(part):
                found.append((intent, part))
                break
    return found


def request_of(messages: Sequence[BaseMessage]) -> str:
    """The customer's request: the 'Message:'/'Request:'/'Customer:' line of a prompt, else the first human turn."""
    for message in messages:
        if isinstance(message, HumanMessage):
            text = str(message.content)
            match = _REQUEST_LINE.search(text)
            return match.group(1).strip() if match else text.strip()
    return ""


def _pick(intents: Sequence[Intent], offered: Sequence[str]) -> list[str]:
    """For each intent, the first of its picks that is offered (deduplicated, in request order)."""
    chosen: list[str] = []
    for intent in intents:
        for name in intent.picks:
            if name in offered:
                if name not in chosen:
                    chosen.append(name)
                break
    return chosen


# ------------------------------------------------------------------ the call log


@dataclass
class Call:
    start: float
    end: float
    compute: float  # seconds spent building the reply (the "model's own" time at latency 0)
    kind: str


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()

    def snapshot(self) -> list[Call]:
        with self.lock:
            return list(self.calls)


def critical_path(calls: Sequence[Call]) -> int:
    """The longest chain of calls each starting after the previous one ended (sequential hops)."""
    ordered = sorted(calls, key=lambda c: (c.end, c.start))
    longest: list[int] = []
    for i, call in enumerate(ordered):
        best = 0
        for j in range(i):
            if ordered[j].end <= call.start and longest[j] > best:
                best = longest[j]
        longest.append(best + 1)
    return max(longest, default=0)


# ------------------------------------------------------------------ the model


def _tool_name(tool: dict[str, Any]) -> str:
    return str(tool.get("function", {}).get("name") or tool.get("name") or "")


def _required(tool: dict[str, Any]) -> list[str]:
    params = tool.get("function", {}).get("parameters") or {}
    return list(params.get("required") or [])


def _call_names(messages: Sequence[BaseMessage]) -> dict[str, str]:
    """tool_call_id -> tool name, from every AI message's tool calls."""
    names: dict[str, str] = {}
    for message in messages:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                if call.get("id"):
                    names[str(call["id"])] = call["name"]
    return names


def _short(text: object, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ScriptedChatModel(BaseChatModel):
    """See the module docstring. `latency` is seconds of simulated generation per call."""

    latency: float = 0.0
    _log: CallLog = PrivateAttr(default_factory=CallLog)

    @property
    def log(self) -> CallLog:
        return self._log

    @property
    def _llm_type(self) -> str:
        return "switchboard-bench-scripted"

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any) -> Any:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    # ---- generation

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        start = time.perf_counter()
        message, kind = self.reply(messages, kwargs.get("tools") or [], kwargs.get("tool_choice"))
        compute = time.perf_counter() - start
        if self.latency > 0:
            time.sleep(self.latency)
        self.log.add(Call(start, time.perf_counter(), compute, kind))
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        start = time.perf_counter()
        message, kind = self.reply(messages, kwargs.get("tools") or [], kwargs.get("tool_choice"))
        compute = time.perf_counter() - start
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        self.log.add(Call(start, time.perf_counter(), compute, kind))
        return ChatResult(generations=[ChatGeneration(message=message)])

    # ---- the script

    def reply(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]], tool_choice: Any = None
    ) -> tuple[AIMessage, str]:
        request = request_of(messages)
        intents = [intent for intent, _ in clauses(request)]
        names = [_tool_name(t) for t in tools]
        if len(tools) == 1 and tool_choice in ("any", "required", names[0]):  # with_structured_output
            return self._structured(names[0], messages, request), f"structured:{names[0]}"
        if "SpecialistFinding" in names and _has_facts(messages):
            # Switchboard's specialists: the facts were looked up before the call; answer at once.
            return self._structured("SpecialistFinding", messages, request), "specialist"
        if any(n.startswith(HANDOFF_PREFIX) for n in names):
            return self._handoff(messages, names, intents), "supervisor"
        if tools:
            return self._tool_round(messages, tools, intents), "agent"
        if COMPOSER_PROMPT in next((str(m.content) for m in messages if isinstance(m, SystemMessage)), ""):
            return AIMessage(content=_composed(messages)), "compose"
        return AIMessage(content=self._summary(messages)), "text"

    def _handoff(self, messages: list[BaseMessage], names: list[str], intents: list[Intent]) -> AIMessage:
        """A langgraph-supervisor supervisor: the next team/agent the request needs, else a final answer."""
        offered = [n[len(HANDOFF_PREFIX) :] for n in names if n.startswith(HANDOFF_PREFIX)]
        done = {
            call["name"][len(HANDOFF_PREFIX) :]
            for m in messages
            if isinstance(m, AIMessage)
            for call in m.tool_calls
            if call["name"].startswith(HANDOFF_PREFIX)
        }
        remaining = [n for n in _pick(intents, offered) if n not in done]
        if remaining:
            return _tool_call_message(HANDOFF_PREFIX + remaining[0], {})
        return AIMessage(content=self._summary(messages))

    def _tool_round(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]], intents: list[Intent]
    ) -> AIMessage:
        """A ReAct step: look things up once (in parallel), then answer from the results."""
        names = [_tool_name(t) for t in tools]
        last = messages[-1] if messages else None
        if isinstance(last, ToolMessage) and _call_names(messages).get(str(last.tool_call_id)) in names:
            return AIMessage(content=self._summary(messages))
        callable_ = [_tool_name(t) for t in tools if not _required(t)]
        chosen = [n for n in _pick(intents, names) if n in callable_] or callable_[:1]
        if not chosen:
            return AIMessage(content=self._summary(messages))
        return AIMessage(
            content="",
            tool_calls=[
                {"name": n, "args": {}, "id": f"call_{uuid.uuid4().hex[:12]}", "type": "tool_call"}
                for n in chosen
            ],
        )

    def _summary(self, messages: list[BaseMessage]) -> str:
        """A plain-text answer from the latest tool results or agents' answers in the conversation."""
        found: list[str] = []
        for message in reversed(messages):
            if isinstance(message, HumanMessage):
                break
            if (
                isinstance(message, ToolMessage)
                and not str(message.content).startswith("Successfully transferred")
            ) or (isinstance(message, AIMessage) and message.content and not message.tool_calls):
                found.append(_short(message.content))
            if len(found) >= 3:
                break
        if not found:
            return "I looked into it; there is nothing more to add."
        return "Here is what I found: " + " | ".join(reversed(found))

    def _structured(self, schema: str, messages: list[BaseMessage], request: str) -> AIMessage:
        args: dict[str, Any]
        if schema == "RouteChoice":
            shares: dict[str, str] = {}
            for intent, text in clauses(request):
                shares[intent.domain] = (
                    f"{shares[intent.domain]}, {text}" if intent.domain in shares else text
                )
            args = {
                "domains": [{"domain": d, "request": r} for d, r in shares.items()],
                "out_of_scope": not shares,
                "needs_clarification": False,
                "clarifying_question": None,
                "confidence": 0.9 if shares else 0.6,
            }
        elif schema == "SupervisorChoice":
            system = next((str(m.content) for m in messages if isinstance(m, SystemMessage)), "")
            human = next((str(m.content) for m in messages if isinstance(m, HumanMessage)), "")
            roster = re.findall(r"^- ([a-z_]+): ", system.split("Specialists:", 1)[-1], re.MULTILINE)
            reported = re.findall(r"^- ([a-z_]+): ", human.split("Reports so far:", 1)[-1], re.MULTILINE)
            wanted = [n for n in _pick([i for i, _ in clauses(request)], roster) if n not in reported]
            if not reported and not wanted and roster:
                wanted = roster[:1]
            args = (
                {"next": wanted[0], "reason": "the request calls for it"}
                if wanted
                else {"next": "finish", "reason": "the reports answer the request"}
            )
        elif schema == "SpecialistFinding":
            results = [_short(m.content, 200) for m in messages if isinstance(m, ToolMessage)]
            results += _facts(messages)
            args = {
                "summary": "I checked your account: "
                + ("; ".join(results) if results else "nothing relevant found."),
                "facts": results[:3],
                "proposed_actions": [],
            }
        else:
            raise ValueError(f"the scripted model has no script for structured output {schema!r}")
        return _tool_call_message(schema, args)


COMPOSER_PROMPT = "You write the single reply"


def _composed(messages: Sequence[BaseMessage]) -> str:
    """Switchboard's composer: each domain's finding, titled, in one reply."""
    human = next((str(m.content) for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    parts = re.findall(r"^\[([a-z]+)\] (.+)$", human, re.MULTILINE)
    return " ".join(f"{d.title()}: {s}" for d, s in parts) or "Thanks, all done."


def _facts(messages: Sequence[BaseMessage]) -> list[str]:
    """The facts a Switchboard specialist's prompt carries ("Facts found: [...]")."""
    import json

    for message in messages:
        if isinstance(message, HumanMessage):
            for line in str(message.content).splitlines():
                if line.startswith("Facts found: "):
                    try:
                        found = json.loads(line.removeprefix("Facts found: "))
                    except ValueError:
                        return []
                    return [_short(f, 200) for f in found]
    return []


def _has_facts(messages: Sequence[BaseMessage]) -> bool:
    return bool(_facts(messages)) or any(isinstance(m, ToolMessage) for m in messages)


def _tool_call_message(name: str, args: dict[str, Any]) -> AIMessage:
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}],
    )
