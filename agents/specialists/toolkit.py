"""The store tools specialists may use. Each is a read-only query bound to the brief's customer."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from switchboard.agents.specialists.base import Conn, StoreTool
from switchboard.tools.store import queries


class OrderArg(BaseModel):
    order_id: str = Field(description="an order id such as ORD-100234")


class OptionalOrderArg(BaseModel):
    order_id: str | None = Field(default=None, description="limit to one order (optional)")


class ListOrdersArgs(BaseModel):
    limit: int = Field(default=5, ge=1, le=50)
    status: str | None = Field(
        default=None, description="placed, paid, processing, shipped, delivered, cancelled"
    )


class TrackingArg(BaseModel):
    tracking_number: str = Field(description="a tracking number such as TRK7F3A9C21")


class InvoiceArg(BaseModel):
    invoice_id: str = Field(description="an invoice id such as INV-100234")


async def _store_today(conn: Conn, customer_id: str) -> dict[str, Any]:
    """The seeded store lives on its own calendar (its reference "now"); otherwise the wall clock."""
    reference = await queries.get_reference_now(conn)
    return {"today": reference[:10] if reference else date.today().isoformat()}


DELIVERY_OPTIONS: list[dict[str, Any]] = [
    {"option": "standard", "days": "3-5 working days", "fee": "4.95", "free_over": "50.00"},
    {"option": "express", "days": "1-2 working days", "fee": "9.95", "free_over": None},
    {
        "option": "next_day",
        "days": "next working day when ordered before 14:00",
        "fee": "14.95",
        "free_over": None,
    },
    {
        "option": "international",
        "days": "5-10 working days (EU), 7-14 (rest of world)",
        "fee": "19.95",
        "free_over": None,
    },
]

CONTACT = {
    "email": "help@switchboard-store.example",
    "phone": "+49 30 1234 5678",
    "hours": "Monday to Friday 08:00-20:00, Saturday 09:00-16:00 (CET)",
    "chat": "in the app, around the clock",
}


async def _delivery_options(conn: Conn, customer_id: str) -> list[dict[str, Any]]:
    return DELIVERY_OPTIONS


async def _contact_details(conn: Conn, customer_id: str) -> dict[str, Any]:
    return CONTACT


today = StoreTool("store_today", "Today's date in the store's calendar.", _store_today)
get_customer = StoreTool(
    "get_customer", "The customer's profile: name, e-mail, phone, status.", queries.get_customer
)
get_account = StoreTool(
    "get_account", "Login state, failed logins, newsletter subscriptions of the account.", queries.get_account
)
list_orders = StoreTool(
    "list_orders", "The customer's most recent orders.", queries.list_orders, ListOrdersArgs
)
get_order = StoreTool("get_order", "One order with its items.", queries.get_order, OrderArg)
get_shipments = StoreTool(
    "get_shipments_for_order",
    "The shipments of an order with tracking events.",
    queries.get_shipments_for_order,
    OrderArg,
)
find_shipment = StoreTool(
    "find_shipment_by_tracking",
    "A shipment by its tracking number.",
    queries.find_shipment_by_tracking,
    TrackingArg,
)
list_invoices = StoreTool(
    "list_invoices", "The customer's invoices.", queries.list_invoices, OptionalOrderArg
)
get_invoice = StoreTool("get_invoice", "One invoice.", queries.get_invoice, InvoiceArg)
list_payments = StoreTool(
    "list_payments", "Payments, optionally of one order.", queries.list_payments, OptionalOrderArg
)
find_duplicates = StoreTool(
    "find_duplicate_charges",
    "Pairs of captured payments of the same amount for the same order within 24 hours.",
    queries.find_duplicate_charges,
    OptionalOrderArg,
)
list_refunds = StoreTool("list_refunds", "Refunds and their status.", queries.list_refunds, OptionalOrderArg)
list_payment_methods = StoreTool(
    "list_payment_methods", "Saved payment methods.", queries.list_payment_methods
)
list_addresses = StoreTool("list_addresses", "Saved shipping addresses.", queries.list_addresses)
list_tickets = StoreTool("list_tickets", "Support tickets.", queries.list_tickets)
list_reviews = StoreTool("list_reviews", "The customer's product reviews.", queries.list_reviews)
delivery_options = StoreTool("delivery_options", "Delivery options, times and fees.", _delivery_options)
contact_details = StoreTool(
    "contact_details", "How to reach customer care, and opening hours.", _contact_details
)
