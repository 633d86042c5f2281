"""Care write actions: escalate to a person (a ticket)."""

from __future__ import annotations

from typing import Any

from switchboard.tools.catalogue import writes
from switchboard.tools.catalogue.base import (
    ActionArgs,
    Conn,
    Notification,
    PolicyDecision,
    Step,
    Text,
    WriteAction,
    letter,
    one,
    refused,
)


class EscalateArgs(ActionArgs):
    subject: Text
    summary: Text


async def _may_escalate(conn: Conn, customer_id: str, args: EscalateArgs) -> PolicyDecision:
    # A customer may always reach a person; the same request again while its ticket is open is that ticket.
    same = await one(
        conn,
        "select id from store.support_tickets where customer_id = %s and status = 'open' and subject = %s"
        " and body = %s and order_id is null limit 1",
        (customer_id, args.subject[:200], args.summary[:10000]),
    )
    if same is not None:
        return refused(f"this is already with our care team as ticket {same['id']}, which is open")
    return PolicyDecision("allowed", "a customer may always reach a person", f"Open a ticket: {args.subject}")


def _escalate_steps(conn: Conn, customer_id: str, args: EscalateArgs) -> list[Step]:
    async def open_ticket() -> dict[str, Any]:
        return await writes.open_ticket(conn, customer_id, args.subject, args.summary)

    return [Step("open_ticket", open_ticket)]


def _escalate_notice(args: EscalateArgs, detail: str, name: str) -> Notification:
    what = "A member of our care team will contact you within one working day"
    return Notification(what, letter(name, f"{what}. Reference: {detail or 'see your account'}."))


escalate_to_human = WriteAction(
    "escalate_to_human",
    EscalateArgs,
    _may_escalate,
    _escalate_steps,
    _escalate_notice,
    open_to_closed_accounts=True,  # "a customer may always reach a person", a former one too
)
