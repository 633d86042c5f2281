"""The action catalogue: every write action, one entry each (see `base.py` for what an entry holds).

The policy (`tools/policy.py`), the executor and ledger (`tools/actions.py`) and the outbox worker
(`tools/worker.py`) look actions up here; specialists list the entries they may propose.
Adding a write action: write its entry in the module of its area and add it to the list below.
"""

from __future__ import annotations

from typing import Any

from switchboard.tools.catalogue import account, billing, care, orders, shipping
from switchboard.tools.catalogue.base import Notification, PolicyDecision, Step, StepFailed, WriteAction

__all__ = ["CATALOGUE", "Notification", "PolicyDecision", "Step", "StepFailed", "WriteAction", "lookup"]

CATALOGUE: dict[str, WriteAction[Any]] = {
    action.name: action
    for action in (
        orders.cancel_order,
        orders.start_return,
        billing.issue_refund,
        shipping.change_delivery_address,
        shipping.open_lost_parcel_claim,
        account.close_account,
        account.change_account_email,
        account.send_password_reset,
        account.unsubscribe_newsletter,
        care.escalate_to_human,
    )
}


def lookup(name: str) -> WriteAction[Any] | None:
    return CATALOGUE.get(name)
