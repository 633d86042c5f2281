"""Redaction: the corpus of secrets a customer may paste (must disappear) and numbers that must survive.

tests/data/redaction_corpus.jsonl: one case a line, {"format", "input", "gone": [...], "kept": [...]}.
The same corpus is run through the whole graph in test_hierarchy.py, which searches every checkpoint
table for what must be gone.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from switchboard.agents.intake import redact as intake_redact
from switchboard.agents.redaction import redact

CORPUS_PATH = Path(__file__).resolve().parent / "data" / "redaction_corpus.jsonl"
CORPUS: list[dict[str, Any]] = [json.loads(line) for line in CORPUS_PATH.read_text().splitlines() if line]


def test_corpus_covers_the_issue_formats() -> None:
    secrets = [c for c in CORPUS if c["gone"]]
    survivors = [c for c in CORPUS if not c["gone"]]
    assert len(secrets) >= 20 and len(survivors) >= 8
    formats = " ".join(c["format"] for c in CORPUS)
    for needed in (
        "dots", "slashes", "double spaces", "no-break spaces", "Amex 15", "security code", "pwd=",
        "Passwort", "multi-word", "PIN", "IBAN, no spaces", "SSN", "key", "token", "phone", "Luhn",
    ):  # fmt: skip
        assert needed in formats, needed


@pytest.mark.parametrize("case", CORPUS, ids=lambda c: c["format"])
def test_redaction_corpus(case: dict[str, Any]) -> None:
    out = redact(case["input"])
    for secret in case["gone"]:
        assert secret not in out, f"{secret!r} survived: {out!r}"
    for kept in case["kept"]:
        assert kept in out, f"{kept!r} was removed: {out!r}"
    assert redact(out) == out  # idempotent: intake redacts again what the API redacted


def test_intake_still_exports_redact() -> None:
    assert intake_redact is redact


def test_card_keeps_its_last_four_digits_only() -> None:
    assert redact("card 4111 1111 1111 1111") == "card [card ending 1111]"
    assert redact("4111-1111-1111-1112") == "4111-1111-1111-1112"  # fails Luhn: a reference, kept


def test_labels_stay_values_go() -> None:
    assert redact("my password is blue whale 9, thanks") == "my password is [redacted], thanks"
    assert redact("PIN 4831") == "PIN [redacted]"
    assert redact("pwd=abc123&next=1") == "pwd=[redacted]&next=1"


def test_text_without_secrets_is_unchanged() -> None:
    for case in CORPUS:
        if not case["gone"]:
            assert redact(case["input"]) == case["input"], case["format"]


async def test_the_model_never_sees_what_redaction_removes(app: Any, scenarios: dict[str, Any]) -> None:
    """The whole corpus as one message to a scripted route model: what it was sent holds no secret."""
    from switchboard.agents import models
    from switchboard.agents.context import Context
    from tests.fakes import ScriptedChatModel, text

    model = ScriptedChatModel(responses=[text("not a route")])  # unusable: the rules route instead
    name = f"redaction-{uuid.uuid4().hex[:8]}"
    key = models.register_model(name, model)
    try:
        await app.ask(
            "\n".join(case["input"] for case in CORPUS),
            customer_id=str(scenarios["happy_customer"]["customer_id"]),
            context=Context(route_decider=key),
        )
    finally:
        models.unregister_model(name)
    assert model.calls, "the route model was not consulted"
    seen = "\n".join(str(m.content) for call in model.calls for m in call.messages)
    leaked = [s for case in CORPUS for s in case["gone"] if len(s) >= 6 and s in seen]
    assert leaked == []
    assert "[card ending 1111]" in seen
