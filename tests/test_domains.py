"""Every registered domain passes the same checks, and so does a sixth domain registered at test time.

The checks (`PER_DOMAIN_CHECKS`) take a domain from the registry, never a hard-coded name: the router
routes the domain's example requests to it, the drawn graph shows its supervisor and specialists, the
composer names it in its titles and capability text, the schemas (Studio, the router model) list it,
and an example request is answered end to end by its own specialists on the seeded store.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import warranty_domain

from switchboard.agents import registry
from switchboard.agents.composer import (
    capabilities,
    clarification_answer,
    compose_deterministic,
    out_of_scope_answer,
)
from switchboard.agents.contracts import Brief, ComposeRequest, DomainResult, RouteDecision
from switchboard.agents.router import route_deterministic
from switchboard.agents.router.decide import RouteChoice
from switchboard.agents.specialists.base import DomainSpec
from switchboard.api import Switchboard

ROOT = Path(__file__).resolve().parents[1]
Check = Callable[[Switchboard, DomainSpec, str], Awaitable[None]]


async def routes_its_examples(app: Switchboard, domain: DomainSpec, customer_id: str) -> None:
    assert domain.examples, f"{domain.name} declares no example requests"
    for text in domain.examples:
        assert route_deterministic(text).domains == [domain.name], text


async def is_drawn(app: Switchboard, domain: DomainSpec, customer_id: str) -> None:
    nodes = set(app.graph.get_graph(xray=True).nodes)
    assert {"intake", "route", "compose"} <= nodes
    assert len(domain.specialists) >= 3
    assert f"{domain.name}:{domain.name}_supervisor" in nodes
    for spec in domain.specialists:
        assert f"{domain.name}:{spec.name}" in nodes


async def is_named_in_answers_and_schemas(app: Switchboard, domain: DomainSpec, customer_id: str) -> None:
    assert domain.offer in out_of_scope_answer()
    assert domain.example in clarification_answer(RouteDecision(domains=[], confidence=0.5))
    assert f"{domain.name} ({domain.description})" in capabilities()
    unclear = route_deterministic("help")
    assert unclear.needs_clarification and domain.description in (unclear.clarifying_question or "")
    other = next(d for d in registry.domains() if d.name != domain.name)
    results = [DomainResult(domain=d.name, summary="x.") for d in (domain, other)]
    assert f"{domain.title}: x." in compose_deterministic(ComposeRequest(request="r", results=results)).answer
    assert Brief(domain=domain.name, request="r", customer_id=customer_id).domain == domain.name
    for schema in (RouteDecision.model_json_schema(), RouteChoice.model_json_schema()):
        assert registry.names() in enums(schema)


def enums(schema: Any) -> list[tuple[str, ...]]:
    """Every enum in a JSON schema (the Domain type's lists the registry's names)."""
    if isinstance(schema, dict):
        found = [tuple(schema["enum"])] if "enum" in schema else []
        return found + [e for v in schema.values() for e in enums(v)]
    if isinstance(schema, list):
        return [e for v in schema for e in enums(v)]
    return []


async def answers_an_example_end_to_end(app: Switchboard, domain: DomainSpec, customer_id: str) -> None:
    result = await app.ask(domain.examples[0], customer_id=customer_id)
    assert result.status == "done" and result.domains == [domain.name], (result.status, result.domains)
    [step] = result.path
    assert step["domain"] == domain.name and not step["partial"]
    assert step["specialists"] and set(step["specialists"]) <= {s.name for s in domain.specialists}
    assert set(step["tools"]) <= {t.name for t in domain.tools}
    assert result.answer.strip()


PER_DOMAIN_CHECKS: tuple[Check, ...] = (
    routes_its_examples,
    is_drawn,
    is_named_in_answers_and_schemas,
    answers_an_example_end_to_end,
)


@pytest.mark.parametrize("check", PER_DOMAIN_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("domain", registry.domains(), ids=registry.names())
async def test_every_registered_domain(
    app: Switchboard, scenarios: dict[str, dict[str, Any]], domain: DomainSpec, check: Check
) -> None:
    await check(app, domain, str(scenarios["happy_customer"]["customer_id"]))


async def test_a_sixth_domain_registered_at_test_time_works_everywhere(
    seeded: str, scenarios: dict[str, dict[str, Any]]
) -> None:
    """One module (tests/warranty_domain.py) and one registration: nothing else is edited."""
    customer = str(scenarios["happy_customer"]["customer_id"])
    sixth = warranty_domain.DOMAIN
    with registry.registered(sixth):
        assert registry.names()[-1] == sixth.name and len(registry.names()) == 6
        async with Switchboard.open() as app:
            for check in PER_DOMAIN_CHECKS:
                await check(app, sixth, customer)
            # Alongside an existing domain, in parallel, in one answer.
            both = await app.ask(
                "is my order still under warranty, and what are your opening hours?", customer_id=customer
            )
            assert both.domains == sorted(["care", sixth.name]) and both.status == "done"
            assert f"{sixth.title}: " in both.answer
            # Its specialist's write action goes through the policy and the catalogue like any other.
            repair = await app.ask("my blender broke, please repair it under warranty", customer_id=customer)
            assert repair.domains == [sixth.name]
            [step] = repair.path
            assert "repairs_desk" in step["specialists"]
            assert [(a["action"], a["status"]) for a in step["actions"]] == [("escalate_to_human", "done")]
    assert sixth.name not in registry.names()
    assert route_deterministic(sixth.examples[0]).domains != [sixth.name]  # the router forgot it too


def test_a_domain_name_is_written_only_in_its_own_module_and_the_registry() -> None:
    """Outside tests, benchmarks, migrations and seed data, "<domain>" in quotes means that domain's module."""
    allowed = {d.name: {f"agents/specialists/{d.name}.py", "agents/registry.py"} for d in registry.domains()}
    found: list[str] = []
    for top in ("agents", "graphs", "tools", "config", "switchboard"):
        for path in sorted((ROOT / top).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if path.resolve() != path:
                continue  # switchboard/agents etc. are the same files as agents/...
            if "/migrations/" in rel or Path(rel).name.startswith("seed"):
                continue
            text = path.read_text(encoding="utf-8")
            for name, homes in allowed.items():
                if rel not in homes and re.search(rf"""(["']){name}\1""", text):
                    found.append(f"{rel}: {name!r}")
    assert found == [], found
