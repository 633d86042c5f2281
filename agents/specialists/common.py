"""Helpers the deterministic specialists share: which order a brief is about, dates, wording."""

from __future__ import annotations

import re
from typing import Any

from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import SpecialistRun

OPEN_STATUSES = ("placed", "paid", "processing")
_OTHER = re.compile(r"\b(other|another|second|previous|older|earlier)\b", re.IGNORECASE)
_LATEST = re.compile(r"\b(last|latest|recent|newest)\b", re.IGNORECASE)


async def orders_in_question(
    run: SpecialistRun, *, prefer: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], list[str]]:
    """The orders a brief is about, and the ids it named that are not the customer's.

    Named ids first; a follow-up asking about "the other order" means a recent order not discussed
    earlier; otherwise the most recent order, preferring the given statuses.
    """
    named = run.brief.entities.order_ids
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    for order_id in named:
        order = await run.call(toolkit.get_order, order_id=order_id)
        if order is None:
            unknown.append(order_id)
        else:
            found.append(order)
    if named:
        return found, unknown
    recent = await run.call(toolkit.list_orders, limit=10)
    if not recent:
        return [], []
    earlier = set(run.brief.earlier.order_ids)
    if run.brief.followup and earlier and _OTHER.search(run.brief.request):
        others = [o for o in recent if o["id"] not in earlier]
        pick = others[:1]
    elif run.brief.followup and earlier and not _LATEST.search(run.brief.request):
        pick = [o for o in recent if o["id"] == run.brief.earlier.order_ids[-1]][:1] or recent[:1]
    else:
        preferred = [o for o in recent if o["status"] in prefer]
        pick = (preferred or recent)[:1]
    detailed = []
    for order in pick:
        full = await run.call(toolkit.get_order, order_id=order["id"])
        detailed.append(full or order)
    return detailed, []


def day(value: str | None) -> str:
    """'2026-10-20T09:30:00+00:00' -> '2026-10-20'."""
    return (value or "")[:10]


def not_found_sentence(ids: list[str], kind: str = "order") -> str:
    if not ids:
        return ""
    listed = ", ".join(ids)
    return f"I could not find {kind} {listed} on your account; please check the number. "
