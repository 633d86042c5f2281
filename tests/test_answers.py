"""The answer after a decision says what happened, once, in plain words."""

from __future__ import annotations

from typing import Any

import pytest

from switchboard.agents.actions import outcome_sentence
from switchboard.agents.contracts import ActionOutcome, ProposedAction, SpecialistReport
from switchboard.graphs.domain import domain_result

pytestmark = pytest.mark.writes_store  # asking for a person opens a ticket: the store is re-seeded after it

REFUND = {"payment_id": "PAY-1", "order_id": "ORD-1", "amount": "149.95", "reason": "duplicate charge"}


def outcome(status: str, **kwargs: object) -> ActionOutcome:
    return ActionOutcome.model_validate(
        {"action": "issue_refund", "args": REFUND, "status": status, **kwargs}
    )


def test_a_done_action_is_said_as_a_deed_with_its_reference() -> None:
    said = outcome_sentence(outcome("done", detail="refund RF-9"))
    assert said == "I have refunded 149.95 EUR for order ORD-1 (refund RF-9)."


def test_an_edited_action_says_the_amount_it_ran_with_and_what_staff_changed() -> None:
    said = outcome_sentence(
        outcome(
            "done",
            detail="refund RF-9",
            decided_by="staff:alice",
            performed_args={**REFUND, "amount": "100.00"},
        )
    )
    assert said.startswith("I have refunded 100.00 EUR for order ORD-1 (refund RF-9).")
    assert "changed the amount from 149.95 to 100.00" in said
    assert "149.95 EUR" not in said and "edited" not in said


def test_a_rejection_says_who_and_that_nothing_changed() -> None:
    by_staff = outcome_sentence(outcome("rejected", detail="the bank reversed it", decided_by="staff:bob"))
    assert by_staff == (
        "Our staff did not approve the refund of 149.95 EUR for order ORD-1 (the bank reversed it), "
        "so nothing was changed."
    )
    declined = outcome_sentence(
        outcome("rejected", detail="the customer declined", decided_by="customer:CUST-1")
    )
    assert declined == "As you declined the refund of 149.95 EUR for order ORD-1, nothing was changed."


def test_a_cancellation_without_refunds_does_not_list_an_empty_one() -> None:
    cancel = ActionOutcome(action="cancel_order", args={"order_id": "ORD-7"}, status="done", detail="")
    assert outcome_sentence(cancel) == "I have cancelled order ORD-7."


def test_refused_and_failed_actions_say_why() -> None:
    assert outcome_sentence(outcome("refused", detail="a refund larger than the charge")) == (
        "I could not go ahead with the refund of 149.95 EUR for order ORD-1: a refund larger than the charge."
    )
    assert "could not be completed, so nothing was changed" in outcome_sentence(outcome("failed", detail="x"))


def test_the_announcement_gives_way_to_the_outcome_in_the_domains_summary() -> None:
    report = SpecialistReport(
        specialist="refunds_agent",
        summary="You were charged twice. I will refund the duplicate charge of 149.95 EUR for order ORD-1.",
        proposed_actions=[ProposedAction(action="issue_refund", args=REFUND)],
    )
    state = {
        "reports": [report.model_dump(mode="json")],
        "outcomes": [outcome("done", detail="refund RF-9").model_dump(mode="json")],
    }
    summary = domain_result("billing", state, partial=False).summary  # type: ignore[arg-type]
    assert summary == "You were charged twice. I have refunded 149.95 EUR for order ORD-1 (refund RF-9)."

    waiting = {"reports": [report.model_dump(mode="json")], "outcomes": []}
    assert "I will refund" in domain_result("billing", waiting, partial=False).summary  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "which payment methods do I have saved?",
        "Welche Zahlungsmethoden habe ich bei euch hinterlegt?",
        "Quels moyens de paiement avez-vous enregistrés ?",
        "Welke betaalmethodes heb ik opgeslagen?",
        "¿Qué métodos de pago tengo guardados?",
    ],
)
async def test_saved_payment_methods_are_listed_whatever_the_language(
    app: Any, scenarios: dict[str, dict[str, Any]], text: str
) -> None:
    customer = scenarios["duplicate_charge"]["customer_id"]
    result = await app.ask(text, customer_id=customer)
    assert result.domains == ["billing"]
    assert "ending 0826" in result.answer and "PayPal" in result.answer, result.answer


async def test_the_invoice_numbers_of_several_orders_are_all_given(
    app: Any, scenarios: dict[str, dict[str, Any]]
) -> None:
    customer = scenarios["locked_login"]["customer_id"]
    result = await app.ask("What are the invoice numbers for my two orders?", customer_id=customer)
    assert "INV-101266" in result.answer and "INV-101648" in result.answer, result.answer


async def test_a_refunds_reason_is_given_when_asked(app: Any, scenarios: dict[str, dict[str, Any]]) -> None:
    customer = scenarios["refund_pending"]["customer_id"]
    result = await app.ask("what reason is on my smartwatch refund?", customer_id=customer)
    assert "not as described" in result.answer, result.answer


@pytest.mark.parametrize(
    "text",
    [
        "I want to talk to a person about my refund",
        "Mi reembolso sigue sin llegar y quiero hablar con una persona.",
    ],
)
async def test_asking_for_a_person_does_not_pick_a_product_named_for_persons(
    app: Any, scenarios: dict[str, dict[str, Any]], text: str
) -> None:
    """'a person' is not the 'Camping Tent 2-Person' the customer once bought: the refund meant is the
    pending one."""
    customer = scenarios["refund_pending"]["customer_id"]
    result = await app.ask(text, customer_id=customer)
    assert "RF-100344" in result.answer and "Camping Tent" not in result.answer, result.answer


@pytest.mark.parametrize(
    ("scenario", "text", "said"),
    [
        ("multi_issue", "which address do you have on file for me?", "59 boulevard Voltaire"),
        ("refund_pending", "what's my work address in your system?", "Calle de Alcalá 96"),
        ("refund_pending", "when does my card expire?", "05/2031"),
        ("multi_issue", "what card is saved on my account?", "ending 1740"),
        ("injected_review", "what rating did I give the headphones?", "1/5"),
        ("injected_review", "when did my last login happen?", "2026-10-30"),
        ("injected_review", "is my email verified?", "is verified"),
        ("locked_login", "when was the invoice for the desk lamp paid?", "paid 2026-02-24"),
    ],
)
async def test_a_question_about_one_thing_on_record_is_answered_with_it(
    app: Any, scenarios: dict[str, dict[str, Any]], scenario: str, text: str, said: str
) -> None:
    """Lookups: the saved addresses, a card's expiry, a review's rating, the last login, the e-mail's
    verification and when an invoice was paid are what the question asks, so the answer says them."""
    result = await app.ask(text, customer_id=scenarios[scenario]["customer_id"])
    assert said in result.answer, result.answer


async def test_a_month_and_year_pick_that_years_order(app: Any, scenarios: dict[str, dict[str, Any]]) -> None:
    result = await app.ask(
        "what did I buy in October 2025?", customer_id=scenarios["shipped_order"]["customer_id"]
    )
    assert "ORD-100626" in result.answer and "ORD-102718" not in result.answer, result.answer


async def test_a_return_fee_question_is_answered_even_with_a_duplicate_charge_on_record(
    app: Any, scenarios: dict[str, dict[str, Any]]
) -> None:
    result = await app.ask("is there a fee for returns?", customer_id=scenarios["multi_issue"]["customer_id"])
    assert "4.95 EUR" in result.answer and "charged twice" not in result.answer, result.answer


@pytest.mark.parametrize(
    ("scenario", "said"),
    [
        ("closed_account", "Your account is closed, so it can no longer place orders"),
        ("happy_customer", "basket"),
    ],
)
async def test_placing_a_new_order_is_explained_and_refused_to_a_closed_account(
    app: Any, scenarios: dict[str, dict[str, Any]], scenario: str, said: str
) -> None:
    result = await app.ask("I'd like to place a new order", customer_id=scenarios[scenario]["customer_id"])
    assert result.domains == ["orders"] and said in result.answer, result.answer
