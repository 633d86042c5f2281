"""Billing: invoices, payments and duplicate charges, refunds and fees."""

from __future__ import annotations

import re
from typing import Any

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.router import lexicon as lx
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary, money
from switchboard.agents.specialists.common import day, not_found_sentence
from switchboard.tools.catalogue.billing import issue_refund

NAME = "billing"

_DUPLICATE = re.compile(r"\b(twice|double|duplicate|two charges|charged .* two|same (amount|charge))\b", re.I)
_REFUND_ASK = re.compile(r"\b(refund|money back|reimburs|pay (me )?back|return (my|the) money)", re.I)
_FEE = re.compile(r"\bfees?\b", re.I)


async def _order_filter(run: SpecialistRun) -> str | None:
    """The order named now, else, for a follow-up ("and the invoice for it?"), the one discussed last."""
    if run.brief.entities.order_ids:
        return run.brief.entities.order_ids[0]
    if run.brief.followup and run.brief.earlier.order_ids:
        return run.brief.earlier.order_ids[-1]
    return None


async def invoices(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    wanted = run.brief.entities.invoice_ids
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    for invoice_id in wanted:
        invoice = await run.call(toolkit.get_invoice, invoice_id=invoice_id)
        (found.append(invoice) if invoice else unknown.append(invoice_id))
    if not wanted:
        request = run.brief.request
        latest_only = re.search(r"\b(last|latest|recent|newest)\b", request, re.I) or (
            re.search(r"\b(an|the) invoice\b", request, re.I)
            and not re.search(r"\b(invoices|all)\b", request, re.I)
        )
        found = (await run.call(toolkit.list_invoices, order_id=await _order_filter(run)))[
            : 1 if latest_only else 3
        ]
    if not found:
        text = not_found_sentence(unknown, "invoice") or "There are no invoices on your account yet."
        return run.report(spec, text.strip())
    facts = [
        f"{i['id']} for {i['order_id']}: {money(i['amount'])}, {i['status']}, issued {day(i.get('issued_at'))}"
        for i in found
    ]
    lines = [
        f"Invoice {i['id']} ({money(i['amount'])}, order {i['order_id']}) is {i['status']}." for i in found
    ]
    lines.append("You can download every invoice as a PDF under Orders in your account.")
    return run.report(spec, not_found_sentence(unknown, "invoice") + " ".join(lines), facts)


async def payments(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    order_id = await _order_filter(run)
    duplicates = await run.call(toolkit.find_duplicates, order_id=order_id)
    if duplicates:
        facts = [
            f"payments {' and '.join(d['payment_ids'])} each captured {money(d['amount'])} for {d['order_id']}"
            for d in duplicates
        ]
        d = duplicates[0]
        text = (
            f"You were indeed charged twice for order {d['order_id']}: two payments of {money(d['amount'])}. "
            "The second one is a duplicate."
        )
        return run.report(spec, text, facts, handoffs=["refunds_agent"])
    paid = (await run.call(toolkit.list_payments, order_id=order_id))[:5]
    methods = await run.call(toolkit.list_payment_methods)
    facts = [
        f"{p['id']}: {money(p['amount'])} by {p['method']}, {p['status']} ({day(p.get('created_at'))})"
        for p in paid
    ]
    facts += [
        f"saved method: {m.get('kind')} {m.get('brand') or ''} {m.get('card_last4') or ''}".strip()
        for m in methods
    ]
    if _DUPLICATE.search(run.brief.request):
        text = "I checked your payments and found no duplicate charge"
        text += f" for order {order_id}." if order_id else "."
    elif paid:
        p = paid[0]
        text = f"Your latest payment was {money(p['amount'])} by {p['method']} and is {p['status']}."
    else:
        text = "I found no payments on your account."
    if methods:
        text += (
            f" You have {len(methods)} saved payment method(s); we accept cards, PayPal and bank transfer."
        )
    return run.report(spec, text, facts)


async def refunds(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    order_id = await _order_filter(run)
    request = run.brief.request
    facts: list[str] = []
    duplicates = await run.call(toolkit.find_duplicates, order_id=order_id)
    existing = await run.call(toolkit.list_refunds, order_id=order_id)
    refunded = {r["payment_id"] for r in existing if r["status"] in ("pending", "issued")}
    for d in duplicates:
        duplicate = d["duplicate_payment_ids"][0]
        if duplicate in refunded:
            facts.append(f"duplicate payment {duplicate} already has a refund")
            continue
        action = ProposedAction(
            action=issue_refund.name,
            args={
                "payment_id": duplicate,
                "order_id": d["order_id"],
                "amount": str(d["amount"]),
                "reason": "duplicate charge",
            },
            reason="a duplicate charge was found",
        )
        facts.append(f"duplicate payment {duplicate} of {money(d['amount'])} for {d['order_id']}")
        text = f"I will refund the duplicate charge of {money(d['amount'])} for order {d['order_id']}."
        return run.report(spec, text, facts, [action])
    facts += [
        f"{r['id']}: {money(r['amount'])} for {r['order_id']}, {r['status']} ({r.get('reason') or 'no reason'})"
        for r in existing
    ]
    if existing:
        r = existing[0]
        when = f" on {day(r.get('issued_at'))}" if r["status"] == "issued" else ""
        text = f"Your refund of {money(r['amount'])} for order {r['order_id']} is {r['status']}{when}."
        if r["status"] == "pending":
            text += " Pending refunds are paid out within 5 working days."
        elif r["status"] == "issued":
            text += " It can take 3-5 working days to appear on your statement."
        return run.report(spec, text, facts)
    if _FEE.search(request):
        text = (
            "Cancelling before shipment is free; after shipment you can return the order, and return "
            "shipping costs 4.95 EUR unless the item was faulty."
        )
        return run.report(spec, text, facts)
    if _REFUND_ASK.search(request):
        text = (
            "Refunds are issued for cancelled or returned orders and for duplicate charges; I found none "
            "pending on your account. Once a return arrives the refund is issued within 5 working days."
        )
        return run.report(spec, text, facts, handoffs=["payments_investigator"])
    return run.report(spec, "You have no refunds on your account.", facts)


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="invoice_clerk",
        domain=NAME,
        description="invoices and receipts: finding, explaining and sending them",
        cues=(r"\binvoice", r"\breceipt", r"\bbill\b", r"\bvat\b", r"\btax\b"),
        tools=(toolkit.list_invoices, toolkit.get_invoice),
        handle=invoices,
    ),
    SpecialistSpec(
        name="payments_investigator",
        domain=NAME,
        description="payments, charges, duplicate charges and payment methods",
        cues=(
            r"\bcharg",
            r"\bpa(y|id|yment)",
            r"\bcard\b",
            r"\bdeclined\b",
            r"\btwice\b",
            r"\bdouble\b",
            r"\bduplicate\b",
            r"\bpaypal\b",
            r"\btransfer\b",
        ),
        tools=(toolkit.find_duplicates, toolkit.list_payments, toolkit.list_payment_methods),
        handle=payments,
    ),
    SpecialistSpec(
        name="refunds_agent",
        domain=NAME,
        description="refunds (policy, status, issuing) and fees",
        cues=(r"\brefund", r"\bmoney back\b", r"\breimburs", r"\bfees?\b", r"\bcompensat"),
        tools=(toolkit.find_duplicates, toolkit.list_refunds, toolkit.list_payments),
        handle=refunds,
        actions=(issue_refund,),
    ),
)

# fmt: off
VOCABULARY = Vocabulary(
    predicates={
        "invoice": 3.0, "bill": 2.0, "billing": 2.5, "billed": 2.5, "receipt": 2.5, "payment": 2.0,
        "pay": 2.0, "paid": 2.0, "paying": 2.0, "charge": 2.0, "charged": 2.5, "overcharged": 3.0,
        "overcharge": 3.0, "chargeback": 3.0, "refund": 3.0, "reimburse": 3.0, "reimbursement": 3.0,
        "rebate": 2.5, "restitution": 2.5, "compensation": 2.0, "fee": 2.5, "penalty": 2.0, "credit": 1.0,
        "debit": 1.5, "debited": 2.5, "paypal": 3.0, "klarna": 3.0, "bank": 1.5, "transaction": 2.0,
        "installment": 2.5, "instalment": 2.5, "price": 1.0, "pricing": 1.0, "cost": 0.5, "discount": 1.5,
        "coupon": 2.0, "voucher": 2.0, "promo": 0.5, "vat": 2.0, "tax": 1.5, "currency": 1.0, "money": 1.0,
        "dollar": 0.5, "euro": 0.5, "balance": 1.5, "statement": 1.0, "declined": 1.5, "wallet": 1.0,
        "mastercard": 3.0, "visa": 2.0, "amex": 3.0, "iban": 3.0, "cash": 1.0, "expensive": 0.5,
        "overpaid": 3.0, "underpaid": 2.0, "unpaid": 2.5, "cheque": 2.0,
    },
    objects={
        "card": 1.5, "method": 0.3, "methods": 0.3, lx.T_INVOICE_ID: 2.0, lx.T_AMOUNT: 0.8,
    },
    phrases=(
        (("cancel terminate termination early withdrawal exit", "fee penalty charge cost"), 3, 2.0),
        (("charge charged bill billed debit debited pay paid", "twice double two 2x again multiple"), 3, 3.0),
        (("twice double two 2x", "charge charged bill billed debit debited"), 2, 3.0),
        (("card payment", "declined rejected failed fail decline work"), 3, 2.0),
        (("money", "back"), 0, 3.0),
        (("money cash funds xamountx", "still not isnt hasnt havent never yet", "back"), 3, 3.0),
        (("took take taken taking", "money cash"), 2, 3.0),
        (("money cash payment xamountx", "taken"), 6, 3.0),
        (("in", "charge"), 0, -3.0),
        (("price prices total", "different wrong changed higher more"), 2, 2.0),  # "someone in charge" is a person, not a charge
        (("money xamountx payment", "out", "of from", "account card bank"), 3, 3.0),
        (("back", "to on onto", "my the", "card account"), 1, 2.0),
        (("where when", "refund money reimbursement"), 3, 1.0),
        (("get receive see", "my the", "money"), 1, 2.0),
        (("payment", "method option modalities"), 2, 1.0),
        (("gift", "card"), 0, 1.0),
        (("card", "game games trick tricks"), 0, -1.5),
        (("charging", "cable cord lead port pad station"), 0, -2.5),  # a charging cable is a part
        (("delivery shipping postage", "charge charges fee fees cost costs"), 0, -1.0),  # what delivery costs
        (("charge charges fee fees postage cost", "back refunded"), 1, 3.0),  # "I want the delivery fee back"
        (("discount promo coupon voucher gift", "code codes"), 1, 1.5),
    ),
    foreign={
        "de": {
            "rechnung": 3.0, "zahlung": 2.5, "bezahlen": 2.5, "bezahlt": 2.5, "erstattung": 3.0,
            "rückerstattung": 3.0, "erstatten": 3.0, "geld": 2.0, "abgebucht": 3.0, "abbuchung": 3.0,
            "abbuchen": 3.0, "belastet": 3.0, "belastung": 3.0, "gebühr": 2.5, "kreditkarte": 2.5,
            "zahlungsmethode": 3.0, "quittung": 3.0, "mehrwertsteuer": 2.5, "doppelt": 1.0, "zweimal": 1.0,
        },
        "es": {
            "factura": 3.0, "pago": 2.5, "pagar": 2.5, "pagado": 2.5, "reembolso": 3.0, "reembolsar": 3.0,
            "dinero": 2.0, "cobrar": 3.0, "cobro": 3.0, "cobraron": 3.0, "cargo": 2.5, "tarjeta": 2.0,
            "recibo": 1.5, "comisión": 2.0, "iva": 2.5,  # "recibo": "recibido" (received) shares its stem
        },
        "fr": {
            "facture": 3.0, "paiement": 2.5, "payer": 2.5, "payé": 2.5, "remboursement": 3.0,
            "rembourser": 3.0, "remboursé": 3.0, "argent": 2.0, "débiter": 3.0, "débité": 3.0, "prélevé": 3.0,
            "prélèvement": 3.0, "carte": 1.5, "frais": 2.5, "tva": 2.5,
        },
        "nl": {
            "factuur": 3.0, "betaling": 2.5, "betalen": 2.5, "betaald": 2.5, "terugbetaling": 3.0,
            "terugbetalen": 3.0, "geld": 2.0, "afgeschreven": 3.0, "afschrijving": 3.0, "kosten": 1.5,
            "creditcard": 2.5, "btw": 2.5, "dubbel": 1.0, "rekening": 2.0,
        },
    },
    foreign_phrases={
        "de": ((("geld", "zurück"), 1, 2.0), (("zweimal doppelt", "belastet abgebucht bezahlt berechnet"), 1, 1.0)),
        "es": ((("devolver devuelvan devuelve", "dinero"), 2, 3.0), (("dos", "veces"), 0, 1.0)),
        "fr": ((("deux", "fois"), 0, 1.0),),
        "nl": ((("geld", "terug"), 1, 2.0), (("twee", "keer"), 0, 1.0)),
    },
)
# fmt: on

DOMAIN = DomainSpec(
    name=NAME,
    title="Billing",
    description="invoices, payments and payment methods, charges, refunds and fees",
    offer="billing and refunds",
    example="a payment or refund",
    vocabulary=VOCABULARY,
    specialists=SPECIALISTS,
    tools=tuple(dict.fromkeys(t for s in SPECIALISTS for t in s.tools)),
    examples=("can I get a copy of my invoice?", "which payment methods do I have saved?"),
    dataset_labels=("INVOICE", "PAYMENT", "REFUND", "CANCEL"),
)
