"""Runtime context of a run: who is asking, which implementation runs each decision point, its prompts.

It is the graph's `context_schema`, so Studio renders it as a form. Identity comes from here
(the caller), never from the message text. Empty decider fields fall back to the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from switchboard.agents import prompts
from switchboard.config.settings import get_settings
from switchboard.observability.cost import over_budget

DecisionPoint = Literal["route", "supervisor", "specialist", "compose"]


@dataclass(kw_only=True)
class Context:
    customer_id: str = field(
        default="", metadata={"description": "The customer this run acts for, e.g. CUST-0001 (required)."}
    )
    route_decider: str = field(
        default="", metadata={"description": "'deterministic' or 'provider:model'; empty = ROUTE_DECIDER."}
    )
    supervisor_decider: str = field(
        default="",
        metadata={"description": "'deterministic' or 'provider:model'; empty = SUPERVISOR_DECIDER."},
    )
    specialist_decider: str = field(
        default="",
        metadata={"description": "'deterministic' or 'provider:model'; empty = SPECIALIST_DECIDER."},
    )
    compose_decider: str = field(
        default="", metadata={"description": "'deterministic' or 'provider:model'; empty = COMPOSE_DECIDER."}
    )
    route_prompt: str = field(
        default="",
        metadata={"description": "The route model's prompt ({domains}); empty = agents/prompts.py."},
    )
    supervisor_prompt: str = field(
        default="",
        metadata={"description": "The supervisors' prompt ({domain}, {roster}); empty = agents/prompts.py."},
    )
    specialist_prompt: str = field(
        default="",
        metadata={
            "description": "The specialists' prompt ({name}, {domain}, {description}, {finding}, {actions});"
            " empty = agents/prompts.py."
        },
    )
    compose_prompt: str = field(
        default="", metadata={"description": "The composer's prompt; empty = agents/prompts.py."}
    )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        """Studio's context form marks customer_id required (the field keeps a default so that a
        missing id reaches intake, which names it, instead of failing in the dataclass constructor)."""
        schema: dict[str, Any] = handler.resolve_ref_schema(handler(core_schema))
        schema["required"] = ["customer_id"]
        schema["properties"]["customer_id"].pop("default", None)
        return schema

    def decider(self, point: DecisionPoint) -> str:
        """The implementation configured for a decision point: this run's choice, else the settings'; the
        deterministic one when the request's budget would be exceeded by another model call."""
        chosen: str = getattr(self, f"{point}_decider") or getattr(get_settings(), f"{point}_decider")
        if chosen.strip().lower() not in ("", "deterministic") and over_budget(point):
            return "deterministic"  # the request's budget would be exceeded: finish without the model
        return chosen

    def prompt(self, point: DecisionPoint) -> str:
        """The prompt template of a decision point: this run's, else the one in agents/prompts.py."""
        chosen: str = getattr(self, f"{point}_prompt")
        return chosen or getattr(prompts, point.upper())


@dataclass(kw_only=True)
class AdmittedContext(Context):
    """The context of a run whose message `Switchboard` admitted before the graph ran (`agents/intake.py`).

    Only code can make one: a context sent as JSON (Studio, the LangGraph server) is a plain Context,
    so `intake` admits that run itself."""


def context_from(value: object) -> Context:
    """Accept a Context, a mapping (dev server, HTTP) or None."""
    if isinstance(value, Context):
        return value
    if value is None:
        return Context()
    if isinstance(value, dict):
        known = {k: v for k, v in value.items() if k in Context.__dataclass_fields__ and v is not None}
        return Context(**{k: str(v) for k, v in known.items()})
    raise TypeError(f"context must be a Context or a mapping, not {type(value).__name__}")
