"""Typed contracts of the decision points: route, supervise, specialist, compose.

Every decision point takes and returns these pydantic models, whichever implementation
(deterministic or LLM) runs. Graph state stores their ``model_dump()`` (plain JSON), so
checkpoints stay lean and load without a serializer allow-list.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema


def _registered(name: str) -> str:
    from switchboard.agents import registry  # the registry imports the domain modules, which import us

    if name not in registry.names():
        raise ValueError(f"unknown domain {name!r}; the domains are {', '.join(registry.names())}")
    return name


class _RegisteredDomain:
    """A domain name of the registry (`agents/registry.py`): checked when validated, an enum in schemas."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(_registered, handler(source))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        from switchboard.agents import registry

        return {**handler(schema), "enum": list(registry.names())}


Domain = Annotated[str, _RegisteredDomain]


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Entities(Contract):
    """Things named in a request. Never identity: the customer comes from the run's context."""

    order_ids: list[str] = Field(default_factory=list, description="e.g. ORD-100234")
    invoice_ids: list[str] = Field(default_factory=list, description="e.g. INV-100234")
    tracking_numbers: list[str] = Field(default_factory=list, description="e.g. TRK7F3A9C21")
    amounts: list[str] = Field(
        default_factory=list, description="money amounts as decimal strings, e.g. '49.90'"
    )
    dates: list[str] = Field(default_factory=list, description="ISO dates or date phrases as written")
    emails: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list, description="postal addresses as written")

    def merged(self, other: Entities, limit: int = 10) -> Entities:
        """Union for carrying entities across turns: the most recently mentioned last, at most `limit`
        of each kind (a thread's memory stays small however long it gets)."""
        data = {}
        for name in type(self).model_fields:
            recent = list(getattr(other, name))
            data[name] = ([i for i in getattr(self, name) if i not in recent] + recent)[-limit:]
        return Entities(**data)


# ---------------------------------------------------------------- route


class RouteRequest(Contract):
    text: str
    history: list[str] = Field(
        default_factory=list, description="earlier requests of this thread, oldest first"
    )


class RouteDecision(Contract):
    domains: list[Domain] = Field(description="sorted, unique; empty when out of scope or unclear")
    out_of_scope: bool = False
    needs_clarification: bool = False
    clarifying_question: str | None = None
    greeting: bool = Field(
        default=False,
        description="a greeting, thanks or small talk with no request: answered with a greeting and what "
        "Switchboard can do, never with the out-of-scope apology",
    )
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str = ""
    domain_requests: dict[Domain, str] = Field(
        default_factory=dict, description="the part of the request each selected domain should handle"
    )
    decider: str = "deterministic"
    usage: dict[str, int] = Field(default_factory=dict, description="model calls and tokens of this decision")


# ---------------------------------------------------------------- specialists and supervisors


class WaitingAction(Contract):
    action: str
    args: dict[str, str | int | float | bool | None]


class Brief(Contract):
    """What a domain (and each of its specialists) is given: its share of the request, nothing more."""

    domain: Domain
    request: str = Field(description="this domain's part of the request")
    message: str = Field(
        default="",
        description="the customer's whole message of this turn, for what the domain's part leaves open "
        '("how much did I pay for it?" after "where is my watering can order")',
    )
    customer_id: str
    entities: Entities = Field(default_factory=Entities, description="named in this turn")
    earlier: Entities = Field(default_factory=Entities, description="named in earlier turns of the thread")
    followup: bool = Field(default=False, description="the request refers back to an earlier turn")
    previous: str = Field(
        default="",
        description="a follow-up's previous request, for what it refers to without naming it (\"take me off "
        'that one" after "which newsletters do I get?")',
    )
    affirmed: bool = Field(
        default=False,
        description='a plain "yes" to the previous answer: what it offered ("I can refund it if you want") '
        "is now asked for; `request` is then the previous turn's request",
    )
    offer: str = Field(
        default="",
        description="with `affirmed`: the previous answer, whose offer the yes takes up. A write action it "
        "offered, with the ids it named, needs no second confirmation: the yes was the customer's",
    )
    declined: bool = Field(
        default=False,
        description='a plain "no" to the previous answer ("no, leave it for now", "nee, laat maar"): what it '
        "offered is not wanted; `request` is then the previous request and this answer",
    )
    turn: int | None = Field(
        default=None, description="the thread's turn number: scopes write actions' ledger keys and approvals"
    )
    repeats: bool = Field(
        default=False,
        description='a plain "yes" after a turn that carried out an action: that turn\'s request again, in '
        "its scope (`turn`), so what it did is reported from the ledger, not done a second time",
    )
    waiting: list[WaitingAction] = Field(
        default_factory=list,
        description="write actions this thread asked for in an earlier turn that still wait for staff (held "
        "approvals): not to be proposed again, and said to wait",
    )

    def newest_part(self) -> str | None:
        """A follow-up routed with the request it follows ("did my order get cancelled? / and can I order
        it again?", the router's "previous / new"): the new message's part, which is read first."""
        if not self.followup or FOLLOWS not in self.request:
            return None
        return self.request.rsplit(FOLLOWS, 1)[1]


# How the router joins a follow-up to the request it follows in a domain's `request`.
FOLLOWS = " / "


class ProposedAction(Contract):
    """A write action a specialist wants to perform, with its exact arguments."""

    action: str = Field(description="e.g. issue_refund, cancel_order")
    args: dict[str, str | int | float | bool | None]
    reason: str = ""


class ActionOutcome(Contract):
    action: str
    args: dict[str, str | int | float | bool | None]
    status: Literal["done", "refused", "rejected", "pending", "failed"]
    detail: str = ""
    decided_by: str = Field(default="", description="who approved, edited or rejected it (ROLE:ID)")
    performed_args: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="the arguments it was carried out with, when an approver edited them",
    )
    replayed: bool = Field(
        default=False, description="carried out in an earlier turn and reported again: nothing was done now"
    )


class SpecialistReport(Contract):
    specialist: str
    summary: str
    facts: list[str] = Field(default_factory=list, description="what the specialist found in the store")
    tools_called: list[str] = Field(default_factory=list)
    proposed_actions: list[ProposedAction] = Field(default_factory=list)
    handoffs: list[str] = Field(
        default_factory=list, description="other specialists of the domain worth asking"
    )


class SupervisorDecision(Contract):
    next: str = Field(description="the specialist to run next, or 'finish'")
    reason: str = ""


class Fallback(Contract):
    """A decision point whose model failed, so its deterministic twin decided (recorded in the run)."""

    point: str = Field(description="route, <domain>_supervisor, a specialist's name, or compose")
    decider: str = Field(description="the model that failed, e.g. openai:gpt-4o-mini")
    reason: str = Field(description="why: the endpoint's error, the budget, an open circuit, a bad answer")


class DomainResult(Contract):
    domain: Domain
    summary: str
    facts: list[str] = Field(default_factory=list)
    specialists: list[str] = Field(default_factory=list)
    tools_called: list[str] = Field(default_factory=list)
    actions: list[ActionOutcome] = Field(default_factory=list)
    partial: bool = Field(default=False, description="true when the step budget ended the domain early")
    usage: dict[str, int] = Field(default_factory=dict, description="model calls and tokens of the domain")
    fallbacks: list[Fallback] = Field(
        default_factory=list, description="decision points of the domain that fell back to their twin"
    )
    usage_by_point: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="the same, per decision point (supervisor, specialist)"
    )


# ---------------------------------------------------------------- compose


class ComposeRequest(Contract):
    request: str
    results: list[DomainResult]


class ComposedAnswer(Contract):
    answer: str
    # the id of the model's reply, when a model wrote it: the chat message that streamed its tokens
    message_id: str | None = None
