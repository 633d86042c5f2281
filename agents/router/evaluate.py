"""Evaluate the deterministic router on the public Bitext sample and on the project's own cases.

Split of the public sample (deterministic, documented): rows are grouped by ``intent`` in file
order; the row with position index ``i`` within its intent is ``dev`` when ``i`` is even and
``test`` when ``i`` is odd. The project cases (``tests/data/routing_cases.jsonl``) carry their own
``split`` field. Tuning is done on ``dev`` only; ``test`` is the held-out figure.

Usage::

    python -m agents.router.evaluate [--split dev|test|all] [--json] [--csv PATH] [--cases PATH]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from switchboard.agents import registry
from switchboard.agents.contracts import RouteDecision
from switchboard.agents.router.deterministic import route_deterministic

__all__ = [
    "DEFAULT_CASES",
    "DEFAULT_CSV",
    "category_to_domain",
    "evaluate",
    "format_report",
    "load_cases",
    "load_public_sample",
    "main",
    "prediction_label",
]


def category_to_domain() -> dict[str, str]:
    """Public data set category -> domain, from each domain's `dataset_labels`."""
    return {label: d.name for d in registry.domains() for label in d.dataset_labels}


_ROOT = Path(__file__).resolve().parents[2]


def _default_csv() -> Path:
    """SWITCHBOARD_BITEXT_CSV, else the copy kept in the repository (``bench/data``, with its licence)."""
    override = os.environ.get("SWITCHBOARD_BITEXT_CSV")
    if override:
        return Path(override)
    return _ROOT / "bench" / "data" / "bitext_routing_sample.csv"


DEFAULT_CSV = _default_csv()
DEFAULT_CASES = _ROOT / "tests" / "data" / "routing_cases.jsonl"
SPLITS = ("dev", "test", "all")
KINDS = ("single", "multi", "out_of_scope", "unclear", "greeting")

Router = Callable[[str], RouteDecision]


def prediction_label(decision: RouteDecision) -> str:
    """The predicted domain set as a string: "billing+shipping", "out_of_scope", "unclear" or "greeting"."""
    if decision.greeting and not decision.domains:
        return "greeting"
    if decision.out_of_scope:
        return "out_of_scope"
    if decision.needs_clarification:
        return "unclear"
    return "+".join(sorted(decision.domains)) or "none"


def gold_label(domains: Sequence[str], kind: str) -> str:
    if kind == "out_of_scope":
        return "out_of_scope"
    if kind in ("unclear", "greeting"):
        return kind
    return "+".join(sorted(domains))


def load_public_sample(csv_path: str | Path, split: str = "test") -> list[dict[str, str]]:
    """Rows of the Bitext sample in ``split`` with their gold ``domain`` (see module docstring)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    position: Counter[str] = Counter()
    rows: list[dict[str, str]] = []
    categories = category_to_domain()
    with open(csv_path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            intent = row.get("intent", "")
            index = position[intent]
            position[intent] += 1
            row_split = "dev" if index % 2 == 0 else "test"
            if split != "all" and row_split != split:
                continue
            category = row.get("category", "").strip().upper()
            if category not in categories:
                raise ValueError(f"unknown category {category!r} in {csv_path}")
            rows.append(
                {
                    "text": row.get("instruction", ""),
                    "domain": categories[category],
                    "intent": intent,
                    "split": row_split,
                }
            )
    return rows


def load_cases(cases_path: str | Path, split: str = "test") -> list[dict[str, Any]]:
    """The project's routing cases in ``split`` (``all`` for every case)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    cases: list[dict[str, Any]] = []
    with open(cases_path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            case = json.loads(line)
            missing = {"text", "domains", "kind", "split"} - set(case)
            if missing:
                raise ValueError(f"{cases_path}:{number}: missing fields {sorted(missing)}")
            if case["kind"] not in KINDS:
                raise ValueError(f"{cases_path}:{number}: unknown kind {case['kind']!r}")
            if split == "all" or case["split"] == split:
                cases.append(case)
    return cases


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
    }


def _per_domain(pairs: Iterable[tuple[set[str], set[str]]]) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for gold, pred in pairs:
        for d in registry.names():
            if d in gold and d in pred:
                tp[d] += 1
            elif d in pred:
                fp[d] += 1
            elif d in gold:
                fn[d] += 1
    return {d: _prf(tp[d], fp[d], fn[d]) for d in registry.names()}


def evaluate(
    csv_path: str | Path = DEFAULT_CSV,
    cases_path: str | Path = DEFAULT_CASES,
    split: str = "test",
    router: Router | None = None,
) -> dict[str, Any]:
    """Score ``router`` (default: the deterministic router) on one split of both data sets.

    Returns a JSON-serialisable dict with ``public`` (rows, accuracy as exact domain-set match,
    per-domain precision/recall/F1, confusion matrix gold domain -> predicted label -> count,
    errors) and ``cases`` (rows, accuracy overall and by kind, per-domain figures, errors), plus
    ``throughput_per_s`` measured over the public rows.
    """
    route: Router = router or route_deterministic
    result: dict[str, Any] = {"split": split, "csv_path": str(csv_path), "cases_path": str(cases_path)}

    rows = load_public_sample(csv_path, split)
    confusion: dict[str, Counter[str]] = defaultdict(Counter)
    pairs: list[tuple[set[str], set[str]]] = []
    errors: list[dict[str, str]] = []
    correct = 0
    started = time.perf_counter()
    decisions = [route(row["text"]) for row in rows]
    elapsed = time.perf_counter() - started
    for row, decision in zip(rows, decisions, strict=True):
        label = prediction_label(decision)
        confusion[row["domain"]][label] += 1
        pairs.append(({row["domain"]}, set(decision.domains)))
        if label == row["domain"]:
            correct += 1
        else:
            errors.append(
                {"text": row["text"], "gold": row["domain"], "predicted": label, "intent": row["intent"]}
            )
    result["public"] = {
        "rows": len(rows),
        "accuracy": round(correct / len(rows), 4) if rows else 0.0,
        "per_domain": _per_domain(pairs),
        "confusion": {d: dict(sorted(confusion[d].items())) for d in registry.names() if d in confusion},
        "errors": errors,
    }
    result["throughput_per_s"] = round(len(rows) / elapsed, 1) if elapsed > 0 else None

    cases = load_cases(cases_path, split)
    by_kind: dict[str, list[bool]] = defaultdict(list)
    case_pairs: list[tuple[set[str], set[str]]] = []
    case_errors: list[dict[str, str]] = []
    for case in cases:
        decision = route(case["text"])
        label = prediction_label(decision)
        gold = gold_label(case["domains"], case["kind"])
        ok = label == gold
        by_kind[case["kind"]].append(ok)
        case_pairs.append((set(case["domains"]), set(decision.domains)))
        if not ok:
            case_errors.append({"text": case["text"], "gold": gold, "predicted": label, "kind": case["kind"]})
    total_ok = sum(ok for oks in by_kind.values() for ok in oks)
    result["cases"] = {
        "rows": len(cases),
        "accuracy": round(total_ok / len(cases), 4) if cases else 0.0,
        "by_kind": {
            kind: {"rows": len(by_kind[kind]), "accuracy": round(sum(by_kind[kind]) / len(by_kind[kind]), 4)}
            for kind in KINDS
            if by_kind[kind]
        },
        "per_domain": _per_domain(case_pairs),
        "errors": case_errors,
    }
    return result


def format_report(result: dict[str, Any], max_errors: int = 15) -> str:
    """A plain-text report of an :func:`evaluate` result."""
    lines: list[str] = []
    pub = result["public"]
    lines.append(f"Router evaluation, split={result['split']}")
    lines.append("")
    lines.append(f"Public sample ({result['csv_path']}): {pub['rows']} rows, accuracy {pub['accuracy']:.1%}")
    if result.get("throughput_per_s"):
        lines.append(f"Throughput: {result['throughput_per_s']:,.0f} requests/s (single thread)")
    lines.append("")
    lines.append(f"{'domain':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for d, m in pub["per_domain"].items():
        lines.append(
            f"{d:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8}"
        )
    lines.append("")
    labels = sorted({label for row in pub["confusion"].values() for label in row})
    width = max([len(label) for label in labels] + [7])
    lines.append("Confusion (rows: gold domain, columns: predicted label)")
    lines.append(f"{'gold':<10} " + " ".join(f"{label:>{width}}" for label in labels))
    for gold, row in pub["confusion"].items():
        lines.append(f"{gold:<10} " + " ".join(f"{row.get(label, 0):>{width}}" for label in labels))
    if pub["errors"] and max_errors:
        lines.append("")
        lines.append(f"First {min(max_errors, len(pub['errors']))} of {len(pub['errors'])} public errors:")
        for err in pub["errors"][:max_errors]:
            text = " ".join(err["text"].split())[:80]
            lines.append(f"  {err['gold']:>8} -> {err['predicted']:<18} {text}")
    cases = result["cases"]
    lines.append("")
    lines.append(
        f"Project cases ({result['cases_path']}): {cases['rows']} rows, accuracy {cases['accuracy']:.1%}"
    )
    lines.append(f"{'kind':<14} {'rows':>5} {'accuracy':>9}")
    for kind, m in cases["by_kind"].items():
        lines.append(f"{kind:<14} {m['rows']:>5} {m['accuracy']:>9.1%}")
    lines.append(f"{'domain':<10} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}")
    for d, m in cases["per_domain"].items():
        lines.append(
            f"{d:<10} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8}"
        )
    if cases["errors"] and max_errors:
        lines.append("")
        lines.append(f"Case errors ({len(cases['errors'])}):")
        for err in cases["errors"][:max_errors]:
            lines.append(f"  {err['gold']:>24} -> {err['predicted']:<24} {err['text'][:70]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agents.router.evaluate", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--split", choices=SPLITS, default="test")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument("--csv", default=str(DEFAULT_CSV), help="public sample CSV")
    parser.add_argument("--cases", default=str(DEFAULT_CASES), help="project cases JSONL")
    parser.add_argument("--errors", type=int, default=15, help="how many errors to list in the report")
    args = parser.parse_args(argv)
    result = evaluate(args.csv, args.cases, args.split)
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_report(result, max_errors=args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
