"""A scripted fake chat model for the LLM deciders: real LangChain plumbing, no network, no randomness.

`ScriptedChatModel` is a `BaseChatModel` that replays `AIMessage`s (with tool calls). It implements
`bind_tools()`, so LangChain's own `with_structured_output(method="function_calling")` works on it
(the structured answer is a tool call named after the schema), and it records every call: the
messages the model saw and the tools it was offered.

Replies come from queues. `by_prompt` maps a substring of the system prompt to a queue (decision
points running in parallel, say two domains' supervisors, each get their own queue, so the script does
not depend on how the branches interleave); every other call pops `responses`. A queue item is an
`AIMessage`, or a callable `(messages) -> AIMessage` for replies that depend on what the model saw.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field, PrivateAttr

Reply = AIMessage | Callable[[list[BaseMessage]], AIMessage]

_ids = itertools.count(1)


def tool_call(name: str, args: dict[str, Any] | None = None, *, content: str = "") -> AIMessage:
    """A reply calling one tool (or answering a structured-output schema named `name`)."""
    return tool_calls([(name, args or {})], content=content)


def tool_calls(calls: Sequence[tuple[str, dict[str, Any]]], *, content: str = "") -> AIMessage:
    """A reply calling several tools at once."""
    made = [{"name": n, "args": a, "id": f"call_{next(_ids)}", "type": "tool_call"} for n, a in calls]
    return AIMessage(content=content, tool_calls=made)


def structured(schema: str, **args: Any) -> AIMessage:
    """A structured answer over function calling: a tool call named after the schema class."""
    return tool_call(schema, args)


def text(content: str) -> AIMessage:
    """A plain reply without tool calls (ends a specialist's tool loop)."""
    return AIMessage(content=content)


@dataclass
class Call:
    """One call of the model: what it saw and what it was offered."""

    messages: list[BaseMessage]
    tools: list[str]
    tool_choice: Any
    reply: AIMessage | None = None
    queue: str = ""

    @property
    def system(self) -> str:
        return next((str(m.content) for m in self.messages if isinstance(m, SystemMessage)), "")

    @property
    def tool_results(self) -> list[ToolMessage]:
        return [m for m in self.messages if isinstance(m, ToolMessage)]


class ScriptExhausted(Exception):
    """The script ran out: the code under test called the model more often than scripted."""


class ScriptedChatModel(BaseChatModel):
    """A fake chat model that replays scripted replies and records every call."""

    responses: list[Any] = Field(default_factory=list)
    by_prompt: dict[str, list[Any]] = Field(default_factory=dict)
    usage: dict[str, int] | None = None  # token counts reported with every reply, as a real API does
    _calls: list[Call] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    @property
    def calls(self) -> list[Call]:
        return self._calls

    def calls_for(self, prompt_substring: str) -> list[Call]:
        return [c for c in self._calls if prompt_substring in c.system]

    def remaining(self) -> dict[str, int]:
        """Replies not consumed yet, per queue ('' is the default queue)."""
        left = {k: len(v) for k, v in self.by_prompt.items() if v}
        if self.responses:
            left[""] = len(self.responses)
        return left

    # ------------------------------------------------------------ LangChain interface

    def bind_tools(
        self,
        tools: Sequence[Any],
        *,
        tool_choice: str | dict[str, Any] | bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, tool_choice=tool_choice, **kwargs)

    def _respond(self, messages: list[BaseMessage], **kwargs: Any) -> ChatResult:
        tools = [t["function"]["name"] for t in kwargs.get("tools") or []]
        call = Call(messages=list(messages), tools=tools, tool_choice=kwargs.get("tool_choice"))
        self._calls.append(call)
        system = call.system
        queue_name = next((key for key in self.by_prompt if key in system), "")
        queue = self.by_prompt[queue_name] if queue_name else self.responses
        call.queue = queue_name
        if not queue:
            raise ScriptExhausted(f"no reply left in queue {queue_name!r} after {len(self._calls)} calls")
        item = queue.pop(0)
        reply = item(list(messages)) if callable(item) else item
        reply = reply.model_copy()
        if self.usage is not None:
            tokens = {"input_tokens": 0, "output_tokens": 0, **self.usage}
            reply.usage_metadata = {
                **tokens,
                "total_tokens": tokens["input_tokens"] + tokens["output_tokens"],
            }
        call.reply = reply
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._respond(messages, **kwargs)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._respond(messages, **kwargs)


def tool_payloads(calls: Sequence[Call]) -> list[Any]:
    """Every tool result the model saw (parsed JSON where possible), in order, without duplicates."""
    seen: dict[str, Any] = {}
    for call in calls:
        for message in call.tool_results:
            try:
                seen.setdefault(message.tool_call_id, json.loads(str(message.content)))
            except json.JSONDecodeError:
                seen.setdefault(message.tool_call_id, str(message.content))
    return list(seen.values())
