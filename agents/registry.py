"""The domain registry: the one list of Switchboard's domains, one line per domain.

Each domain is a module that ends with `DOMAIN = DomainSpec(...)` (name, title, description, router
vocabulary, specialists, store tools). Everything else is derived from this list: the `Domain`
type's validation, the router graph's nodes and fan-out, the composer's titles and capability text,
the deterministic router's vocabulary, Studio's schemas and the per-domain tests.

Adding a domain: write its module, add one line below (and a migration and seed rows if it has tables
of its own). `register()` adds one at run time (tests, plug-ins); build the graph after registering.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from switchboard.agents.specialists import account, billing, care, orders, shipping
from switchboard.agents.specialists.base import DomainSpec

_DOMAINS: list[DomainSpec] = [
    orders.DOMAIN,
    billing.DOMAIN,
    shipping.DOMAIN,
    account.DOMAIN,
    care.DOMAIN,
]
_generation = 0  # bumped on every change, so derived tables (the router's vocabulary) know to rebuild


def domains() -> tuple[DomainSpec, ...]:
    """The registered domains, in registry order (ties in routing go to the earlier one)."""
    return tuple(_DOMAINS)


def names() -> tuple[str, ...]:
    return tuple(d.name for d in _DOMAINS)


def get(name: str) -> DomainSpec:
    for domain in _DOMAINS:
        if domain.name == name:
            return domain
    raise KeyError(f"no domain {name!r}; the domains are {', '.join(names())}")


def generation() -> int:
    return _generation


def register(domain: DomainSpec) -> None:
    """Add a domain after the listed ones. Graphs built before this call do not have it."""
    global _generation
    if domain.name in names():
        raise ValueError(f"a domain named {domain.name!r} is already registered")
    reserved = {"intake", "route", "compose", "admit"}
    if domain.name in reserved:
        raise ValueError(f"{domain.name!r} is the name of a router node; choose another domain name")
    _DOMAINS.append(domain)
    _generation += 1


def unregister(name: str) -> None:
    global _generation
    _DOMAINS.remove(get(name))
    _generation += 1


@contextmanager
def registered(domain: DomainSpec) -> Iterator[DomainSpec]:
    """`register` for the length of a block (tests)."""
    register(domain)
    try:
        yield domain
    finally:
        unregister(domain.name)
