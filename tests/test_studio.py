"""The LangGraph server's pieces that need no server: identities, development-only settings, resume
forms, Studio links, and the history read through LangGraph's API (the server itself:
tests/test_dev_server.py)."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agents.resume import decision_from_resume, resume_forms
from switchboard.config.errors import ConfigurationError, Forbidden
from switchboard.config.settings import Settings
from switchboard.studio import (
    SYNC_IDENTITY,
    check_server_thread_id,
    refresh_registered,
    studio_link,
    sync_key,
)
from switchboard.tools.approvals import Identity
from switchboard.tools.identity import (
    LOCAL_DEVELOPER,
    check_server_settings,
    customer_for_run,
    identity_of,
    run_identity,
)


def test_a_server_user_maps_to_a_switchboard_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    from langgraph_sdk.auth.types import StudioUser

    monkeypatch.delenv("LANGGRAPH_AUTH_TYPE", raising=False)
    on = Settings(studio_auth="on", studio_operator="")
    assert identity_of({"identity": "customer:CUST-0184"}, on) == Identity("customer", "CUST-0184")
    assert identity_of({"identity": "staff:alice"}, on) == Identity("staff", "alice")
    assert identity_of({"identity": "nobody"}, on) is None
    assert identity_of(None, on) is None
    studio = StudioUser("langgraph-studio-user")
    assert identity_of(studio, on) is None  # a local browser session carries no identity ...
    assert identity_of(studio, Settings(studio_operator="alice")) == Identity(
        "staff", "alice"
    )  # ... unless named
    assert identity_of(studio, Settings(studio_auth="off")) == LOCAL_DEVELOPER
    monkeypatch.setenv("LANGGRAPH_AUTH_TYPE", "langsmith")  # LangGraph Platform: LangSmith verified it
    assert identity_of(StudioUser("ls-user-1"), on) == Identity("staff", "studio:ls-user-1")


def test_a_run_acts_for_the_servers_caller() -> None:
    assert run_identity({"configurable": {"thread_id": "t"}}) == (False, None)  # CLI, service, API
    served = {"configurable": {"langgraph_auth_user": {"identity": "customer:CUST-0184"}}}
    assert run_identity(served) == (True, Identity("customer", "CUST-0184"))
    assert customer_for_run({"configurable": {}}, "CUST-0231") == "CUST-0231"
    assert customer_for_run(served, "") == "CUST-0184"
    with pytest.raises(Forbidden, match="cannot act for customer CUST-0231"):
        customer_for_run(served, "CUST-0231")
    staff = {"configurable": {"langgraph_auth_user": {"identity": "staff:alice"}}}
    assert customer_for_run(staff, "CUST-0231") == "CUST-0231"
    with pytest.raises(Forbidden, match="did not identify the caller"):
        customer_for_run({"configurable": {"langgraph_auth_user": None}}, "CUST-0231")


def test_development_only_settings_are_refused_where_they_would_open_a_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGSMITH_LANGGRAPH_API_VARIANT", "local_dev")
    check_server_settings(Settings(studio_auth="off"))  # `langgraph dev`: allowed
    with pytest.raises(ConfigurationError, match="DEPLOYMENT=true"):
        check_server_settings(Settings(studio_auth="off", deployment=True))
    with pytest.raises(ConfigurationError, match="STUDIO_OPERATOR"):
        check_server_settings(Settings(studio_operator="alice", deployment=True))
    monkeypatch.delenv("LANGSMITH_LANGGRAPH_API_VARIANT")
    with pytest.raises(ConfigurationError, match="not `langgraph dev`"):
        check_server_settings(Settings(studio_auth="off"))
    check_server_settings(Settings())  # auth on: fine anywhere


def test_studio_links_and_server_thread_ids() -> None:
    tid = "8557299a-35f0-4da4-b3bb-b44eb88392f4"
    assert studio_link("http://127.0.0.1:2024/", tid) == (
        f"https://smith.langchain.com/studio/thread/{tid}?baseUrl=http://127.0.0.1:2024"
    )
    assert (
        studio_link("http://127.0.0.1:2024")
        == "https://smith.langchain.com/studio/?baseUrl=http://127.0.0.1:2024"
    )
    assert check_server_thread_id(tid.upper()) == tid
    with pytest.raises(ValueError, match="UUID ids only"):
        check_server_thread_id("my-thread")


def _sync_keys() -> list[dict[str, Any]]:
    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:
        return [k for k in apikeys.list_keys(conn) if k["subject"] == SYNC_IDENTITY.id]


async def test_a_key_minted_for_one_call_is_deleted_and_earlier_leftovers_with_it(seeded: str) -> None:
    from switchboard.config.database import connect
    from switchboard.tools import apikeys

    with connect() as conn:  # what an earlier version left: a revoked key per call
        apikeys.revoke(conn, apikeys.create(conn, SYNC_IDENTITY)["id"])
    assert len(_sync_keys()) == 1
    async with sync_key() as secret:
        (active,) = _sync_keys()
        assert active["active"] and secret.startswith("sbk_")
        with connect() as conn:
            assert apikeys.verify(conn, secret) == SYNC_IDENTITY
    assert _sync_keys() == []
    with connect() as conn:
        assert apikeys.verify(conn, secret) is None


async def test_a_decision_refreshes_nothing_when_no_server_answers(seeded: str) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    thread_id = "8557299a-35f0-4da4-b3bb-b44eb88392f4"
    assert await refresh_registered(thread_id, "CUST-0184", False, url) is None
    assert await refresh_registered("not-a-uuid", "CUST-0184", False, url) is None
    assert _sync_keys() == []  # no key is minted for a server that is not there


async def test_a_resume_without_a_qualifying_decision_says_why(seeded: str) -> None:
    forms = resume_forms("APR-1", {"order_id": "ORD-1"})
    assert forms["approve"] == {"decision": "approve", "args": {"order_id": "ORD-1"}}
    assert forms["recorded"] == {"approval_id": "APR-1"}
    # Outside a server run there is no caller to decide as: the reason names what to do instead.
    decided, why = await decision_from_resume({"decision": "approve", "args": {}}, "APR-1", "issue_refund")
    assert decided is None and "authenticated caller" in why and "switchboard approve" in why
    decided, why = await decision_from_resume({"decision": "maybe"}, "APR-1", "issue_refund")
    assert decided is None and "approve, reject or edit" in why
    decided, why = await decision_from_resume("yes", "APR-1", "issue_refund")
    assert decided is None and "a decision or approval APR-1 (got None)" in why
    decided, why = await decision_from_resume({"approval_id": "APR-2"}, "APR-1", "issue_refund")
    assert decided is None and "APR-1" in why


async def test_history_has_parents_next_and_forks_and_no_internal_channels(
    app: Any, scenarios: dict[str, dict[str, Any]]
) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    first = await app.ask("where is my parcel?", customer_id=customer)
    steps = await app.history(first.thread_id)
    router = [s for s in steps if s["namespace"] == "router"]
    assert router[0]["next"] == ["__start__"] and router[0]["parent_checkpoint_id"] is None
    assert router[-1]["next"] == [] and "compose" in router[-1]["nodes"] and "answer" in router[-1]["writes"]
    ids = [s["checkpoint_id"] for s in router]
    assert [s["parent_checkpoint_id"] for s in router[1:]] == ids[:-1]  # one line: no fork yet
    assert not any(w.startswith(("__", "branch:")) for s in steps for w in s["writes"])
    assert {"router", "shipping"} <= {s["namespace"] for s in steps}
    # A fork: run again from the checkpoint after intake.
    after_intake = next(s for s in router if s["nodes"] == ["intake"])["checkpoint_id"]
    config = {"configurable": {"thread_id": first.thread_id, "checkpoint_id": after_intake}}
    from switchboard.agents.context import Context

    await app.graph.ainvoke(None, config, context=Context(customer_id=customer))
    again = [s for s in await app.history(first.thread_id) if s["namespace"] == "router"]
    children = [s for s in again if s["parent_checkpoint_id"] == after_intake]
    assert [c["fork"] for c in children] == [False, True], children


async def test_chat_messages_are_bounded_like_the_turn_window(
    app: Any, scenarios: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from switchboard.config.settings import get_settings

    monkeypatch.setenv("HISTORY_WINDOW", "2")
    get_settings.cache_clear()
    try:
        customer = str(scenarios["late_parcel"]["customer_id"])
        asked = ["where is my parcel?", "and the invoice?", "when will it arrive?", "thanks, and my refund?"]
        thread_id = None
        for message in asked:
            thread_id = (await app.ask(message, customer_id=customer, thread_id=thread_id)).thread_id
        values = (await app.state(thread_id))["values"]
    finally:
        get_settings.cache_clear()
    messages = values["messages"]
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage"] * 2
    assert [m.content for m in messages[::2]] == asked[-2:]
    assert messages[-1].content == values["answer"] and len(values["turns"]) == 2
