"""Figures from per-case results, and the two tables a person reads (80 columns wide)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from switchboard.agents.evaluation.scoring import SUBSCORES

ROUTING_KINDS = ("single", "multi", "out_of_scope", "greeting", "clarify")


def _rate(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _routing_group(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    correct = sum(r["correct"] for r in rows)
    return {"cases": len(rows), "correct": correct, "accuracy": _rate(correct, len(rows))}


def _e2e_group(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    turns = [t for r in rows for t in r["turns"]]
    full = sum(r["fully_correct"] for r in rows)
    group: dict[str, Any] = {"cases": len(rows), "turns": len(turns)}
    for name in SUBSCORES:
        group[name] = _rate(sum(bool(t[name]) for t in turns), len(turns))
    group["fully_correct"] = _rate(full, len(rows))
    group["fully_correct_cases"] = full
    return group


def _grouped(
    rows: Sequence[dict[str, Any]], key: str, order: Iterable[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[str(row[key])].append(row)
    first = [k for k in order if k in groups]
    return {k: groups[k] for k in first + sorted(set(groups) - set(first))}


def summarise_routing(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "overall": _routing_group(rows),
        "by_kind": {k: _routing_group(v) for k, v in _grouped(rows, "kind", ROUTING_KINDS).items()},
        "by_lang": {k: _routing_group(v) for k, v in _grouped(rows, "lang", ("en",)).items()},
        "by_split": {k: _routing_group(v) for k, v in _grouped(rows, "split", ("dev", "test")).items()},
        "errors": [r for r in rows if not r["correct"]],
    }


def summarise_e2e(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "overall": _e2e_group(rows),
        "by_kind": {k: _e2e_group(v) for k, v in _grouped(rows, "kind").items()},
        "by_lang": {k: _e2e_group(v) for k, v in _grouped(rows, "lang", ("en",)).items()},
        "by_split": {k: _e2e_group(v) for k, v in _grouped(rows, "split", ("dev", "test")).items()},
        "errors": [r for r in rows if not r["fully_correct"]],
    }


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def routing_table(summary: dict[str, Any]) -> Table:
    table = Table(
        title="Routing: exact set of domains", title_justify="left", show_edge=False, pad_edge=False
    )
    table.add_column("group", no_wrap=True)
    table.add_column("cases", justify="right")
    table.add_column("correct", justify="right")
    table.add_column("accuracy", justify="right")

    def add(label: str, g: dict[str, Any], end: bool = False) -> None:
        table.add_row(label, str(g["cases"]), str(g["correct"]), _pct(g["accuracy"]), end_section=end)

    add("all", summary["overall"], end=True)
    for section in ("by_kind", "by_lang", "by_split"):
        items = list(summary[section].items())
        prefix = section.removeprefix("by_")
        for i, (name, g) in enumerate(items):
            add(f"{prefix} {name}", g, end=i == len(items) - 1)
    return table


def e2e_table(summary: dict[str, Any]) -> Table:
    # 8 columns in 80: no outer edge; sub-scores are per turn, "full" is per case
    table = Table(
        title="End to end: per-turn sub-scores, fully correct cases",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("group", no_wrap=True, max_width=18, overflow="ellipsis")
    for name in ("cases", "turns", "route", "facts", "forbid", "action", "full"):
        table.add_column(name, justify="right", no_wrap=True)

    def add(label: str, g: dict[str, Any], end: bool = False) -> None:
        table.add_row(
            label,
            str(g["cases"]),
            str(g["turns"]),
            *(_pct(g[name]) for name in SUBSCORES),
            _pct(g["fully_correct"]),
            end_section=end,
        )

    add("all", summary["overall"], end=True)
    for section in ("by_kind", "by_lang", "by_split"):
        items = list(summary[section].items())
        prefix = section.removeprefix("by_")
        for i, (name, g) in enumerate(items):
            add(f"{prefix} {name}", g, end=i == len(items) - 1)
    return table


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def error_lines(result: dict[str, Any], limit: int) -> list[str]:
    """The first `limit` failures of each set, one or two lines each."""
    lines: list[str] = []
    routing = result.get("routing")
    if routing and routing["errors"] and limit:
        lines.append(
            f"Routing errors ({len(routing['errors'])}), first {min(limit, len(routing['errors']))}:"
        )
        for err in routing["errors"][:limit]:
            lines.append(
                f"  {err['id']} [{err['kind']}, {err['lang']}] expected {err['expected']}, got {err['predicted']}"
            )
            lines.append(f"    {_clip(err['text'], 74)}")
    e2e = result.get("e2e")
    if e2e and e2e["errors"] and limit:
        lines.append(f"End-to-end failures ({len(e2e['errors'])}), first {min(limit, len(e2e['errors']))}:")
        for case in e2e["errors"][:limit]:
            for number, turn in enumerate(case["turns"], 1):
                failed = [name for name in SUBSCORES if not turn[name]]
                if not failed:
                    continue
                why = turn.get("error") or "; ".join(
                    part
                    for part in (
                        f"domains {turn['domains']}" if "routing" in failed else "",
                        f"missing {turn['missing']}" if turn.get("missing") else "",
                        f"said {turn['forbidden_said']}" if turn.get("forbidden_said") else "",
                        f"actions {turn['actions']}" if "action" in failed else "",
                    )
                    if part
                )
                lines.append(f"  {case['id']} turn {number}: {', '.join(failed)}: {_clip(why, 60)}")
    return lines


def print_tables(result: dict[str, Any], console: Console, errors: int = 0) -> None:
    if result.get("routing"):
        console.print(routing_table(result["routing"]))
    if result.get("e2e"):
        console.print(e2e_table(result["e2e"]))
    for line in error_lines(result, errors):
        console.print(line, highlight=False, markup=False, soft_wrap=True)
