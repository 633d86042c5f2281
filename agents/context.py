"""Runtime context of a run: who is asking, and which implementation runs each decision point.

It is the graph's `context_schema`, so Studio renders it as a form. Identity comes from here
(the caller), never from the message text. Empty decider fields fall back to the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from switchboard.config.settings import get_settings

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

    def decider(self, point: DecisionPoint) -> str:
        """The implementation configured for a decision point: this run's choice, else the settings'."""
        chosen: str = getattr(self, f"{point}_decider")
        if chosen:
            return chosen
        value: str = getattr(get_settings(), f"{point}_decider")
        return value


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
