"""The two evaluation sets: routing requests and end-to-end conversations, read and checked.

Both are JSON lines. A line that breaks the shape is refused with its file and line number, so a
malformed set never gives a figure. A case without ``split`` gets one from its id (see
:func:`split_of`), the same rule that froze the blind sets.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from switchboard.agents.contracts import Domain
from switchboard.config.errors import InputError

SPLITS = ("dev", "test", "all")
RoutingKind = Literal["single", "multi", "out_of_scope", "greeting", "clarify"]
Split = Literal["dev", "test"]

_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIR = _ROOT / "tests" / "data" / "eval"
DEFAULT_ROUTING = DEFAULT_DIR / "routing.jsonl"
DEFAULT_E2E = DEFAULT_DIR / "e2e.jsonl"


def split_of(case_id: str) -> Split:
    """The held-out rule: ``test`` when sha1(id) is even (its last hex digit), else ``dev``."""
    return "test" if int(hashlib.sha1(case_id.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "dev"


class _Case(BaseModel):
    model_config = ConfigDict(extra="allow")  # a writer's own notes (e.g. "note") are kept, not refused

    id: str = Field(min_length=1)
    lang: str = "en"
    split: Split | None = None

    def model_post_init(self, _context: Any) -> None:
        if self.split is None:
            self.split = split_of(self.id)


def _sorted_domains(value: list[Domain]) -> list[Domain]:
    if len(set(value)) != len(value):
        raise ValueError("domains repeat")
    return sorted(value)


class RoutingCase(_Case):
    text: str = Field(min_length=1)
    domains: list[Domain]
    kind: RoutingKind

    _domains = field_validator("domains")(_sorted_domains)


class ExpectedAction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    outcome: Literal["proposed", "not_done"]


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    domains: list[Domain]
    must_mention: list[list[str]] = Field(default_factory=list, description="each group: one alternative")
    must_not_mention: list[str] = Field(default_factory=list)
    action: ExpectedAction | None = None

    _domains = field_validator("domains")(_sorted_domains)

    @field_validator("must_mention")
    @classmethod
    def _groups(cls, value: list[list[str]]) -> list[list[str]]:
        if any(not group or any(not alt.strip() for alt in group) for group in value):
            raise ValueError("every must_mention group needs at least one non-empty alternative")
        return value


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1)
    expect: Expect


class E2ECase(_Case):
    customer: str = Field(min_length=1, description="a customer id, or a planted scenario's name")
    scenario: str = ""
    kind: str = Field(min_length=1)
    turns: list[Turn] = Field(min_length=1)


def _read(path: Path, model: type[_Case], split: str) -> list[Any]:
    if split not in SPLITS:
        raise InputError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it ({exc})") from None
    cases: list[Any] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            case = model.model_validate(json.loads(line))
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: not JSON ({exc.msg})") from None
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "line"
            raise InputError(f"{path}:{number}: {where}: {first['msg']}") from None
        if case.id in seen:
            raise InputError(f"{path}:{number}: id {case.id!r} repeats")
        seen.add(case.id)
        if split == "all" or case.split == split:
            cases.append(case)
    return cases


def load_routing(path: str | Path = DEFAULT_ROUTING, split: str = "all") -> list[RoutingCase]:
    return _read(Path(path), RoutingCase, split)


def load_e2e(path: str | Path = DEFAULT_E2E, split: str = "all") -> list[E2ECase]:
    return _read(Path(path), E2ECase, split)
