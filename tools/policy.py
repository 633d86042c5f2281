"""The write-action policy: code and configuration, never a prompt.

For each proposed write action it decides, from the arguments and the store's own rows:
`allowed` (runs at once), `confirm` (the customer confirms), `approve` (staff approve) or `refused`.
A model can propose an action; only this policy authorises one. Text in the request or in store
data cannot change a verdict: the policy reads ids and amounts, never prose. Each action's own rule
is its catalogue entry's (`tools/catalogue/`); what holds for every action is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from switchboard.tools.catalogue import lookup
from switchboard.tools.catalogue.base import Conn, PolicyDecision, Role, Verdict, one, refused

__all__ = ["PolicyDecision", "Role", "Verdict", "evaluate", "refused"]


async def evaluate(conn: Conn, customer_id: str, action: str, args: Mapping[str, Any]) -> PolicyDecision:
    entry = lookup(action)
    if entry is None:
        return refused(f"unknown action {action!r}")
    parsed = entry.parse(args)
    if isinstance(parsed, str):
        return refused(parsed)
    customer = await one(conn, "select id, status, email from store.customers where id = %s", (customer_id,))
    if customer is None:
        return refused(f"customer {customer_id} does not exist")
    if customer["status"] == "closed" and not entry.open_to_closed_accounts:
        return refused("the account is closed")
    return await entry.rule(conn, customer_id, parsed)
