"""A model endpoint that hangs or fails, through the real langchain-openai client over local sockets.

- `HungEndpoint` accepts connections and never answers: a decision point gives up after its budget
  (MODEL_DECISION_BUDGET), its deterministic twin decides, and the endpoint's circuit breaker stops every
  later decision point from calling it, so one turn costs one budget, not one per decision point.
- The breaker lets one call through after its cooldown and closes when it succeeds.
- MODEL_FAILURE=error makes a failing model an error (one line, 503 over HTTP) instead of a fallback.
- A fallback is shown by every surface: the API's result and path, `ask` (text and --json), `history`,
  and the HTTP result model.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents import breaker, models
from switchboard.agents.context import Context
from switchboard.agents.llm import metered
from switchboard.agents.router.decide import decide_route
from switchboard.api import AskResult, Switchboard
from switchboard.config.errors import ModelUnavailable
from switchboard.config.settings import get_settings
from tests.cli import ok_json, run_switchboard
from tests.openai_stub import HungEndpoint, OpenAIStub, stub_tool_call

MODEL = "openai:hung-model"
ROUTE = "You route customer messages"


def _settings_env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    models._cache.clear()


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> Iterator[HungEndpoint]:
    with HungEndpoint() as endpoint:
        _settings_env(
            monkeypatch,
            OPENAI_BASE_URL=endpoint.base_url,
            MODEL_DECISION_BUDGET="1",
            MODEL_BREAKER_THRESHOLD="1",
            MODEL_BREAKER_COOLDOWN="600",
        )
        yield endpoint
    monkeypatch.undo()
    get_settings.cache_clear()
    models._cache.clear()


def _everywhere(decider: str) -> Context:
    return Context(
        route_decider=decider, supervisor_decider=decider, specialist_decider=decider, compose_decider=decider
    )


@pytest.mark.timeout(90)
async def test_a_hung_model_costs_one_budget_then_the_breaker_answers_for_it(
    hung: HungEndpoint, app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    customer = str(scenarios["late_parcel"]["customer_id"])
    result = await app.ask("where is my parcel?", customer_id=customer, context=_everywhere(MODEL))
    baseline = await app.ask("where is my parcel?", customer_id=customer)

    assert result.status == "done" and result.domains == ["shipping"]
    assert result.answer == baseline.answer and "late" in result.answer
    points = [f["point"] for f in result.fallbacks]
    assert points[0] == "route" and points[-1] == "compose" and len(points) >= 3, points
    assert {f["decider"] for f in result.fallbacks} == {MODEL}
    assert "MODEL_DECISION_BUDGET" in result.fallbacks[0]["reason"]
    assert all("circuit open" in f["reason"] for f in result.fallbacks[1:]), result.fallbacks
    assert result.path[0]["fallbacks"] == result.fallbacks[1:-1]  # the domain's own, in its path
    assert hung.accepted == 1  # the route's call; every later decision point skipped the endpoint
    assert baseline.fallbacks == []


async def test_the_breaker_tries_the_model_again_after_its_cooldown(
    monkeypatch: pytest.MonkeyPatch, seeded: str
) -> None:
    now = [1000.0]
    monkeypatch.setattr(breaker, "clock", lambda: now[0])
    with OpenAIStub() as stub:
        _settings_env(
            monkeypatch,
            OPENAI_BASE_URL=stub.base_url,
            MODEL_DECISION_BUDGET="1",
            MODEL_BREAKER_THRESHOLD="1",
            MODEL_BREAKER_COOLDOWN="30",
        )
        stub.stalled = True  # reads the request, never answers

        async def route() -> tuple[str, list[dict[str, str]]]:
            with metered() as usage:
                decision = await decide_route(MODEL, "I was charged twice", [], [])
            return decision.decider, usage.fallbacks

        decider, fallbacks = await route()
        assert decider == "deterministic" and "MODEL_DECISION_BUDGET" in fallbacks[0]["reason"]
        assert len(stub.requests) == 1

        now[0] += 29  # still cooling down: not called, answered by the twin at once
        decider, fallbacks = await route()
        assert decider == "deterministic" and "circuit open" in fallbacks[0]["reason"]
        assert len(stub.requests) == 1

        now[0] += 2  # cooled down, and the endpoint answers again: the model decides
        stub.stalled = False
        stub.script(
            ROUTE,
            stub_tool_call(
                "RouteChoice",
                {"domains": [{"domain": "billing", "request": "charged twice"}], "confidence": 0.9},
            ),
        )
        decider, fallbacks = await route()
        assert (decider, fallbacks) == (MODEL, [])
        assert len(stub.requests) == 2
    get_settings.cache_clear()
    models._cache.clear()


async def test_model_failure_error_makes_a_failing_model_an_error(
    monkeypatch: pytest.MonkeyPatch, app: Switchboard, scenarios: dict[str, dict[str, Any]]
) -> None:
    _settings_env(monkeypatch, OPENAI_BASE_URL="http://127.0.0.1:9/v1", MODEL_FAILURE="error")  # refused
    customer = str(scenarios["late_parcel"]["customer_id"])
    with pytest.raises(ModelUnavailable) as raised:
        await app.ask("where is my parcel?", customer_id=customer, context=_everywhere(MODEL))
    assert raised.value.http_status == 503
    message = str(raised.value)
    assert message.startswith("route: model 'openai:hung-model' failed") and "MODEL_FAILURE=error" in message
    assert len(message.splitlines()) == 1
    monkeypatch.undo()
    get_settings.cache_clear()
    models._cache.clear()


@pytest.mark.slow
def test_every_surface_shows_a_fallback(hung: HungEndpoint, seeded: str, tmp_path: Path) -> None:
    from switchboard.service import _result

    customer = "CUST-0001"
    env = {"OPENAI_BASE_URL": hung.base_url, "MODEL_DECISION_BUDGET": "1"}

    def cli(*args: str) -> Any:
        database = {k: os.environ[k] for k in ("DATABASE_URL", "DATA_DIR") if k in os.environ}
        return run_switchboard(list(args), tmp_path, env={**database, **env})

    as_json = ok_json(cli("ask", "where is my parcel?", "-c", customer, "--route-decider", MODEL, "--json"))
    assert [(f["point"], f["decider"]) for f in as_json["fallbacks"]] == [("route", MODEL)]
    text = cli("ask", "where is my parcel?", "-c", customer, "--route-decider", MODEL)
    assert text.returncode == 0, text.stderr
    assert "fallback: route decided deterministically, model openai:hung-model failed" in text.stdout

    history = ok_json(cli("history", as_json["thread_id"], "--json"))
    written = [f for step in history["steps"] for f in step["fallbacks"]]
    assert [(f["point"], f["decider"]) for f in written] == [("route", MODEL)]
    shown = cli("history", as_json["thread_id"])
    assert "route (openai:hung-model" in shown.stdout, shown.stdout

    over_http = _result(AskResult(**{k: v for k, v in as_json.items()}))  # what the service returns
    assert json.loads(over_http.model_dump_json())["fallbacks"] == as_json["fallbacks"]
