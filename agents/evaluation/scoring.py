"""How one routed request and one conversation turn are scored (pure functions of the run's result).

Routing (exact set): the decision's domains equal the case's domains, and for the kinds without a
domain the decision says what kind of answer it is:

- ``single`` / ``multi``: the domains match (and the decision neither asks to clarify nor says
  out of scope);
- ``out_of_scope``: no domain and ``out_of_scope`` is set;
- ``clarify``: no domain and ``needs_clarification`` is set;
- ``greeting``: a greeting must get a greeting. When the decision carries a greeting flag
  (``greeting`` or ``small_talk`` true, or ``kind``/``intent`` equal to "greeting"), that flag is
  required. A router without any such notion passes only when it neither routes, nor asks to
  clarify, nor says out of scope: the out-of-scope apology is not a greeting, so it counts wrong.

End to end, each turn is scored four ways:

- ``routing``: the turn's domains equal the expected ones exactly;
- ``facts``: every ``must_mention`` group has one alternative in the answer (case-insensitive
  substring, whitespace runs collapsed);
- ``forbidden``: no ``must_not_mention`` string is in the answer (same matching);
- ``action``: expected ``proposed``: an outcome of that action with status pending or done;
  ``not_done``: no pending or done outcome of that action; no expectation (null): no pending or
  done write action at all.

A turn that could not run (say, its thread waits for an approval) fails all four. A case is fully
correct when every turn passes all four.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from switchboard.agents.evaluation.cases import Expect, RoutingCase

SUBSCORES = ("routing", "facts", "forbidden", "action")
LIVE = ("pending", "done")  # an action counts as proposed or performed in these states
_GREETING_FLAGS = ("greeting", "small_talk")
_GREETING_KINDS = ("kind", "intent")


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def greeted(route: Mapping[str, Any]) -> bool | None:
    """True/False when the decision says whether it is a greeting; None when it has no such notion."""
    flags = [route[k] for k in _GREETING_FLAGS if k in route]
    kinds = [route[k] for k in _GREETING_KINDS if isinstance(route.get(k), str)]
    if not flags and not kinds:
        return None
    return any(bool(f) for f in flags) or any(k.lower() == "greeting" for k in kinds)


def route_correct(case: RoutingCase, domains: Iterable[str], route: Mapping[str, Any]) -> bool:
    chosen = sorted(domains)
    out_of_scope = bool(route.get("out_of_scope"))
    clarify = bool(route.get("needs_clarification"))
    if case.kind in ("single", "multi"):
        return chosen == case.domains and not out_of_scope and not clarify
    if chosen:
        return False
    if case.kind == "out_of_scope":
        return out_of_scope
    if case.kind == "clarify":
        return clarify
    flag = greeted(route)  # greeting
    if flag is not None:
        return flag
    return not out_of_scope and not clarify


def predicted_label(domains: Iterable[str], route: Mapping[str, Any]) -> str:
    """What the decision was, in one word, for error listings."""
    chosen = sorted(domains)
    if chosen:
        return "+".join(chosen)
    if greeted(route):
        return "greeting"
    if route.get("needs_clarification"):
        return "clarify"
    if route.get("out_of_scope"):
        return "out_of_scope"
    return "none"


def live_actions(path: Iterable[Mapping[str, Any]]) -> list[str]:
    """Names of the write actions this turn proposed (pending) or performed (done)."""
    return [a["action"] for step in path for a in step.get("actions", []) if a.get("status") in LIVE]


def score_turn(expect: Expect, domains: Iterable[str], answer: str, actions: list[str]) -> dict[str, Any]:
    """The four sub-scores of one turn, with what was missing or wrong when a sub-score fails."""
    text = _normal(answer)
    missing = [group for group in expect.must_mention if not any(_normal(a) in text for a in group)]
    said = [word for word in expect.must_not_mention if _normal(word) in text]
    if expect.action is None:
        action_ok = not actions
    elif expect.action.outcome == "proposed":
        action_ok = expect.action.name in actions
    else:
        action_ok = expect.action.name not in actions
    chosen = sorted(domains)
    scores = {
        "routing": chosen == expect.domains,
        "facts": not missing,
        "forbidden": not said,
        "action": action_ok,
    }
    return {**scores, "missing": missing, "forbidden_said": said, "actions": actions, "domains": chosen}


def failed_turn(error: str) -> dict[str, Any]:
    """A turn that did not run: every sub-score fails, and the reason is kept."""
    return {name: False for name in SUBSCORES} | {"error": error}
