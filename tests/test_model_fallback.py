"""An unreachable model endpoint degrades to the deterministic decider; it never fails the run."""

from __future__ import annotations

import logging

import pytest

from switchboard.agents import models
from switchboard.agents.router.decide import decide_route
from switchboard.config.settings import get_settings


@pytest.fixture
def unreachable_model(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    monkeypatch.setenv("MODEL_TIMEOUT", "2")
    get_settings.cache_clear()
    models._cache.clear()
    yield "openai:gpt-4o-mini"
    get_settings.cache_clear()
    models._cache.clear()


async def test_router_falls_back_when_the_model_is_unreachable(
    unreachable_model: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        decision = await decide_route(unreachable_model, "where is my parcel?", [], [])
    assert decision.domains == ["shipping"]
    assert decision.decider == "deterministic"
    assert any("model call failed" in r.getMessage() for r in caplog.records)


async def test_a_whole_run_completes_on_an_unreachable_model(unreachable_model: str, app, scenarios) -> None:  # type: ignore[no-untyped-def]
    from switchboard.agents.context import Context

    context = Context(
        route_decider=unreachable_model,
        supervisor_decider=unreachable_model,
        specialist_decider=unreachable_model,
        compose_decider=unreachable_model,
    )
    customer = str(scenarios["late_parcel"]["customer_id"])
    result = await app.ask("where is my parcel?", customer_id=customer, context=context)
    assert result.status == "done"
    assert result.domains == ["shipping"]
    assert "late" in result.answer
