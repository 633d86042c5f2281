"""Who is calling through the LangGraph server: the identity its custom auth attached to a request or run.

`switchboard/langgraph_auth.py` authenticates every request with a Switchboard API key and returns a
user whose identity is `customer:CUST-0001` or `staff:alice`; the server hands that user to each run
as `config["configurable"]["langgraph_auth_user"]`. A browser Studio session is different: the server
gives it a `StudioUser` without asking our auth. On LangGraph Platform (LANGGRAPH_AUTH_TYPE=langsmith)
LangSmith has verified it, so it is a staff operator; on a local `langgraph dev` nothing has, so it
acts only as the staff member STUDIO_OPERATOR names (or the local developer with STUDIO_AUTH=off).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from switchboard.config.errors import ConfigurationError, Forbidden, SwitchboardError
from switchboard.config.settings import Settings, get_settings
from switchboard.tools.approvals import Identity

LOCAL_DEVELOPER = Identity("staff", "local-developer")
STUDIO_LOCAL_USER = "langgraph-studio-user"  # the identity `langgraph dev` gives every Studio session


def local_dev_server() -> bool:
    """True inside `langgraph dev` (it sets this variable for its server process)."""
    return os.environ.get("LANGSMITH_LANGGRAPH_API_VARIANT") == "local_dev"


def check_server_settings(settings: Settings | None = None) -> None:
    """Refuse development-only settings where they would open a real server to anyone."""
    settings = settings or get_settings()
    if settings.studio_auth == "off" and (settings.deployment or not local_dev_server()):
        where = "DEPLOYMENT=true is set" if settings.deployment else "this is not `langgraph dev`"
        raise ConfigurationError(
            f"STUDIO_AUTH=off is for a local `langgraph dev` only, and {where}: remove it and use API keys"
        )
    if settings.studio_operator and settings.deployment:
        raise ConfigurationError(
            "STUDIO_OPERATOR is for a local `langgraph dev` only (DEPLOYMENT=true is set): on LangGraph"
            " Platform, LangSmith verifies Studio sessions"
        )


def _field(user: Any, name: str) -> Any:
    if isinstance(user, Mapping):
        return user.get(name)
    return getattr(user, name, None)


def _is_studio_user(user: Any) -> bool:
    if _field(user, "kind") == "StudioUser" or type(user).__name__ == "StudioUser":
        return True
    try:
        from langgraph_sdk.auth.types import StudioUser
    except ImportError:  # pragma: no cover - the SDK ships with langgraph
        return False
    return isinstance(user, StudioUser)


def identity_of(user: Any, settings: Settings | None = None) -> Identity | None:
    """The Switchboard identity of a server user (None: no identity this server accepts)."""
    if user is None:
        return None
    settings = settings or get_settings()
    if _is_studio_user(user):
        if os.environ.get("LANGGRAPH_AUTH_TYPE") == "langsmith":
            return Identity("staff", f"studio:{_field(user, 'identity')}")
        if settings.studio_operator:
            return Identity("staff", settings.studio_operator)
        if settings.studio_auth == "off":
            return LOCAL_DEVELOPER
        return None
    identity = _field(user, "identity")
    if not isinstance(identity, str) or ":" not in identity:
        return None
    try:
        return Identity.parse(identity)
    except SwitchboardError:
        return None


def run_identity(config: Mapping[str, Any] | None) -> tuple[bool, Identity | None]:
    """(served, identity) for a run: served is True when a LangGraph server with auth started it.

    Runs from the CLI, the service, notebooks and the Python API carry no server user: their callers
    were checked before the graph ran (API keys in the service, the CLI's `--as`).
    """
    configurable = (config or {}).get("configurable") or {}
    if "langgraph_auth_user" not in configurable and "langgraph_auth_user_id" not in configurable:
        return False, None
    return True, identity_of(configurable.get("langgraph_auth_user"))


def customer_for_run(config: Mapping[str, Any] | None, customer_id: str) -> str:
    """The customer a run acts for: the context's, checked against the server's caller when there is one.

    The server's auth already fills in and checks the context; this is the same rule inside the graph,
    for servers whose auth handlers do not rewrite a run's context.
    """
    served, caller = run_identity(config)
    if not served:
        return customer_id
    if caller is None:
        raise Forbidden("this LangGraph server did not identify the caller: present a Switchboard API key")
    if caller.role == "customer":
        if customer_id and customer_id != caller.id:
            raise Forbidden(f"this key acts for {caller.id}; it cannot act for customer {customer_id}")
        return caller.id
    return customer_id
