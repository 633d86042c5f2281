"""API keys of the HTTP service: each acts for one identity (a customer or a staff member).

    created = create(conn, Identity.parse("customer:CUST-0001"))   # created["secret"] is shown once
    verify(conn, created["secret"])                                 # -> Identity("customer", "CUST-0001")
    revoke(conn, created["id"])

Only the SHA-256 hash of a secret is stored (`store.api_keys`, migration 0003), never the secret: the
secret is 32 random bytes, so a plain hash is enough and a lookup by hash needs no key id. A customer
key must name an existing customer (checked here, and by a foreign key).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Any

import psycopg
from psycopg.rows import DictRow

from switchboard.config.errors import ConfigurationError, InputError, NotFound, SwitchboardError
from switchboard.tools.approvals import Identity
from switchboard.tools.customers import validate_customer_id

SECRET_PREFIX = "sbk_"
_SECRET_RE = re.compile(r"^sbk_[A-Za-z0-9_-]{43}$")
_KEY_ID_RE = re.compile(r"^key_[0-9a-f]{16}$")
_STAFF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}$")
_COLUMNS = "id, role, subject, created_at, revoked_at, (revoked_at is null) as active"


class Unauthorized(SwitchboardError):
    """No API key, or one that is unknown or revoked."""

    http_status = 401


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _identity(identity: Identity | str) -> Identity:
    ident = Identity.parse(identity) if isinstance(identity, str) else identity
    if ident.role == "customer":
        validate_customer_id(ident.id)
    elif not _STAFF_RE.match(ident.id):
        raise InputError(
            f"staff name {ident.id!r} must be 1-100 letters, digits or . _ @ + - (starting with a letter or digit)"
        )
    return ident


def _missing_table(exc: psycopg.errors.UndefinedTable) -> ConfigurationError:
    return ConfigurationError(
        "the store has no api_keys table yet: run `switchboard db init` (migration 0003)"
    )


def create(conn: psycopg.Connection[DictRow], identity: Identity | str) -> dict[str, Any]:
    """A new key for `identity` ('customer:CUST-0001' or 'staff:alice'); the secret is in the result only."""
    ident = _identity(identity)
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key_id = "key_" + secrets.token_hex(8)
    try:
        if ident.role == "customer":
            found = conn.execute("select id from store.customers where id = %s", (ident.id,)).fetchone()
            if found is None:
                raise NotFound(
                    f"customer {ident.id} does not exist: a customer key must name an existing customer"
                )
        row = conn.execute(
            f"insert into store.api_keys (id, secret_hash, role, subject, customer_id) values (%s, %s, %s, %s, %s)"
            f" returning {_COLUMNS}",
            (
                key_id,
                hash_secret(secret),
                ident.role,
                ident.id,
                ident.id if ident.role == "customer" else None,
            ),
        ).fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None
    assert row is not None
    return {**row, "secret": secret}


def list_keys(conn: psycopg.Connection[DictRow], *, include_revoked: bool = True) -> list[dict[str, Any]]:
    """Every key (never a secret), newest first."""
    try:
        cur = conn.execute(
            f"select {_COLUMNS} from store.api_keys"
            + ("" if include_revoked else " where revoked_at is null")
            + " order by created_at desc, id"
        )
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None
    return list(cur.fetchall())


def revoke(conn: psycopg.Connection[DictRow], key_id: str) -> dict[str, Any]:
    """Revoke a key at once (idempotent: revoking a revoked key keeps its first revocation time)."""
    if not isinstance(key_id, str) or not _KEY_ID_RE.match(key_id):
        raise InputError(
            f"key id {key_id!r} is malformed: expected key_ and 16 hex digits (see `switchboard keys list`)"
        )
    try:
        row = conn.execute(
            f"update store.api_keys set revoked_at = coalesce(revoked_at, now()) where id = %s returning {_COLUMNS}",
            (key_id,),
        ).fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None
    if row is None:
        raise NotFound(f"API key {key_id} does not exist")
    return dict(row)


def delete(conn: psycopg.Connection[DictRow], key_id: str) -> None:
    """Delete a key for good (a key minted for one call: nothing is left behind in `keys list`)."""
    try:
        conn.execute("delete from store.api_keys where id = %s", (key_id,))
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None


def delete_for(conn: psycopg.Connection[DictRow], identity: Identity, *, stale_after: timedelta) -> int:
    """Delete `identity`'s revoked keys, and its active ones older than `stale_after`; how many."""
    try:
        cur = conn.execute(
            "delete from store.api_keys where role = %s and subject = %s"
            " and (revoked_at is not null or created_at < now() - %s)",
            (identity.role, identity.id, stale_after),
        )
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None
    return cur.rowcount


def _plausible(secret: object) -> bool:
    return isinstance(secret, str) and bool(_SECRET_RE.match(secret))


def _to_identity(row: dict[str, Any] | None) -> Identity | None:
    return None if row is None else Identity(row["role"], row["subject"])


_VERIFY = "select role, subject from store.api_keys where secret_hash = %s and revoked_at is null"


def verify(conn: psycopg.Connection[DictRow], secret: object) -> Identity | None:
    """The identity of an active key, or None (unknown, revoked or malformed)."""
    if not _plausible(secret):
        return None
    assert isinstance(secret, str)
    try:
        return _to_identity(conn.execute(_VERIFY, (hash_secret(secret),)).fetchone())
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None


async def averify(conn: psycopg.AsyncConnection[DictRow], secret: object) -> Identity | None:
    """`verify` for async callers (the HTTP service)."""
    if not _plausible(secret):
        return None
    assert isinstance(secret, str)
    try:
        cur = await conn.execute(_VERIFY, (hash_secret(secret),))
        return _to_identity(await cur.fetchone())
    except psycopg.errors.UndefinedTable as exc:
        raise _missing_table(exc) from None
