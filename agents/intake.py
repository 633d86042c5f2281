"""Intake: what every request goes through before routing.

Validation (a clear error naming what was wrong), identity from the caller's context (never from the
message), and redaction of secrets a customer may paste (card numbers, passwords) so they never reach
a model, a log or the state (the rules are in `switchboard.agents.redaction`). `Switchboard.ask` also
redacts before the graph runs, because LangGraph checkpoints a run's input before its first node; a raw
graph run (Studio) keeps its input as sent.
"""

from __future__ import annotations

import re

from switchboard.agents.redaction import redact
from switchboard.config.errors import InputError, NotFound
from switchboard.config.settings import get_settings
from switchboard.config.text import check_text
from switchboard.tools.db import store_connection

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
CUSTOMER_ID = re.compile(r"^CUST-\d{4,}$")

__all__ = ["check_customer", "redact", "validate_customer_id", "validate_message"]


def validate_message(message: object) -> str:
    if message is None:
        raise InputError("message is missing: send {'message': '...'}")
    if not isinstance(message, str):
        raise InputError(f"message must be text, not {type(message).__name__}")
    check_text(message, "the message")
    text = _CONTROL.sub(" ", message).strip()
    if not text:
        raise InputError("message is empty")
    limit = get_settings().max_request_chars
    if len(text) > limit:
        raise InputError(
            f"message is too long: {len(text)} characters, the limit is {limit} (MAX_REQUEST_CHARS)"
        )
    return text


def validate_customer_id(customer_id: object) -> str:
    if not customer_id:
        raise InputError("customer_id is missing from the run's context (who is asking?)")
    if not isinstance(customer_id, str) or not CUSTOMER_ID.match(customer_id):
        raise InputError(
            f"customer_id {customer_id!r} is malformed: expected CUST- and digits, e.g. CUST-0001"
        )
    return customer_id


async def check_customer(customer_id: object) -> str:
    """The caller's customer id, checked against the store."""
    cid = validate_customer_id(customer_id)
    async with store_connection() as conn:
        cur = await conn.execute("select id from store.customers where id = %s", (cid,))
        if await cur.fetchone() is None:
            raise NotFound(f"customer {cid} does not exist")
    return cid
