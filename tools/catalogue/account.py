"""Account write actions: close the account, change its e-mail, send a password reset, unsubscribe."""

from __future__ import annotations

import re
from typing import Any

from switchboard.tools.catalogue.base import (
    ActionArgs,
    Conn,
    NoArgs,
    Notification,
    PolicyDecision,
    Step,
    Text,
    WriteAction,
    letter,
    no_notice,
    one,
    refused,
    rows,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", re.IGNORECASE)


# ---------------------------------------------------------------------------------- close_account


async def _may_close(conn: Conn, customer_id: str, args: NoArgs) -> PolicyDecision:
    row = await one(
        conn,
        "select count(*) as n from store.orders where customer_id = %s and status in ('placed','paid','processing',"
        "'shipped')",
        (customer_id,),
    )
    if row and row["n"]:
        return refused(f"the account has {row['n']} open order(s)")
    return PolicyDecision(
        "confirm", "closing an account is the customer's decision", f"Close account {customer_id}"
    )


def _close_steps(conn: Conn, customer_id: str, args: NoArgs) -> list[Step]:
    async def close() -> dict[str, Any]:
        await conn.execute("update store.customers set status = 'closed' where id = %s", (customer_id,))
        await conn.execute(
            "update store.accounts set closed_at = now() where customer_id = %s", (customer_id,)
        )
        await conn.execute(
            "update store.newsletter_subscriptions set subscribed = false where customer_id = %s",
            (customer_id,),
        )
        return {"customer_id": customer_id}

    return [Step("close_account", close)]


def _close_notice(args: NoArgs, detail: str, name: str) -> Notification:
    return Notification("Your account is closed", letter(name, "your account is now closed, as you asked."))


close_account = WriteAction("close_account", NoArgs, _may_close, _close_steps, _close_notice)


# ---------------------------------------------------------------------------------- change_account_email


class ChangeEmailArgs(ActionArgs):
    new_email: Text


async def _may_change_email(conn: Conn, customer_id: str, args: ChangeEmailArgs) -> PolicyDecision:
    new = args.new_email.strip()
    if not _EMAIL.match(new):
        return refused(f"{new!r} is not an e-mail address")
    taken = await one(
        conn, "select id from store.customers where lower(email) = lower(%s) and id <> %s", (new, customer_id)
    )
    if taken is not None:
        return refused("that e-mail address belongs to another account")
    return PolicyDecision(
        "confirm", "the customer confirms a new login e-mail", f"Change the account e-mail to {new}"
    )


def _change_email_steps(conn: Conn, customer_id: str, args: ChangeEmailArgs) -> list[Step]:
    async def change_email() -> dict[str, Any]:
        await conn.execute(
            "update store.customers set email = %s where id = %s", (args.new_email, customer_id)
        )
        await conn.execute(
            "update store.accounts set email_verified = false where customer_id = %s", (customer_id,)
        )
        return {"new_email": args.new_email}

    return [Step("change_email", change_email)]


def _change_email_notice(args: ChangeEmailArgs, detail: str, name: str) -> Notification:
    return Notification(
        "Confirm your new e-mail address",
        letter(name, f"please confirm {args.new_email} as your login e-mail."),
    )


change_account_email = WriteAction(
    "change_account_email", ChangeEmailArgs, _may_change_email, _change_email_steps, _change_email_notice
)


# ---------------------------------------------------------------------------------- send_password_reset


async def _may_reset(conn: Conn, customer_id: str, args: NoArgs) -> PolicyDecision:
    return PolicyDecision(
        "allowed", "a reset link goes to the account's own e-mail", "Send a password-reset link"
    )


def _reset_steps(conn: Conn, customer_id: str, args: NoArgs) -> list[Step]:
    async def reset() -> dict[str, Any]:
        # The e-mail itself is the notice below, sent by the outbox worker.
        await conn.execute(
            "update store.accounts set failed_logins = 0 where customer_id = %s and login_state = 'active'",
            (customer_id,),
        )
        return {"reset_link": "sent by the outbox worker"}

    return [Step("request_reset", reset)]


def _reset_notice(args: NoArgs, detail: str, name: str) -> Notification:
    return Notification(
        "Reset your password",
        letter(
            name,
            "use the link in this message within 24 hours to set a new password; it also unlocks "
            "your login. If you did not ask for this, ignore this e-mail.",
        ),
    )


send_password_reset = WriteAction("send_password_reset", NoArgs, _may_reset, _reset_steps, _reset_notice)


# ---------------------------------------------------------------------------------- unsubscribe_newsletter


ALL_NEWSLETTERS = "all"  # the topic that means every newsletter the customer gets: one yes, not one each


class UnsubscribeArgs(ActionArgs):
    topic: Text


async def _may_unsubscribe(conn: Conn, customer_id: str, args: UnsubscribeArgs) -> PolicyDecision:
    if args.topic == ALL_NEWSLETTERS:
        subscribed = await rows(
            conn,
            "select topic from store.newsletter_subscriptions where customer_id = %s and subscribed order by topic",
            (customer_id,),
        )
        if not subscribed:
            return refused("not subscribed to any newsletter")
        topics = ", ".join(r["topic"] for r in subscribed)
        return PolicyDecision(
            "confirm",
            "the customer confirms which newsletters they leave",
            f"Unsubscribe from all newsletters ({topics})",
        )
    sub = await one(
        conn,
        "select subscribed from store.newsletter_subscriptions where customer_id = %s and topic = %s",
        (customer_id, args.topic),
    )
    if sub is None or not sub["subscribed"]:
        return refused(f"not subscribed to {args.topic}")
    return PolicyDecision(
        "confirm", "the customer confirms which newsletter they leave", f"Unsubscribe from {args.topic}"
    )


def _unsubscribe_steps(conn: Conn, customer_id: str, args: UnsubscribeArgs) -> list[Step]:
    async def unsubscribe() -> dict[str, Any]:
        await conn.execute(
            "update store.newsletter_subscriptions set subscribed = false, updated_at = now()"
            " where customer_id = %s and subscribed and (%s or topic = %s)",  # every one, or the one named
            (customer_id, args.topic == ALL_NEWSLETTERS, args.topic),
        )
        return {"topic": args.topic}

    return [Step("unsubscribe", unsubscribe)]


unsubscribe_newsletter = WriteAction(
    "unsubscribe_newsletter", UnsubscribeArgs, _may_unsubscribe, _unsubscribe_steps, no_notice
)
