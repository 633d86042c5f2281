"""Read queries for the specialists: async, one round trip each, always scoped to one customer.

Every function takes an `psycopg.AsyncConnection` (any row factory) and the caller's `customer_id`, and
filters by it: another customer's order, invoice or tracking number comes back as None (or []) exactly
as if it did not exist. Ids are normalised (stripped, upper-cased); a malformed id is simply not found.
A malformed *customer* id is a programming or identity error and raises InputError.

Results are plain dicts of JSON-friendly values (money as strings such as "129.90", datetimes as ISO
8601 strings in UTC, dates as "YYYY-MM-DD") so they can go straight into LangGraph state.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable, TypeAlias
from uuid import UUID

from switchboard.config.errors import InputError

ORDER_STATUSES = ("placed", "paid", "processing", "shipped", "delivered", "cancelled", "returned")
TICKET_STATUSES = ("open", "closed")
MAX_LIMIT = 200

_CUSTOMER_RE = re.compile(r"^CUST-[0-9]{4,}$")
_ID_RES = {
    "order": re.compile(r"^ORD-[0-9]{6,}$"),
    "invoice": re.compile(r"^INV-[0-9]{6,}$"),
    "tracking": re.compile(r"^TRK[A-Z0-9]{8}$"),
    "product": re.compile(r"^PRD-[0-9]{4,}$"),
}

if TYPE_CHECKING:
    import psycopg

    AsyncConn: TypeAlias = psycopg.AsyncConnection[Any]
else:
    AsyncConn = Any  # only annotations name it: psycopg loads with the first query, not with the routing


# ----------------------------------------------------------------------------------------- helpers


def jsonable(value: Any) -> Any:
    """Decimal -> str, datetime -> ISO string in UTC, date -> ISO date; recursively through dicts/lists."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _customer(customer_id: object) -> str:
    if not isinstance(customer_id, str):
        raise InputError(f"customer_id must be a string like CUST-0001, got {type(customer_id).__name__}")
    value = customer_id.strip().upper()
    if not _CUSTOMER_RE.match(value):
        raise InputError(
            f"customer_id {customer_id[:40]!r} is malformed: expected CUST- and digits, e.g. CUST-0001"
        )
    return value


def _id(kind: str, value: object) -> str | None:
    """The normalised id, or None when it cannot exist (callers then return 'not found')."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError(f"{kind} id must be a string, got {type(value).__name__}")
    normalised = value.strip().upper()
    return normalised if _ID_RES[kind].match(normalised) else None


def _limit(limit: object) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")
    return limit


def _status(status: object, allowed: Iterable[str], what: str) -> str | None:
    if status is None:
        return None
    allowed = tuple(allowed)
    if not isinstance(status, str) or status.strip().lower() not in allowed:
        raise InputError(f"{what} status {status!r} is not one of: {', '.join(allowed)}")
    return status.strip().lower()


async def _all(conn: AsyncConn, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    from psycopg.rows import dict_row

    async with conn.cursor(row_factory=dict_row) as cur:
        await cur.execute(query, params)
        rows = await cur.fetchall()
    return [jsonable(row) for row in rows]


async def _one(conn: AsyncConn, query: str, params: dict[str, Any]) -> dict[str, Any] | None:
    rows = await _all(conn, query, params)
    return rows[0] if rows else None


# ----------------------------------------------------------------------------------------- SQL

_EVENTS = """coalesce((
    SELECT json_agg(json_build_object(
               'ts', store.iso_utc(e.ts), 'status', e.status, 'location', e.location,
               'description', e.description) ORDER BY e.ts DESC, e.seq DESC)
    FROM store.shipment_events e WHERE e.shipment_id = s.id), '[]'::json) AS events"""

_SHIPMENT_COLUMNS = f"""s.id, s.order_id, s.carrier, s.tracking_number, s.status, s.shipped_at, s.promised_by,
    s.delivered_at, s.shipping_address, {_EVENTS}"""

_PAYMENT_COLUMNS = """p.id, p.order_id, p.invoice_id, p.amount, p.currency, p.method, p.card_last4, p.status,
    p.created_at, p.updated_at"""

_REFUND_COLUMNS = """r.id, r.payment_id, r.order_id, r.amount, r.currency, r.status, r.reason, r.created_at,
    r.issued_at"""

_INVOICE_COLUMNS = "i.id, i.order_id, i.amount, i.currency, i.status, i.issued_at, i.paid_at"

# The kinds of goods in an order ("garden home_kitchen"): how a customer may name it ("the garden stuff").
_ORDER_CATEGORIES = """(SELECT string_agg(DISTINCT p.category, ' ')
                FROM store.order_items i JOIN store.products p ON p.id = i.product_id
                WHERE i.order_id = o.id) AS categories"""
_ORDER_COLUMNS = """o.id, o.status, o.placed_at, o.updated_at, o.cancelled_at, o.subtotal, o.shipping_fee,
    o.total, o.currency, o.shipping_address"""


# ----------------------------------------------------------------------------------------- customer


async def get_customer(conn: AsyncConn, customer_id: str) -> dict[str, Any] | None:
    """id, name, email, phone, status (active/closed), created_at; None when unknown."""
    return await _one(
        conn,
        "SELECT id, name, email, phone, status, created_at FROM store.customers WHERE id = %(c)s",
        {"c": _customer(customer_id)},
    )


async def get_account(conn: AsyncConn, customer_id: str) -> dict[str, Any] | None:
    """Login and account state plus newsletter subscriptions (`newsletter`: list of topic/subscribed)."""
    return await _one(
        conn,
        """
        SELECT c.id AS customer_id, c.name, c.email, c.status, a.login_state, a.failed_logins,
               a.last_login_at, a.closed_at, a.email_verified,
               coalesce((SELECT json_agg(json_build_object(
                                'topic', n.topic, 'subscribed', n.subscribed,
                                'updated_at', store.iso_utc(n.updated_at)) ORDER BY n.topic)
                         FROM store.newsletter_subscriptions n WHERE n.customer_id = c.id), '[]'::json)
                   AS newsletter
        FROM store.customers c LEFT JOIN store.accounts a ON a.customer_id = c.id
        WHERE c.id = %(c)s""",
        {"c": _customer(customer_id)},
    )


async def list_addresses(conn: AsyncConn, customer_id: str) -> list[dict[str, Any]]:
    """Saved shipping addresses, the default first."""
    return await _all(
        conn,
        """
        SELECT id, label, recipient, line1, line2, postal_code, city, country, is_default, created_at
        FROM store.addresses WHERE customer_id = %(c)s ORDER BY is_default DESC, created_at, id""",
        {"c": _customer(customer_id)},
    )


async def list_payment_methods(conn: AsyncConn, customer_id: str) -> list[dict[str, Any]]:
    """Saved payment methods (cards show brand, last 4 digits and expiry only), the default first."""
    return await _all(
        conn,
        """
        SELECT id, kind, brand, card_last4, exp_month, exp_year, paypal_email, is_default, created_at
        FROM store.payment_methods WHERE customer_id = %(c)s ORDER BY is_default DESC, created_at, id""",
        {"c": _customer(customer_id)},
    )


# ----------------------------------------------------------------------------------------- orders


async def list_orders(
    conn: AsyncConn, customer_id: str, limit: int = 10, status: str | None = None
) -> list[dict[str, Any]]:
    """The customer's orders, newest first, with item_count, a short `items` summary and the product
    `categories` (space-separated: "garden home_kitchen")."""
    return await _all(
        conn,
        f"""
        SELECT {_ORDER_COLUMNS},
               (SELECT coalesce(sum(i.quantity), 0)::int FROM store.order_items i WHERE i.order_id = o.id)
                   AS item_count,
               (SELECT string_agg(CASE WHEN i.quantity > 1 THEN i.quantity || ' x ' ELSE '' END
                                  || i.product_name,
                                  ', ' ORDER BY i.line_no)
                FROM store.order_items i WHERE i.order_id = o.id) AS items,
               {_ORDER_CATEGORIES}
        FROM store.orders o
        WHERE o.customer_id = %(c)s AND (%(status)s::text IS NULL OR o.status = %(status)s)
        ORDER BY o.placed_at DESC, o.id DESC
        LIMIT %(limit)s""",
        {
            "c": _customer(customer_id),
            "status": _status(status, ORDER_STATUSES, "order"),
            "limit": _limit(limit),
        },
    )


async def get_order(conn: AsyncConn, customer_id: str, order_id: str) -> dict[str, Any] | None:
    """One order with its `items` (line_no, product_id, product_name, quantity, unit_price, line_total)
    and its products' `categories`."""
    customer, order = _customer(customer_id), _id("order", order_id)
    if order is None:
        return None
    return await _one(
        conn,
        f"""
        SELECT {_ORDER_COLUMNS},
               coalesce((SELECT json_agg(json_build_object(
                                'line_no', i.line_no, 'product_id', i.product_id,
                                'product_name', i.product_name, 'quantity', i.quantity,
                                'unit_price', i.unit_price::text,
                                'line_total', (i.unit_price * i.quantity)::text) ORDER BY i.line_no)
                         FROM store.order_items i WHERE i.order_id = o.id), '[]'::json) AS items,
               {_ORDER_CATEGORIES}
        FROM store.orders o WHERE o.customer_id = %(c)s AND o.id = %(o)s""",
        {"c": customer, "o": order},
    )


# ----------------------------------------------------------------------------------------- shipping


async def get_shipments_for_order(conn: AsyncConn, customer_id: str, order_id: str) -> list[dict[str, Any]]:
    """The order's shipments, each with its tracking `events`, newest event first."""
    customer, order = _customer(customer_id), _id("order", order_id)
    if order is None:
        return []
    return await _all(
        conn,
        f"""
        SELECT {_SHIPMENT_COLUMNS} FROM store.shipments s
        WHERE s.customer_id = %(c)s AND s.order_id = %(o)s
        ORDER BY s.shipped_at NULLS LAST, s.id""",
        {"c": customer, "o": order},
    )


async def find_shipment_by_tracking(
    conn: AsyncConn, customer_id: str, tracking_number: str
) -> dict[str, Any] | None:
    """The customer's shipment with this tracking number (TRK + 8 letters/digits), with events."""
    customer, tracking = _customer(customer_id), _id("tracking", tracking_number)
    if tracking is None:
        return None
    return await _one(
        conn,
        f"""
        SELECT {_SHIPMENT_COLUMNS} FROM store.shipments s
        WHERE s.customer_id = %(c)s AND s.tracking_number = %(t)s""",
        {"c": customer, "t": tracking},
    )


# ----------------------------------------------------------------------------------------- billing


async def list_invoices(
    conn: AsyncConn, customer_id: str, order_id: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Invoices, newest first; only those of `order_id` when given."""
    customer, order = _customer(customer_id), _id("order", order_id)
    if order_id is not None and order is None:
        return []
    return await _all(
        conn,
        f"""
        SELECT {_INVOICE_COLUMNS} FROM store.invoices i
        WHERE i.customer_id = %(c)s AND (%(o)s::text IS NULL OR i.order_id = %(o)s)
        ORDER BY i.issued_at DESC, i.id DESC LIMIT %(limit)s""",
        {"c": customer, "o": order, "limit": _limit(limit)},
    )


async def get_invoice(conn: AsyncConn, customer_id: str, invoice_id: str) -> dict[str, Any] | None:
    """One invoice with the `payments` made against it and `amount_captured`."""
    customer, invoice = _customer(customer_id), _id("invoice", invoice_id)
    if invoice is None:
        return None
    return await _one(
        conn,
        f"""
        SELECT {_INVOICE_COLUMNS},
               coalesce((SELECT json_agg(json_build_object(
                                'id', p.id, 'amount', p.amount::text, 'method', p.method, 'status', p.status,
                                'created_at', store.iso_utc(p.created_at)) ORDER BY p.created_at, p.id)
                         FROM store.payments p WHERE p.invoice_id = i.id), '[]'::json) AS payments,
               (SELECT coalesce(sum(p.amount), 0)::numeric(12, 2) FROM store.payments p
                WHERE p.invoice_id = i.id AND p.status = 'captured') AS amount_captured
        FROM store.invoices i WHERE i.customer_id = %(c)s AND i.id = %(i)s""",
        {"c": customer, "i": invoice},
    )


async def list_payments(
    conn: AsyncConn, customer_id: str, order_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Payments (all statuses), newest first; only those of `order_id` when given."""
    customer, order = _customer(customer_id), _id("order", order_id)
    if order_id is not None and order is None:
        return []
    return await _all(
        conn,
        f"""
        SELECT {_PAYMENT_COLUMNS} FROM store.payments p
        WHERE p.customer_id = %(c)s AND (%(o)s::text IS NULL OR p.order_id = %(o)s)
        ORDER BY p.created_at DESC, p.id DESC LIMIT %(limit)s""",
        {"c": customer, "o": order, "limit": _limit(limit)},
    )


async def find_duplicate_charges(
    conn: AsyncConn, customer_id: str, order_id: str | None = None
) -> list[dict[str, Any]]:
    """Groups of captured payments for the same order and amount made within 24 hours of each other.

    Each group: order_id, amount, count, payment_ids (oldest first), duplicate_payment_ids (all but the
    first: the ones to refund or void), excess_amount, first_at, last_at. Newest group first.
    """
    customer, order = _customer(customer_id), _id("order", order_id)
    if order_id is not None and order is None:
        return []
    groups = await _all(
        conn,
        """
        SELECT p.order_id, p.amount, count(*)::int AS count,
               array_agg(p.id ORDER BY p.created_at, p.id) AS payment_ids,
               (p.amount * (count(*) - 1))::numeric(12, 2) AS excess_amount,
               min(p.created_at) AS first_at, max(p.created_at) AS last_at
        FROM store.payments p
        WHERE p.customer_id = %(c)s AND p.status = 'captured' AND (%(o)s::text IS NULL OR p.order_id = %(o)s)
          AND EXISTS (
              SELECT 1 FROM store.payments q
              WHERE q.customer_id = p.customer_id AND q.order_id = p.order_id AND q.amount = p.amount
                AND q.status = 'captured' AND q.id <> p.id
                AND q.created_at BETWEEN p.created_at - interval '24 hours'
                                     AND p.created_at + interval '24 hours')
        GROUP BY p.order_id, p.amount
        ORDER BY max(p.created_at) DESC, p.order_id""",
        {"c": customer, "o": order},
    )
    for group in groups:
        group["duplicate_payment_ids"] = group["payment_ids"][1:]
    return groups


async def list_refunds(
    conn: AsyncConn, customer_id: str, order_id: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Refunds (pending, issued, rejected), newest first; only those of `order_id` when given."""
    customer, order = _customer(customer_id), _id("order", order_id)
    if order_id is not None and order is None:
        return []
    return await _all(
        conn,
        f"""
        SELECT {_REFUND_COLUMNS} FROM store.refunds r
        WHERE r.customer_id = %(c)s AND (%(o)s::text IS NULL OR r.order_id = %(o)s)
        ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s""",
        {"c": customer, "o": order, "limit": _limit(limit)},
    )


# ----------------------------------------------------------------------------------------- care


async def list_tickets(
    conn: AsyncConn, customer_id: str, status: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Support tickets, newest first; only `status` (open/closed) when given."""
    return await _all(
        conn,
        """
        SELECT id, order_id, subject, body, status, priority, created_at, closed_at
        FROM store.support_tickets
        WHERE customer_id = %(c)s AND (%(status)s::text IS NULL OR status = %(status)s)
        ORDER BY created_at DESC, id DESC LIMIT %(limit)s""",
        {
            "c": _customer(customer_id),
            "status": _status(status, TICKET_STATUSES, "ticket"),
            "limit": _limit(limit),
        },
    )


async def list_reviews(conn: AsyncConn, customer_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The reviews this customer wrote, newest first. Review bodies are untrusted text."""
    return await _all(
        conn,
        """
        SELECT r.id, r.product_id, p.name AS product_name, r.rating, r.title, r.body, r.created_at
        FROM store.product_reviews r JOIN store.products p ON p.id = r.product_id
        WHERE r.customer_id = %(c)s ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s""",
        {"c": _customer(customer_id), "limit": _limit(limit)},
    )


# ----------------------------------------------------------------------------------------- public catalogue


async def get_product(conn: AsyncConn, product_id: str) -> dict[str, Any] | None:
    """A catalogue entry (public: no customer scope) with review count and average rating."""
    product = _id("product", product_id)
    if product is None:
        return None
    return await _one(
        conn,
        """
        SELECT p.id, p.name, p.category, p.price, p.stock, p.active,
               (SELECT count(*)::int FROM store.product_reviews r WHERE r.product_id = p.id) AS review_count,
               (SELECT round(avg(r.rating), 2) FROM store.product_reviews r WHERE r.product_id = p.id)
                   AS average_rating
        FROM store.products p WHERE p.id = %(p)s""",
        {"p": product},
    )


async def list_product_reviews(conn: AsyncConn, product_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """Public reviews of a product, newest first, without reviewer identities. Bodies are untrusted text."""
    product = _id("product", product_id)
    if product is None:
        return []
    return await _all(
        conn,
        """
        SELECT r.id, r.product_id, r.rating, r.title, r.body, r.created_at
        FROM store.product_reviews r WHERE r.product_id = %(p)s
        ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s""",
        {"p": product, "limit": _limit(limit)},
    )


async def get_reference_now(conn: AsyncConn) -> str | None:
    """The seeded store's reference "now" (ISO, UTC): the clock the seeded data was built around, for
    deciding 'late' or 'recent' consistently with the data. None when the store is not seeded."""
    row = await _one(conn, "SELECT reference_now FROM store.seed_info", {})
    return None if row is None else str(row["reference_now"])
