"""Who is asking: a customer id's shape, and whether the store knows it (identity never comes from text)."""

from __future__ import annotations

import re

from switchboard.config.errors import InputError, NotFound
from switchboard.tools.db import store_connection

CUSTOMER_ID = re.compile(r"^CUST-\d{4,}$")
# A customer id written in a message ("change the e-mail of customer CUST-0239"), in any case.
CUSTOMER_ID_IN_TEXT = re.compile(r"\bCUST-\d+\b", re.IGNORECASE)


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
