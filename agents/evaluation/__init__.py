"""`switchboard eval`: the routing set and the end-to-end set, run through the real graph and scored.

See `cases` (the sets' shape and the held-out split), `scoring` (what counts as correct), `runner`
(the scratch database and concurrency) and `report` (figures and tables).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from switchboard.agents.context import Context
from switchboard.agents.evaluation.cases import DEFAULT_E2E, DEFAULT_ROUTING, load_e2e, load_routing, split_of
from switchboard.agents.evaluation.report import summarise_e2e, summarise_routing
from switchboard.agents.evaluation.runner import Progress, run_sets
from switchboard.agents.models import get_chat_model, is_deterministic
from switchboard.config.errors import InputError

__all__ = ["DEFAULT_E2E", "DEFAULT_ROUTING", "SETS", "evaluate", "split_of"]

SETS = ("routing", "e2e", "all")
DECISION_POINTS = ("route", "supervisor", "specialist", "compose")


def evaluate(
    *,
    split: str = "all",
    sets: Literal["routing", "e2e", "all"] | str = "all",
    routing_path: str | Path | None = None,
    e2e_path: str | Path | None = None,
    context: Context | None = None,
    concurrency: int = 8,
    say: Progress = lambda _: None,
) -> dict[str, Any]:
    """Load, run and score the chosen sets; a JSON-ready dict of figures and per-case failures."""
    if sets not in SETS:
        raise InputError(f"set must be one of {', '.join(SETS)}, not {sets!r}")
    context = context or Context()
    for point in DECISION_POINTS:  # an unusable decider is one clear error, before any database work
        decider = context.decider(point)  # type: ignore[arg-type]
        if not is_deterministic(decider):
            get_chat_model(decider)
    routing = load_routing(routing_path or DEFAULT_ROUTING, split) if sets in ("routing", "all") else []
    e2e = load_e2e(e2e_path or DEFAULT_E2E, split) if sets in ("e2e", "all") else []
    if not routing and not e2e:
        raise InputError(f"no cases in split {split!r} of the chosen set(s)")
    started = time.perf_counter()
    raw = run_sets(routing, e2e, context, concurrency=concurrency, say=say)
    return {
        "split": split,
        "sets": sets,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "deciders": {point: context.decider(point) for point in DECISION_POINTS},  # type: ignore[arg-type]
        "cases_paths": {
            "routing": str(routing_path or DEFAULT_ROUTING) if routing else None,
            "e2e": str(e2e_path or DEFAULT_E2E) if e2e else None,
        },
        "seconds": round(time.perf_counter() - started, 1),
        "routing_customer": raw["routing_customer"],
        "routing": summarise_routing(raw["routing"]) if routing else None,
        "e2e": summarise_e2e(raw["e2e"]) if e2e else None,
    }
