"""Custom auth of the LangGraph server (`langgraph dev`, LangGraph Platform): `auth.path` in langgraph.json.

Every request presents a Switchboard API key (the HTTP service's keys, `switchboard keys create`), as
`X-API-Key: sbk_...` (what `langgraph_sdk.get_client(api_key=...)` sends) or `Authorization: Bearer
sbk_...`. The key's identity, `customer:CUST-0001` or `staff:alice`, becomes the request's user; the
server hands it to every run as `config["configurable"]["langgraph_auth_user"]`, where the graph reads
it again (intake and approvals, `tools/identity.py`).

Resources are scoped by the owner recorded in a thread's metadata (`customer_id`), the customer of its
ownership record (`store.threads`, `tools/threads.py`): a customer sees, searches and continues only their
own threads, and their runs act for them whatever the context says (a context naming another customer
is refused); staff read everything and run for the customer the context or the thread names. Nobody
deletes a thread through the server: that would delete its checkpoints, the record of what was done.

STUDIO_AUTH=off (local `langgraph dev` only, refused elsewhere) lets requests without a key act as the
local developer, a staff member.
"""

from __future__ import annotations

from typing import Any

from langgraph_sdk import Auth

from switchboard.config.errors import SwitchboardError
from switchboard.config.settings import get_settings
from switchboard.tools import apikeys, approvals, threads
from switchboard.tools.approvals import Identity
from switchboard.tools.customers import validate_customer_id
from switchboard.tools.db import store_connection
from switchboard.tools.identity import LOCAL_DEVELOPER, check_server_settings, identity_of

OWNER = "customer_id"  # the thread metadata key that names a thread's owner

auth = Auth()
check_server_settings()  # at server start: STUDIO_AUTH=off in a deployment stops it, with the reason


def _refuse(status: int, detail: str) -> Auth.exceptions.HTTPException:
    return Auth.exceptions.HTTPException(status_code=status, detail=detail)


def _key(headers: dict[bytes, bytes]) -> str | None:
    value = headers.get(b"x-api-key")
    if not value:
        authorization = headers.get(b"authorization") or b""
        scheme, _, token = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        value = token.encode("latin-1")
    text = value.decode("latin-1").strip()
    return text or None


def _user(identity: Identity) -> Auth.types.MinimalUserDict:
    return {
        "identity": str(identity),
        "display_name": identity.id,
        "is_authenticated": True,
        "permissions": [identity.role],
    }


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    secret = _key(headers)
    if secret is None:
        if get_settings().studio_auth == "off":
            return _user(LOCAL_DEVELOPER)
        raise _refuse(
            401,
            "missing API key: send X-API-Key: <key> or Authorization: Bearer <key>, a key from"
            " `switchboard keys create` (local development only: STUDIO_AUTH=off)",
        )
    try:
        async with store_connection() as conn:
            identity = await apikeys.averify(conn, secret)
    except SwitchboardError as exc:
        raise _refuse(503, str(exc)) from None
    if identity is None:
        raise _refuse(401, "invalid or revoked API key")
    return _user(identity)


def caller(ctx: Auth.types.AuthContext) -> Identity:
    """The request's Switchboard identity; a Studio session without one is refused."""
    identity = identity_of(ctx.user)
    if identity is None:
        raise _refuse(
            403,
            "a browser Studio session on a local dev server carries no Switchboard identity: start the"
            " server with STUDIO_OPERATOR=<staff name> (`switchboard studio --as staff:NAME`), or use an API key",
        )
    return identity


async def thread_owner(thread_id: object) -> str | None:
    """The customer a thread belongs to (its ownership record; None: no such thread there yet)."""
    if thread_id is None:
        return None
    async with store_connection() as conn:
        return await threads.owner_of(conn, str(thread_id))


def _metadata(value: Any) -> dict[str, Any]:
    """The request's metadata, changed in place (the server keeps the object it passed us)."""
    metadata = value.get("metadata")
    if metadata is None:
        metadata = value["metadata"] = {}
    return metadata  # type: ignore[no-any-return]


def _scope(identity: Identity) -> Auth.types.FilterType | None:
    return {OWNER: identity.id} if identity.role == "customer" else None


async def _owner_for(identity: Identity, thread_id: object, named: object) -> str | None:
    """The owner a thread gets (or has) for this caller; refuses a thread of someone else."""
    owner = await thread_owner(thread_id)
    if identity.role == "customer":
        if owner and owner != identity.id:  # as the HTTP service: a foreign thread is not confirmed
            raise _refuse(404, f"thread {thread_id} not found")
        if named and named != identity.id:
            raise _refuse(403, f"this key acts for {identity.id}; it cannot act for customer {named}")
        return identity.id
    if owner and named and named != owner:
        raise _refuse(403, f"thread {thread_id} belongs to {owner}, not {named}")
    return owner or (str(named) if named else None)


# ------------------------------------------------------------------ default: refuse


@auth.on
async def refuse_by_default(ctx: Auth.types.AuthContext, value: Any) -> bool:
    caller(ctx)
    raise _refuse(403, f"{ctx.resource}.{ctx.action} is not available through this server")


# ------------------------------------------------------------------ threads and runs


@auth.on.threads.create
async def create_thread(ctx: Auth.types.AuthContext, value: Auth.types.ThreadsCreate) -> None:
    identity = caller(ctx)
    metadata = _metadata(value)
    owner = await _owner_for(identity, value.get("thread_id"), metadata.get(OWNER))
    if owner:
        metadata[OWNER] = owner


@auth.on.threads.create_run
async def create_run(
    ctx: Auth.types.AuthContext, value: Auth.types.RunsCreate
) -> Auth.types.FilterType | None:
    """The run acts for the key's customer (staff: the context's or the thread's customer)."""
    identity = caller(ctx)
    kwargs = value.setdefault("kwargs", {})
    context = kwargs.get("context") or {}
    named = context.get("customer_id") or None
    if named is not None:
        try:
            validate_customer_id(named)
        except SwitchboardError as exc:
            raise _refuse(422, str(exc)) from None
    owner = await _owner_for(identity, value.get("thread_id"), named)
    if owner:
        kwargs["context"] = {**context, "customer_id": owner}
        _metadata(value)[OWNER] = owner
    if kwargs.get("input") is not None and not (kwargs.get("command") or {}).get("resume"):
        await _refuse_while_waiting(value.get("thread_id"))
    return _scope(identity)


async def _refuse_while_waiting(thread_id: object) -> None:
    """A new message to a thread paused for a decision is refused before it runs: on the server a new
    input supersedes the paused task, and its interrupt (the only way to resume the action once decided)
    would be gone while the approval still waited. The paused run goes on by resuming it."""
    if thread_id is None:
        return
    async with store_connection() as conn:
        waiting = [
            a
            for a in await approvals.for_thread(conn, str(thread_id))
            if a["status"] == "pending" and not a["expired"]
        ]
    if not waiting:
        return
    what = "; ".join(str(a["description"] or a["action"]) for a in waiting)
    if any(a["required_role"] == "staff" for a in waiting):
        raise _refuse(
            409,
            f"thread {thread_id} is waiting for a member of staff to decide: {what}. Nothing more is needed "
            "from you; it goes on once they decide (resume it). Ask anything else in a new thread",
        )
    raise _refuse(
        409,
        f"thread {thread_id} is waiting for your confirmation of {what}: answer it by resuming the run with "
        "approve or reject (Studio's resume), or ask anything else in a new thread",
    )


@auth.on.threads.read
async def read_thread(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType | None:
    return _scope(caller(ctx))


@auth.on.threads.search
async def search_threads(ctx: Auth.types.AuthContext, value: Any) -> Auth.types.FilterType | None:
    return _scope(caller(ctx))


@auth.on.threads.update
async def update_thread(
    ctx: Auth.types.AuthContext, value: Auth.types.ThreadsUpdate
) -> Auth.types.FilterType | None:
    identity = caller(ctx)
    metadata = value.get("metadata") or {}
    if OWNER in metadata:
        current = await thread_owner(value.get("thread_id"))
        if identity.role == "customer" or (current and metadata[OWNER] != current):
            raise _refuse(403, "a thread's owner cannot be changed")
    return _scope(identity)


@auth.on.threads.delete
async def delete_thread(ctx: Auth.types.AuthContext, value: Any) -> bool:
    caller(ctx)
    raise _refuse(
        403,
        "threads are not deleted through this server: it would delete their checkpoints in Postgres,"
        " the record of what each run did and who approved it",
    )


# ------------------------------------------------------------------ assistants and the store


@auth.on.assistants.read
async def read_assistant(ctx: Auth.types.AuthContext, value: Any) -> None:
    caller(ctx)


@auth.on.assistants.search
async def search_assistants(ctx: Auth.types.AuthContext, value: Any) -> None:
    caller(ctx)


@auth.on.assistants
async def change_assistant(ctx: Auth.types.AuthContext, value: Any) -> None:
    if caller(ctx).role != "staff":
        raise _refuse(403, "only staff create, change or delete assistants")


@auth.on.store
async def store(ctx: Auth.types.AuthContext, value: Any) -> None:
    if caller(ctx).role != "staff":
        raise _refuse(403, "the LangGraph store is not used by Switchboard; staff only")
