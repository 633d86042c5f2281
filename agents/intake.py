"""Intake: what every request goes through before routing, once.

Admission: validation (a clear error naming what was wrong), identity from the caller's context (never
from the message) checked against the store, and redaction of secrets a customer may paste (card
numbers, passwords; the rules are in `switchboard.agents.redaction`) so they never reach a model, a log
or the state. `Switchboard.ask` admits a message before the graph runs (LangGraph checkpoints a run's
input before its first node) and hands the graph an `AdmittedContext`, so the `intake` node does not
admit it again; a raw graph run (Studio, the LangGraph server) is admitted by `intake`, its input
checkpointed as sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from switchboard.agents.redaction import redact
from switchboard.config.errors import InputError
from switchboard.config.settings import get_settings
from switchboard.config.text import check_text
from switchboard.tools.customers import check_customer, validate_customer_id

__all__ = ["Admitted", "admit", "check_customer", "redact", "validate_customer_id", "validate_message"]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What the router does not read as text (its own cleaning): a message of only these is empty.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")


def validate_message(message: object) -> str:
    if message is None:
        raise InputError("message is missing: send {'message': '...'}")
    if not isinstance(message, str):
        raise InputError(f"message must be text, not {type(message).__name__}")
    check_text(message, "the message")
    text = _CONTROL.sub(" ", message).strip()
    if not _INVISIBLE.sub("", text).strip():
        raise InputError("message is empty")
    limit = get_settings().max_request_chars
    if len(text) > limit:
        raise InputError(
            f"message is too long: {len(text)} characters, the limit is {limit} (MAX_REQUEST_CHARS)"
        )
    return text


@dataclass(frozen=True)
class Admitted:
    message: str  # validated and redacted
    customer_id: str  # known to the store


async def admit(message: object, customer_id: object) -> Admitted:
    """The one admission of a message: its text, then who sends it (the store must know them)."""
    text = redact(validate_message(message))
    return Admitted(text, await check_customer(customer_id))
