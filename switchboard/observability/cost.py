"""What model calls cost in money, and the per-request budget.

Prices come from a TOML table (`PRICE_TABLE`, default `config/prices.toml`): per million input and
output tokens, in the table's currency. Costs are kept as integer millionths of that currency
(`cost_micros`), so they add up exactly across decision points, domains, turns and days.

The budget (`REQUEST_BUDGET_TOKENS`, `REQUEST_BUDGET_COST`) is per request: `budget_scope()` opens it
around one run, every metered decision point adds its spend, and `Context.decider()` asks
`over_budget()` before a decision point picks a model: a turn that would exceed the budget finishes on
the deterministic deciders (never mid-action: write actions are decided by the policy, not a model),
and its answer says so.
"""

from __future__ import annotations

import fnmatch
import logging
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.config.errors import ConfigurationError
from switchboard.config.settings import Settings, get_settings

log = logging.getLogger(__name__)

MICROS = 1_000_000


@dataclass(frozen=True)
class Price:
    input: float  # per million input tokens
    output: float  # per million output tokens


@dataclass(frozen=True)
class PriceTable:
    currency: str
    models: dict[str, Price]

    def price(self, model: str) -> Price | None:
        """The price of a decider ('openai:gpt-4o-mini') or a model name ('gpt-4o-mini-2024-07-18')."""
        name = model.split(":", 1)[1] if ":" in model else model
        for key in (model, name):
            if key in self.models:
                return self.models[key]
        for key, price in self.models.items():
            if any(c in key for c in "*?[") and (
                fnmatch.fnmatchcase(model, key) or fnmatch.fnmatchcase(name, key)
            ):
                return price
        prefixes = [k for k in self.models if name.startswith(k)]
        return self.models[max(prefixes, key=len)] if prefixes else None

    def cost_micros(self, model: str, input_tokens: int, output_tokens: int) -> int:
        price = self.price(model)
        if price is None:
            if model not in _unpriced:
                _unpriced.add(model)
                log.warning("model %r is not in the price table; its calls are counted at 0", model)
            return 0
        return round(input_tokens * price.input + output_tokens * price.output)  # per million = micros


_unpriced: set[str] = set()
_tables: dict[tuple[Path, float], PriceTable] = {}


def load_prices(path: Path) -> PriceTable:
    """Read a price table; a malformed one is a ConfigurationError naming PRICE_TABLE."""
    try:
        stamp = path.stat().st_mtime
    except OSError as exc:
        raise ConfigurationError(f"PRICE_TABLE: cannot read {path}: {exc.strerror}") from None
    cached = _tables.get((path, stamp))
    if cached is not None:
        return cached
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        models = {
            str(name): Price(input=float(entry["input"]), output=float(entry["output"]))
            for name, entry in (data.get("models") or {}).items()
        }
        table = PriceTable(currency=str(data.get("currency", "USD")), models=models)
    except (tomllib.TOMLDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigurationError(
            f"PRICE_TABLE: {path} is not a price table ([models.NAME] with input and output per million): {exc}"
        ) from None
    if any(p.input < 0 or p.output < 0 for p in models.values()):
        raise ConfigurationError(f"PRICE_TABLE: {path} has a negative price")
    _tables[(path, stamp)] = table
    return table


_checked: dict[Path, tuple[float, PriceTable]] = {}
RECHECK_SECONDS = 5.0  # an edited price table applies within seconds, without a stat per model call


def prices(settings: Settings | None = None) -> PriceTable:
    path = (settings or get_settings()).price_table
    now = time.monotonic()
    seen = _checked.get(path)
    if seen is not None and now - seen[0] < RECHECK_SECONDS:
        return seen[1]
    table = load_prices(path)
    _checked[path] = (now, table)
    return table


def money(micros: int) -> float:
    """Millionths to the currency unit, for display and JSON."""
    return round(micros / MICROS, 6)


# ------------------------------------------------------------------ the per-request budget


@dataclass
class Budget:
    """One request's spend against its limits (0 = no limit)."""

    max_tokens: int = 0
    max_micros: int = 0
    tokens: int = 0
    micros: int = 0
    calls: int = 0
    downgraded: list[str] = field(default_factory=list)  # decision points that ran deterministic for it

    @property
    def limited(self) -> bool:
        return bool(self.max_tokens or self.max_micros)

    def spend(self, tokens: int, micros: int, calls: int) -> None:
        self.tokens += tokens
        self.micros += micros
        self.calls += calls

    def would_exceed(self) -> bool:
        """True when the next model call, costing what this request's calls cost on average, would pass
        a limit (a request that has not called a model yet may always make its first call)."""
        if not self.limited or not self.calls:
            return False
        next_tokens, next_micros = self.tokens / self.calls, self.micros / self.calls
        return bool(
            (self.max_tokens and self.tokens + next_tokens > self.max_tokens)
            or (self.max_micros and self.micros + next_micros > self.max_micros)
        )

    def note(self) -> str:
        limit = (
            f"{self.max_tokens} tokens"
            if self.max_tokens
            else f"{money(self.max_micros):.4f} {prices().currency}"
        )
        return f"(Part of this answer was prepared without the AI model: this request reached its budget of {limit}.)"

    def as_dict(self) -> dict[str, object]:
        return {
            "max_tokens": self.max_tokens,
            "max_cost": money(self.max_micros),
            "tokens": self.tokens,
            "cost": money(self.micros),
            "exhausted": bool(self.downgraded),
            "downgraded": list(dict.fromkeys(self.downgraded)),
        }


_budget: ContextVar[Budget | None] = ContextVar("switchboard_budget", default=None)


def new_budget(settings: Settings | None = None) -> Budget:
    settings = settings or get_settings()
    return Budget(
        max_tokens=settings.request_budget_tokens, max_micros=round(settings.request_budget_cost * MICROS)
    )


@contextmanager
def budget_scope(budget: Budget | None = None) -> Iterator[Budget]:
    """The budget of the request run inside (LangGraph's tasks inherit it, so parallel domains share it)."""
    current = budget or new_budget()
    token = _budget.set(current)
    try:
        yield current
    finally:
        _budget.reset(token)


def current_budget() -> Budget | None:
    return _budget.get()


def over_budget(point: str) -> bool:
    """Should this decision point skip its model? Records the downgrade when it does."""
    budget = _budget.get()
    if budget is None or not budget.would_exceed():
        return False
    if point not in budget.downgraded:
        from switchboard.observability import logs, metrics

        metrics.record_budget_downgrade(point)
        logs.event(
            "budget.reached",
            level=logging.WARNING,
            point=point,
            tokens=budget.tokens,
            cost_micros=budget.micros,
        )
    budget.downgraded.append(point)
    return True
