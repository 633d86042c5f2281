"""Billing: invoices, payments and duplicate charges, refunds and fees."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.router import lexicon as lx
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary, money
from switchboard.agents.specialists.common import (
    asks_for_the_one_before,
    day,
    days_late,
    described_orders,
    each_described,
    hypothetical,
    items_of,
    not_found_sentence,
    nth_of_listed,
    offered,
    open_claims,
    order_before_last,
    the_other_one,
)
from switchboard.tools.catalogue.billing import issue_refund
from switchboard.tools.catalogue.shipping import LOST_AFTER_DAYS_LATE

NAME = "billing"

_DUPLICATE = re.compile(
    r"\b(twice|double|duplicate|two (charges|payments)|charged .* two|same (amount|charge)|zweimal|doppelt"
    r"|two (identical|same) (lines|charges|payments|entries|debits|transactions)|two (lines|entries|debits) of"
    r"|dos veces|duplicad\w*|deux fois|en double|twee keer|dubbel"
    r"|(?:zwei|dos|deux|twee)\s+(?:\w+\s+)?(?:abbuchungen|belastungen|zahlungen|cargos|cobros|pagos|prélèvements"
    r"|prelevements|débits|paiements|afschrijvingen|betalingen|boekingen))\b",
    re.I,
)
# Asking for a refund (not asking about one: "where is my refund?" is a question), in the languages the
# router reads. Only an ask proposes a refund; a duplicate charge merely reported is explained and offered.
_REFUND_ASK = re.compile(
    r"\b(please|pls|can you|could you|would you|want|wanna|like|need|demand|expect|give|issue|request"
    r"|approv\w*|authori[sz]\w*|agreed|promised|process"
    r"|i'd)\b[^.?!]{0,40}\b(refund|money back|reimburs\w*|reverse|pay (me )?back)"
    r"|\b(can|could|may) i (get|have)\b[^.?!]{0,30}\b(refund|money back|reimburs\w*)"
    r"|\brefund (it|me|them|this|that|the|my|both|one|everything|\d)"
    r"|\b(payment|charge|amount|money|cash|euros?|dollars?)\s+back\b"
    r"|\b(want|need|like|expect)\b[^.?!]{0,20}\b(extra|second|duplicate|double|other) (one|payment|charge) back\b"
    r"|^\W*refund\b"
    r"|\brefund\b[^?!]{0,80}\b(process|do|push|put) (it|this|that)( through)?\b"  # "the refund of X... just process it"
    # a double charge the customer asks to have put right ("charged twice ..., can you sort it?")
    r"|\b(twice|double|duplicate)\b[^?!]{0,60}\b(sort|fix|correct|put right|sort out|deal with|undo)\b"
    r"|\b(sort|fix|correct|undo)\b[^.?!]{0,15}\b(double|duplicate|second|extra) (charge|payment)"
    r"|\b(erstatten|zur[üu]ckerstatten|zur[üu]ckzahlen|zur[üu]ckbuchen|geld zur[üu]ck|reembols(a|e|en|ar|arme|adme|ad)"
    r"|devu[ée]lva\w*|devolver (el|mi) dinero|rembourse[rz]|remboursez|terugbetalen|terugstorten|geld terug"
    r"|devolv\w* o (meu )?dinheiro|reembols(ar|em|ado|em-me)|rimbors\w*|restitu\w* i (miei )?soldi)\b"
    # a wish and a refund word in the other languages ("quiero un reembolso", "ich hätte gerne eine
    # Erstattung", "je voudrais un remboursement"), not a wish to know about one ("möchte wissen, wann")
    r"|\b(m[öo]chte|moechte|h[äa]tte gerne?|will|brauche|verlange|quiero|quisiera|necesito|exijo|veux|voudrais"
    r"|souhaite|aimerais|exige|wil|wilde|zou graag|eis)\b"
    r"(?:(?!wissen|fragen|saber|preguntar|savoir|demander|weten|vragen|know)[^.?!]){0,40}"
    r"\b(erstattung|r[üu]ckerstattung|reembolso|remboursement|rembours[ée]e?|terugbetaling|terugstorting)\b",
    re.I,
)
# A question about what happened ("did you refund me?", "has the refund gone through?") is not an ask,
# unless it also asks outright ("... please refund it").
_QUESTION = re.compile(
    r"^\W*(did|has|have|was|were|when|where|is|are|why|what|which|how|wann|wo|warum|wieso|ist|hat|habt|haben"
    r"|wurde|cu[aá]ndo|d[oó]nde|por qu[eé]|qu[eé]|quand|o[uù]|pourquoi|est-ce|wanneer|waar|waarom|heeft|hebben|wat)\b",
    re.I,
)
_OUTRIGHT = re.compile(
    r"\b(please|pls|can you|could you|would you|want|wanna|i'd like|would like|need|demand|bitte|por favor"
    r"|can i (get|have)|could i (get|have)|may i have"
    r"|s'il vous pla[iî]t|svp|graag|alstublieft)\b",
    re.I,
)
_REFUND_TOPIC = re.compile(
    r"\b(refund\w*|money|reimburs\w*|erstatt\w*|r[üu]ckerstatt\w*|geld|reembols\w*|dinero|rembours\w*|argent"
    r"|terugbetal\w*|terugstort\w*)\b",
    re.I,
)
_METHODS = re.compile(
    r"\b(method|methods|saved|cards|wallet|paypal|which card|what card|on file|expire|expires|expiry|expiration|default"
    r"|valid until|g[üu]ltig\w*|abl[äa]uf\w*|caduc\w*|vencimiento|vence|validit[ée]|expir\w*|vervaldatum|geldig\w*"
    r"|zahlungs(?:methode|art|mittel)\w*|hinterlegt\w*|karten"
    r"|moyens? de paiement|m[ée]thodes? de paiement|cartes? (?:enregistr|sauvegard)\w*"
    r"|betaal(?:methode|wijze|middel)\w*|kaarten|opgeslagen"
    r"|m[ée]todos? de pago|formas? de pago|tarjetas|guardad[ao]s?"
    r"|qu[ée] tarjeta|cu[aá]l tarjeta|welche[rn]? karte|quelle carte|welke (?:kaart|creditcard))\b",
    re.I,
)
_REASON = re.compile(
    r"\b(reason|why|what for|grund|warum|raison|pourquoi|motivo|por qu[eé]|reden|waarom)\b", re.I
)
_FEE = re.compile(r"\bfees?\b", re.I)
_STATUS_WORDS = {
    "authorised": "authorised: the amount is reserved on your card but not yet charged",
    "captured": "charged",
    "voided": "voided: you were not charged",
    "refunded": "refunded",
    "failed": "failed: you were not charged",
    "pending": "pending",
}


def _state(payment: dict[str, Any]) -> str:
    """A payment's state in words; a payment taken says when ("did you receive my transfer in July?")."""
    if payment["status"] == "captured" and payment.get("created_at"):
        return f"paid (received on {day(payment['created_at'])})"
    return _STATUS_WORDS.get(payment["status"], payment["status"])


_CLAUSE = re.compile(r"[.?!;,]+|\s(?:and|but|also|und|aber|y|pero|et|mais|en|maar)\s", re.I)


# Asking to have a wrong charge put right ("please sort that out", "fix it", "regeln Sie das"): for a
# duplicate charge that is asking for the duplicate back (never for a charge that is not wrong).
_PUT_RIGHT = re.compile(
    r"\b(sort (it|that|this|them) out|sort out|fix (it|that|this|them)|make (it|that|this) right|put (it|that|this) right"
    r"|correct (it|that|this)|take care of (it|that|this)|deal with (it|that|this)|resolve (it|that|this)"
    r"|regeln sie das|regelt das|k[üu]mmern sie sich|korrigier\w*|beheben"
    r"|r[ée]glez|corrigez|arrangez|r[ée]gler [çc]a|corriger [çc]a"
    r"|los (het|dit|dat) op|regel (het|dit|dat)|herstel\w*|corrigeer\w*"
    r"|arr[ée]gl\w*|soluci[oó]n\w*|corrij\w*|corrige\w*)\b",
    re.I,
)


def asks_to_put_right(text: str) -> bool:
    """Does the text ask to have something put right ("please sort that out")? Not a question about it."""
    return any(_PUT_RIGHT.search(c) and not _QUESTION.search(c) for c in _CLAUSE.split(text))


def asks_refund(text: str) -> bool:
    """Does any clause of the text ask for a refund (not merely ask about one, or whether one could be had
    "if I wanted")?"""
    if hypothetical(text):
        return False
    for clause in _CLAUSE.split(text):
        if not _REFUND_ASK.search(clause):
            continue
        if _QUESTION.search(clause) and not _OUTRIGHT.search(clause):
            continue
        return True
    return False


async def _orders_meant(run: SpecialistRun) -> tuple[list[dict[str, Any]], list[str]]:
    """The orders a billing request is about: named now; described by product or month ("the mouse
    order", "the candle I bought in February"); "my new/last order"; else, for a follow-up ("and the
    invoice for it?"), the one discussed last. [] when the request points at none."""
    if run.brief.entities.order_ids:
        found, unknown = [], []
        for order_id in run.brief.entities.order_ids:
            order = await run.call(toolkit.get_order, order_id=order_id)
            (found.append(order) if order else unknown.append(order_id))
        return found, unknown
    recent = await run.call(toolkit.list_orders, limit=10)
    nth = nth_of_listed(run, recent)
    if nth is not None:  # "the invoice for the first one?" after a list of orders
        return [nth], []
    if asks_for_the_one_before(run):  # "and the one before?" after the invoice of the last order
        before = await order_before_last(run, recent)
        return ([before] if before else []), []
    other = the_other_one(run, recent)
    if other is not None:  # "and the other order?" after the payment of one
        return [other], []
    described = described_orders(run, recent)
    if described:
        return described[:3], []
    if recent and re.search(
        r"\b(new|newest|last|latest|recent|current)\s+(order|purchase)\b", run.brief.request, re.I
    ):
        return recent[:1], []
    if run.brief.followup and run.brief.earlier.order_ids:
        if re.search(
            r"\b(other|another|previous|older|earlier) (one|order|purchase)\b", run.brief.request, re.I
        ):
            others = [o for o in recent if o["id"] not in run.brief.earlier.order_ids]
            return others[:1], []
        last = run.brief.earlier.order_ids[-1]
        return [o for o in recent if o["id"] == last][:1], []
    return [], []


async def _order_filter(run: SpecialistRun) -> str | None:
    orders, unknown = await _orders_meant(run)
    if orders:
        return str(orders[0]["id"])
    return unknown[0] if unknown else None


def _method_words(m: dict[str, Any]) -> str:
    if m.get("kind") == "card":
        brand = (m.get("brand") or "card").title()
        return f"{brand} card ending {m.get('card_last4')}" + (
            f" (expires {m['exp_month']:02d}/{m['exp_year']})"
            if isinstance(m.get("exp_month"), int) and m.get("exp_year")
            else ""
        )
    if m.get("kind") == "paypal":
        return f"PayPal ({m.get('paypal_email')})" if m.get("paypal_email") else "PayPal"
    return str(m.get("kind") or "payment method").replace("_", " ")


def _paid_with(p: dict[str, Any]) -> str:
    if p.get("method") == "card" and p.get("card_last4"):
        return f"card ending {p['card_last4']}"
    return str(p.get("method") or "").replace("_", " ")


# "is there anything left to pay on my orders?", "do I owe you anything?": what is still open
_OUTSTANDING = (
    r"\b(?:left|still|anything|something) (?:to pay|owing|due|outstanding)\b|\boutstanding\b|\bunpaid\b"
    r"|\bdo i (?:still )?owe\b|\b(?:open|remaining) balance\b|\bnoch (?:offen|zu zahlen)\b"
    r"|\bpendiente de pago\b|\bpor pagar\b|\breste à payer\b|\bnog (?:te betalen|open)\b"
)


async def _outstanding(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    every = await run.call(toolkit.list_invoices, order_id=None)
    open_ = [i for i in every if i["status"] not in ("paid", "void", "refunded")]
    facts = [f"{i['id']} for {i['order_id']}: {money(i['amount'])}, {i['status']}" for i in every]
    if not every:
        return run.report(spec, "There are no invoices on your account, so nothing is left to pay.", facts)
    if not open_:
        return run.report(
            spec, f"Nothing is left to pay: all {len(every)} of your invoices are paid (or void).", facts
        )
    owed = "; ".join(
        f"invoice {i['id']} ({money(i['amount'])}, order {i['order_id']}) is {i['status']}" for i in open_
    )
    return run.report(spec, f"Still open: {owed}. Everything else is paid.", facts)


async def invoices(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    if not run.brief.entities.invoice_ids and re.search(_OUTSTANDING, run.brief.request, re.I):
        return await _outstanding(spec, run)
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
            # "the invoice numbers for my two orders": several are asked for
            and not re.search(r"\b(invoices|all|numbers|orders|both|two|three|each|every)\b", request, re.I)
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
        f"Invoice {i['id']} ({money(i['amount'])}, order {i['order_id']}) is {i['status']}"
        + (f" (paid {day(i['paid_at'])})." if i.get("paid_at") and i["status"] == "paid" else ".")
        for i in found
    ]
    lines.append("You can download every invoice as a PDF under Orders in your account.")
    return run.report(spec, not_found_sentence(unknown, "invoice") + " ".join(lines), facts)


_HOW_PAID = re.compile(
    r"\bhow (?:did|do) i pay\b|\bhow i paid\b|\bwhat did i pay (?:it )?with\b|\bpaid (?:it )?with what\b"
    # "which card did I pay with?", "what card was charged?", "welche Karte wurde belastet?"
    r"|\b(?:which|what) (?:card|account|method)\b[^?]{0,25}\b(?:pay|paid|used|charged|debited|taken)"
    r"|\bwelche karte\b[^?]{0,25}\b(?:bezahlt|belastet|benutzt)|\bqu[eé] tarjeta\b[^?]{0,25}\b(?:pagu|us[eé]|cobr)"
    r"|\bquelle carte\b[^?]{0,25}\b(?:pay|utilis|débit|debit)|\bwelke kaart\b[^?]{0,25}\b(?:betaald|gebruikt|afgeschreven)"
    r"|\bwie habe ich\b[^?]{0,30}\bbezahlt|\bc[oó]mo (?:lo )?pagu[ée]|\bcomment (?:j'ai|ai-je) pay[ée]|\bhoe heb ik\b[^?]{0,30}\bbetaald",
    re.IGNORECASE,
)


async def payments(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    request = run.brief.request
    orders, unknown = await _orders_meant(run)
    order_id = str(orders[0]["id"]) if orders else (unknown[0] if unknown else None)
    duplicates = await run.call(toolkit.find_duplicates, order_id=order_id)
    methods = await run.call(toolkit.list_payment_methods)
    method_text = (
        "Your saved payment methods: " + "; ".join(_method_words(m) for m in methods) + "."
        if methods
        else "You have no saved payment methods."
    )
    facts = [f"saved method: {_method_words(m)}" for m in methods]
    if duplicates:
        facts += [
            f"payments {' and '.join(d['payment_ids'])} each captured {money(d['amount'])} for {d['order_id']}"
            for d in duplicates
        ]
        text = _duplicate_sentence(duplicates[0])
        if _HOW_PAID.search(request):  # "and the headphones order, how did I pay that one?"
            paid_by = {_paid_with(p) for p in await run.call(toolkit.list_payments, order_id=order_id)}
            if paid_by:
                text += f" It was paid by {' and '.join(sorted(paid_by))}."
        wanted = asks_refund(request) or asks_to_put_right(request) or run.brief.affirmed
        if str(duplicates[0]["duplicate_payment_ids"][0]) in _refunds_waiting(run):
            # asked for before and waiting: said so, not offered again
            text += " " + _waiting_sentence(duplicates[0])
            wanted = False
        elif not wanted:
            text += " " + offered(run, _OFFER.strip(), "refunded the duplicate payment")
        if _METHODS.search(request):
            text += " " + method_text
        return run.report(spec, text, facts, handoffs=["refunds_agent"] if wanted else [])
    several = each_described(request, orders) if len(orders) > 1 else []
    if several and not _DUPLICATE.search(request):  # "the lamp by transfer? and the May order, card?"
        sentences = []
        for order in several:
            for p in (await run.call(toolkit.list_payments, order_id=str(order["id"])))[:3]:
                facts.append(f"{p['id']}: {money(p['amount'])} by {p['method']}, {p['status']}")
                what = f" ({items_of(order)})" if items_of(order) else ""
                sentences.append(
                    f"Payment {p['id']} of {money(p['amount'])} for order {p['order_id']}{what} by "
                    f"{_paid_with(p)} is {_state(p)}."
                )
        if sentences:
            return run.report(spec, (not_found_sentence(unknown) + " ".join(sentences)).strip(), facts)
    paid = (await run.call(toolkit.list_payments, order_id=order_id))[:5]
    facts += [
        f"{p['id']}: {money(p['amount'])} by {p['method']}, {p['status']} ({day(p.get('created_at'))})"
        for p in paid
    ]
    text = not_found_sentence(unknown)
    if _DUPLICATE.search(request):
        text += "I checked your payments and found no duplicate charge"
        text += f" for order {order_id}." if order_id else "."
    elif order_id and paid:
        what = f" ({items_of(orders[0])})" if orders and items_of(orders[0]) else ""
        text += " ".join(
            f"Payment {p['id']} of {money(p['amount'])} for order {p['order_id']}{what} by {_paid_with(p)} is "
            f"{_state(p)}."
            for p in paid
        )
    elif _METHODS.search(request) and methods and not (paid and _HOW_PAID.search(request)):
        return run.report(spec, method_text, facts)  # "which cards do you have on file?"
    elif paid:
        p = paid[0]
        text += (
            f"Your latest payment, {p['id']}, was {money(p['amount'])} for order {p['order_id']} by {_paid_with(p)} "
            f"and is {_state(p)}."
        )
    else:
        text += "I found no payments" + (f" for order {order_id}." if order_id else " on your account.")
    if _METHODS.search(request):
        text += " " + method_text
    return run.report(spec, text.strip(), facts)


def _duplicate_sentence(d: dict[str, Any]) -> str:
    """The same words from the payments and the refunds agent, so a domain's answer says them once."""
    return (
        f"You were indeed charged twice for order {d['order_id']}: payments {' and '.join(d['payment_ids'])} "
        f"of {money(d['amount'])} each{_taken_when(d)}. The second one is a duplicate."
    )


def _taken_when(d: dict[str, Any]) -> str:
    """ ", taken on 2026-10-24 at 11:00 and 11:02" (UTC): when the charges were made, "" when unknown."""
    try:
        first, last = (
            v if isinstance(v, datetime) else datetime.fromisoformat(str(v))
            for v in (d["first_at"], d["last_at"])
        )
    except (KeyError, TypeError, ValueError):
        return ""
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    if first.date() == last.date():
        return f", taken on {first:%Y-%m-%d} at {first:%H:%M} and {last:%H:%M} (UTC)"
    return f", taken on {first:%Y-%m-%d %H:%M} and {last:%Y-%m-%d %H:%M} (UTC)"


_OFFER = " I can refund the duplicate payment if you ask me to."


async def _parcel_not_come(
    run: SpecialistRun, orders: list[dict[str, Any]]
) -> tuple[str, list[ProposedAction]]:
    """For a refund asked of a shipped order whose parcel is lost or late (the ones meant, else the recent
    ones): how its money comes back, through a lost-parcel claim; with the claim open, the refund itself
    (the policy's basis). ("", []) when there is no such parcel."""
    shipped = [
        o for o in (orders or await run.call(toolkit.list_orders, limit=5)) if o["status"] == "shipped"
    ]
    if not shipped:
        return "", []
    today = date.fromisoformat((await run.call(toolkit.today))["today"])
    claims = await open_claims(run)
    for order in shipped[:3]:
        for s in await run.call(toolkit.get_shipments, order_id=order["id"]):
            late = days_late(s, today)
            where = f"The parcel of order {order['id']} ({s['tracking_number']}, {s['carrier']})"
            if order["id"] in claims:
                paid = [
                    p
                    for p in await run.call(toolkit.list_payments, order_id=order["id"])
                    if p["status"] == "captured"
                ]
                if paid:
                    claim = claims[order["id"]]["id"]
                    action = ProposedAction(
                        action=issue_refund.name,
                        args={
                            "payment_id": paid[0]["id"],
                            "order_id": order["id"],
                            "amount": str(paid[0]["amount"]),
                            "reason": f"lost parcel, claim {claim}",
                        },
                        reason="the customer asked for the money of a parcel with an open lost-parcel claim",
                    )
                    text = (
                        f"{where} has lost-parcel claim {claim} open, so I will refund its payment "
                        f"{paid[0]['id']} of {money(paid[0]['amount'])}."
                    )
                    return text, [action]
            if s["status"] == "lost" or late >= LOST_AFTER_DAYS_LATE:
                gone = "was reported lost" if s["status"] == "lost" else f"is {late} days overdue"
                return (
                    f"{where} {gone}: a lost-parcel claim refunds its {money(order['total'])} in full (or "
                    "replaces it). Ask me to open a lost-parcel claim and I will.",
                    [],
                )
            if late:
                return (
                    f"{where} is {late} day(s) late. It cannot be refunded while it is on its way: if it is still "
                    f"missing {LOST_AFTER_DAYS_LATE} days after the promised date ({day(s['promised_by'])}), a "
                    "lost-parcel claim refunds it in full or replaces it; once it arrives you can also return it.",
                    [],
                )
    return "", []


async def _never_charged(run: SpecialistRun, orders: list[dict[str, Any]]) -> str:
    """For cancelled orders (the ones meant, else the recent ones): their payments were voided, so there
    was never anything to refund. "" when there is no such order."""
    cancelled = [
        o for o in (orders or await run.call(toolkit.list_orders, limit=10)) if o["status"] == "cancelled"
    ]
    sentences = []
    for order in cancelled[:3]:
        paid = await run.call(toolkit.list_payments, order_id=order["id"])
        if paid and all(p["status"] in ("voided", "failed") for p in paid):
            amount = money(paid[0]["amount"])
            sentences.append(
                f"Order {order['id']} ({amount}) was cancelled before its payment was taken: the payment was "
                "voided, so you were not charged and there is nothing to refund."
            )
    return " ".join(sentences)


# "can you speed it up?", "hurry it along", "geht das schneller?": a pending refund asked to be faster
_HURRY = re.compile(
    r"\bspeed(?:ed)? (?:it|this|that|things|the refund)? ?up\b|\bspeed up\b|\bhurry\b|\bexpedit|\bfaster\b|\bquicker\b"
    r"|\bsooner\b|\bschneller\b|\bbeschleunig|\bm[aá]s r[aá]pido\b|\bacelerar|\bplus vite\b|\bacc[ée]l[ée]r"
    r"|\bsneller\b|\bversnel",
    re.IGNORECASE,
)


def _refund_sentence(r: dict[str, Any], paid_with: str, what: str, asked: bool = False) -> str:
    """A refund's state in words; `asked`: the customer asks for this refund, so it is said that it
    already exists (and nothing more is refunded)."""
    about = f"for order {r['order_id']}" + (f" ({what})" if what else "")
    to = f" to your {paid_with}" if paid_with else ""
    already = "already " if asked else ""
    under_way = "already under way: it is " if asked else ""
    if r["status"] == "issued":
        return (
            f"Refund {r['id']} of {money(r['amount'])} {about} was {already}issued on {day(r.get('issued_at'))}{to}; "
            "it can take 3-5 working days to appear on your statement."
        )
    if r["status"] == "pending":
        return (
            f"Refund {r['id']} of {money(r['amount'])} {about} is {under_way}pending (not yet paid out; requested "
            f"{day(r.get('created_at'))}): pending refunds are paid out within 5 working days{to}."
        )
    return f"Refund {r['id']} of {money(r['amount'])} {about} was {r['status']}."


def _close(named: Decimal, amount: Any) -> bool:
    """An amount as a customer remembers it: "the 150 euros" for 149.95 is that payment."""
    value = Decimal(str(amount))
    return abs(named - value) <= max(Decimal("1.00"), value * Decimal("0.02"))


async def _amounts_not_paid(run: SpecialistRun, duplicates: list[dict[str, Any]]) -> list[Decimal]:
    """Amounts the request names that are no payment of the customer's (nor a duplicate's amount)."""
    named = [Decimal(a) for a in run.brief.entities.amounts]
    if not named:
        return []
    paid = [d["amount"] for d in duplicates] + [
        p["amount"] for p in await run.call(toolkit.list_payments, order_id=None)
    ]
    return [n for n in named if not any(_close(n, a) for a in paid)]


def _refunds_waiting(run: SpecialistRun) -> set[str]:
    """The payments whose refund this thread asked for in an earlier turn, still waiting for staff."""
    return {str(a.args.get("payment_id")) for a in run.brief.waiting if a.action == issue_refund.name}


def _waiting_sentence(d: dict[str, Any]) -> str:
    return (
        f"Its refund of {money(d['amount'])} is already requested and waiting for a member of staff to approve"
        " it; you will be told when they have decided."
    )


async def refunds(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    request = run.brief.request
    orders, unknown = await _orders_meant(run)
    order_ids = [str(o["id"]) for o in orders]
    facts: list[str] = []
    asked = asks_refund(request) or run.brief.affirmed
    duplicates = [
        d
        for d in await run.call(toolkit.find_duplicates, order_id=None)
        if not order_ids or d["order_id"] in order_ids
    ]
    existing = await run.call(toolkit.list_refunds, order_id=None)
    refunded = {r["payment_id"] for r in existing if r["status"] in ("pending", "issued")}
    waiting = _refunds_waiting(run)
    offer = ""  # a duplicate charge explained and offered (the payments agent says the same words)
    put_right = asks_to_put_right(request)  # "please sort that out": the duplicate back
    for d in duplicates:
        duplicate = d["duplicate_payment_ids"][0]
        if duplicate in refunded:
            facts.append(f"duplicate payment {duplicate} already has a refund")
            continue
        if duplicate in waiting:  # asked for before: it waits for its decision, it is not asked again
            facts.append(f"duplicate payment {duplicate}: its refund waits for staff")
            offer = offer or _duplicate_sentence(d) + " " + _waiting_sentence(d)
            continue
        facts.append(f"duplicate payment {duplicate} of {money(d['amount'])} for {d['order_id']}")
        if not (asked or put_right):  # reported or asked about: explained and offered
            offer = offer or _duplicate_sentence(d) + " " + offered(
                run, _OFFER.strip(), "refunded the duplicate payment"
            )
            continue
        if unmatched := await _amounts_not_paid(run, duplicates):
            # "refund 500 EUR to my card": no payment of that amount, so nothing is proposed, and the
            # duplicate's amount is not put in its place without the customer saying so
            named = " or ".join(money(a) for a in unmatched)
            text = (
                f"I found no payment of {named} on your account, so I cannot refund that amount. "
                + _duplicate_sentence(d)
                + _OFFER
            )
            return run.report(spec, not_found_sentence(unknown) + text, facts)
        action = ProposedAction(
            action=issue_refund.name,
            args={
                "payment_id": duplicate,
                "order_id": d["order_id"],
                "amount": str(d["amount"]),
                "reason": "duplicate charge",
            },
            reason="the customer asked for the duplicate charge back",
        )
        text = f"I will refund the duplicate charge of {money(d['amount'])} for order {d['order_id']}."
        return run.report(spec, text, facts, [action])
    mine = [r for r in existing if not order_ids or r["order_id"] in order_ids]
    if not mine and run.brief.followup and not run.brief.entities.order_ids:
        # "and the money?" after an answer about several orders: the refund of any of them, not "none"
        # for the one named last
        mine = [r for r in existing if r["order_id"] in run.brief.earlier.order_ids]
    facts += [
        f"{r['id']}: {money(r['amount'])} for {r['order_id']}, {r['status']} ({r.get('reason') or 'no reason'})"
        for r in existing
    ]
    if mine:
        payments_by_id = {p["id"]: p for p in await run.call(toolkit.list_payments, order_id=None)}
        items = {str(o["id"]): items_of(o) for o in await run.call(toolkit.list_orders, limit=20)}
        text = " ".join(
            _refund_sentence(
                r, _paid_with(payments_by_id.get(r["payment_id"], {})), items.get(r["order_id"], ""), asked
            )
            for r in mine
        )
        if _REASON.search(request):  # "what reason is on it?"
            text += " " + " ".join(
                f"The reason on {r['id']}: {r['reason']}." for r in mine if r.get("reason")
            )
        if _HURRY.search(request) and any(r["status"] == "pending" for r in mine):
            text += (
                " I cannot speed up a pending refund: it is paid out within those 5"
                " working days. If it has not reached you by then, tell me and I will hand it to a person."
            )
        return run.report(spec, f"{offer} {text}".strip(), facts)
    if _FEE.search(request) and not orders:
        text = (
            "Cancelling before shipment is free; after shipment you can return the order, and return "
            "shipping costs 4.95 EUR unless the item was faulty."
        )
        return run.report(spec, text, facts)
    if offer:  # nothing else to say about refunds: the duplicate and its offer are the answer
        none = (
            "You have no refunds on your account yet. " if re.search(r"\brefunds?\b", request, re.I) else ""
        )
        return run.report(spec, not_found_sentence(unknown) + none + offer, facts)
    rule = (
        "refunds are issued for cancelled or returned orders and for duplicate charges; once a return "
        "arrives the refund is issued within 5 working days."
    )
    voided = await _never_charged(run, orders)
    if voided:  # asked or not: a payment never taken leaves nothing to refund
        return run.report(spec, not_found_sentence(unknown) + voided, facts)
    if asked:
        missing, claimed = await _parcel_not_come(run, orders)
        if missing:
            return run.report(spec, not_found_sentence(unknown) + missing, facts, claimed)
    if orders:
        o = orders[0]
        what = f" ({items_of(o)})" if items_of(o) else ""
        text = f"There has been no refund for order {o['id']}{what}, {money(o['total'])}, which is {o['status']}."
        if asked:
            text += " I cannot refund it as it is: " + rule
            if o["status"] == "delivered":
                text += " A delivered order is refunded through a return, within the 30-day return window."
        return run.report(spec, not_found_sentence(unknown) + text, facts)
    if asked or _REFUND_TOPIC.search(request):
        text = (
            "You have no refunds on your account. "
            + rule[0].upper()
            + rule[1:]
            + (f" {voided}" if voided else "")
        )
        return run.report(
            spec,
            not_found_sentence(unknown) + text,
            facts,
            handoffs=["payments_investigator"],
        )
    return run.report(spec, "You have no refunds on your account.", facts)


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="invoice_clerk",
        domain=NAME,
        description="invoices and receipts: finding, explaining and sending them",
        cues=(
            r"\binvoice",
            r"\breceipt",
            r"\bbill\b",
            r"\bvat\b",
            r"\btax\b",
            r"\brechnung",
            r"\bquittung",
            r"\bfactur",
            r"\bfactuur",
            r"\brecibo",
            _OUTSTANDING,
        ),
        tools=(toolkit.list_invoices, toolkit.get_invoice, toolkit.list_orders, toolkit.get_order),
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
            r"\btwo (?:identical|same) (?:lines|charges|payments|entries|debits|transactions)\b",
            r"\bpaypal\b",
            r"\btransfer\b",
            r"\b(taken|took|take)\b",
            r"\bhow much\b",
            r"\babgebucht|\babbuchung|\bbelast|\bzahlung|\bbezahlt|\bzweimal|\bdoppelt|\bbuchung",
            r"\baddebit|\bpagament|\bpagat|\bbonifico|\bdue volte|\bcarta\b",
            r"\bcobr|\bcargo|\bpag(o|ado|ar|u[ée])\b|\bdos veces",
            r"\bd[ée]bit|\bpr[ée]lev|\bpaiement|\bpay[ée]\b|\bdeux fois",
            r"\bafgeschreven|\bafschrijving|\bbetaling|\bbetaald|\btwee keer|\bdubbel",
            r"\bberechnet|\bgerekend|\bberekend|\bfactur[ée]|\bcobrad|\bbetaal|\bzahl|\bbetrag|\bimporte|\bmontant"
            r"|\bbedrag",
            r"\bdid i (?:use|pay)\b|\bwhich (?:card|one) (?:did|do) i\b",
            r"\btarjeta|\bkarte\b|\bkreditkarte|\bcarte\b|\bcarte bancaire|\bkaart\b|\bbankpas|\bpinpas",
        ),
        tools=(
            toolkit.find_duplicates,
            toolkit.list_payments,
            toolkit.list_payment_methods,
            toolkit.list_orders,
            toolkit.get_order,
        ),
        handle=payments,
    ),
    SpecialistSpec(
        name="refunds_agent",
        domain=NAME,
        description="refunds (policy, status, issuing) and fees",
        cues=(
            r"\brefund",
            r"\brefnd",
            r"\bmoney\b",
            r"\breimburs",
            r"\bfees?\b",
            r"\bcompensat",
            r"\berstatt|\br[üu]ckerstatt|\bgeld\b",
            r"\breembols|\bdinero\b|\bdevoluci[oó]n del dinero",
            lx.GIVE_BACK_ES,
            r"\brembours|\bargent\b",
            r"\bterugbetal|\bterugstort",
            # "I returned something weeks ago and still nothing back": the return's money
            r"\bnothing back\b|\bnot (?:got|gotten|received) (?:anything|it|a thing) back\b|\bnoch nichts zur[üu]ck",
            # "how long until I see it on my card?" after a refund: when the money arrives
            r"\bhow long\b|\bwhen (?:will|do|does|should|can) (?:i|it|the money)\b|\b(?:show|turn)s? up\b|\bappear",
            r"\bwie lange\b|\bwann (?:kommt|bekomme|sehe)\b|\bcu[aá]nto tarda|\bcu[aá]ndo (?:llega|ver[eé]|recibir)"
            r"|\bcombien de temps\b|\bquand (?:est-ce que )?(?:vais|vai|arrive|recevr)|\bhoe lang\b|\bwanneer (?:krijg|zie|komt)",
        ),
        tools=(
            toolkit.find_duplicates,
            toolkit.list_refunds,
            toolkit.list_payments,
            toolkit.list_orders,
            toolkit.get_order,
            toolkit.get_shipments,  # a lost parcel's money comes back through a claim
            toolkit.list_tickets,
            toolkit.today,
        ),
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
        "coupon": 2.0, "voucher": 2.0, "promo": 0.5, "vat": 2.0, "tax": 1.5, "currency": 1.0, "money": 1.0, "spent": 1.5,
        "dollar": 0.5, "euro": 0.5, "balance": 1.5, "statement": 1.0, "declined": 1.5, "wallet": 1.0,
        "mastercard": 3.0, "visa": 2.0, "amex": 3.0, "iban": 3.0, "cash": 1.0, "expensive": 0.5,
        "overpaid": 3.0, "underpaid": 2.0, "unpaid": 2.5, "cheque": 2.0,
    },
    objects={
        "card": 1.5, "method": 0.3, "methods": 0.3, lx.T_INVOICE_ID: 2.0, lx.T_AMOUNT: 0.8,
    },
    phrases=(
        (("delete remove erase", "card cards"), 3, 3.0),  # "delete my card details": a saved payment method
        (("which what", "card cards"), 0, 2.5),  # "which card do you have on file for me?"
        # "which account did it go to?" after a refund: where the money went, not the store account
        (("which what", "account card bank", "did does will", "it", "go went goes"), 0, 4.0),
        # "I returned something weeks ago and still nothing back": the return's money
        (("returned sent", "something it them"), 3, 1.5),
        (("nothing", "back"), 0, 2.5),
        (("invoice invoices bill", "cancelled canceled void voided"), 3, 2.0),  # "is the invoice cancelled too?"
        (("add", "my a new another", "own", "card"), 1, 3.0),  # "how do I add my own card to the account?"
        (("add", "my a new another", "card"), 0, 3.0),
        (("money cash funds xamountx", "gone taken missing disappeared"), 3, 3.0),  # "the money's still gone"
        # "my iPhone won't charge": a device's battery, not a payment
        (("phone iphone ipad battery laptop tablet watch smartwatch earbuds headphones", "charge charging"), 4, -3.0),
        (("cancel terminate termination early withdrawal exit", "fee penalty charge cost"), 3, 2.0),
        (("charge charged bill billed debit debited pay paid", "twice double two 2x again multiple"), 3, 3.0),
        (("took taken", "twice double"), 3, 3.0),  # "you took 129.90 twice" (not "it took two weeks")
        (("card cards", "saved stored registered expire expires expiry"), 3, 2.5),  # a payment method
        (("saved stored", "card cards"), 1, 2.5),
        (("extra second duplicate double", "one payment charge", "back"), 1, 2.5),  # "I want the extra one back"
        (("twice double two 2x", "charge charged bill billed debit debited"), 2, 3.0),
        (("card payment", "declined rejected failed fail decline work"), 3, 2.0),
        (("money", "back"), 0, 3.0),
        (("money cash funds xamountx", "still not isnt hasnt havent never yet", "back"), 3, 3.0),
        (("took take taken taking", "money cash xamountx"), 2, 3.0),  # "did you take the 99 euros or not"
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
        (("owe owes owed owing", "me us"), 1, 3.0),
        # "which card did I use for the air fryer order?", "which one did I use?": how it was paid
        (("card cards one method", "did do", "i", "use used pay"), 0, 2.5),
        (("pay payment checkout", "button buttons link page"), 0, -2.0),  # the website's pay button: feedback  # "the 40 euros you still owe me": money to pay back
        # "can I pay extra for next-day delivery?": a delivery option and its price, not a payment
        (("pay paying", "extra more", "for", "next express faster quicker delivery shipping"), 1, -2.5),
    ),
    foreign={
        "de": {
            "rechnung": 3.0, "zahlung": 2.5, "bezahlen": 2.5, "bezahlt": 2.5, "erstattung": 3.0,
            "rückerstattung": 3.0, "erstatten": 3.0, "geld": 2.0, "abgebucht": 3.0, "abbuchung": 3.0,
            "abbuchen": 3.0, "belastet": 3.0, "belastung": 3.0, "gebühr": 2.5, "kreditkarte": 2.5, "karte": 1.5,
            "zahlungsmethode": 3.0, "quittung": 3.0, "mehrwertsteuer": 2.5, "doppelt": 1.0, "zweimal": 1.0, "berechnet": 2.5, "gutschrift": 3.0, "lastschrift": 3.0, "betrag": 1.5, "überweisung": 2.5, "preis": 1.0, "zurückerstatten": 3.0, "zurückerstattet": 3.0, "buchung": 2.0, "abbuchungen": 3.0,
        },
        "pt": {
            "fatura": 3.0, "factura": 3.0, "pagamento": 2.5, "pagamentos": 2.5, "paguei": 2.5, "cobrado": 2.5,
            "cobraram": 2.5, "cobrança": 2.5, "reembolso": 3.0, "reembolsar": 3.0, "dinheiro": 2.0,
            "cartão": 2.0, "recibo": 2.5, "débito": 2.0, "iva": 2.5,
        },
        "it": {
            "fattura": 3.0, "pagamento": 2.5, "pagato": 2.5, "pagare": 2.5, "rimborso": 3.0, "rimborsare": 3.0,
            "rimborsato": 3.0, "soldi": 2.0, "denaro": 2.0, "addebitato": 3.0, "addebito": 3.0, "addebiti": 3.0,
            "carta": 1.5, "ricevuta": 2.5, "iva": 2.5, "bonifico": 2.5, "importo": 1.5, "prezzo": 1.0,
        },
        "es": {
            "factura": 3.0, "pago": 2.5, "pagar": 2.5, "pagado": 2.5, "reembolso": 3.0, "reembolsar": 3.0,
            "dinero": 2.0, "cobrar": 3.0, "cobro": 3.0, "cobraron": 3.0, "cargo": 2.5, "tarjeta": 2.0,
            "recibo": 1.5, "comisión": 2.0, "iva": 2.5, "cobrado": 3.0, "cargado": 2.0, "importe": 1.5, "abono": 2.0, "transferencia": 2.5, "precio": 1.0,  # "recibo": "recibido" (received) shares its stem
        },
        "fr": {
            "facture": 3.0, "paiement": 2.5, "payer": 2.5, "payé": 2.5, "remboursement": 3.0,
            "rembourser": 3.0, "remboursé": 3.0, "argent": 2.0, "débiter": 3.0, "débité": 3.0, "prélevé": 3.0,
            "prélèvement": 3.0, "carte": 1.5, "frais": 2.5, "tva": 2.5, "facturé": 3.0, "montant": 1.5, "virement": 2.5, "prix": 1.0,
        },
        "nl": {
            "factuur": 3.0, "betaling": 2.5, "betalen": 2.5, "betaald": 2.5, "terugbetaling": 3.0,
            "terugbetalen": 3.0, "geld": 2.0, "afgeschreven": 3.0, "afschrijving": 3.0, "kosten": 1.5,
            "creditcard": 2.5, "btw": 2.5, "dubbel": 1.0, "rekening": 2.0, "gerekend": 2.5, "berekend": 2.5, "bedrag": 1.5, "overboeking": 2.5, "prijs": 1.0, "terugstorting": 3.0,
        },
    },
    foreign_phrases={
        # "wo bleibt mein Geld?", "où en est mon remboursement ?": where the money is, not a parcel
        "de": (
            # "ob ich die 193 € zurückbekomme": the money back
            (("xamountx geld betrag", "zurückbekomme zurückbekommen wiederbekomme zurückerhalte zurück"), 3, 3.0),
            (("geld", "zurück"), 1, 2.0), (("zweimal doppelt", "belastet abgebucht bezahlt berechnet"), 1, 1.0),
            (("bleibt ist", "geld erstattung rückerstattung gutschrift"), 2, 3.0),
        ),
        "es": (
            (("devolver devuelvan devuelve", "dinero"), 2, 3.0), (("dos", "veces"), 0, 1.0),

            (("está esta", "dinero reembolso"), 2, 2.5),
        ),
        # "podem devolver o dinheiro?": the money back, not a return
        "pt": ((("devolver devolvam devolvem", "dinheiro"), 2, 3.0), (("duas", "vezes"), 0, 1.0)),
        # "ridatemi i soldi": the money back, not a return
        "it": ((("restituire restituite ridatemi ridare", "soldi denaro"), 2, 3.0), (("due", "volte"), 0, 1.0)),
        "fr": (
            (("deux", "fois"), 0, 1.0),
            (("est", "argent remboursement"), 2, 2.5),
            (("facture factures", "annulée annulee annulées annulé annule"), 3, 2.0),
        ),
        "nl": (
            (("geld", "terug"), 1, 2.0), (("twee", "keer"), 0, 1.0),
            (("blijft is", "geld terugbetaling terugstorting"), 2, 3.0),
        ),
    },
)
# fmt: on

DOMAIN = DomainSpec(
    pays=True,
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
