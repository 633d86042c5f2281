"""Shipping: tracking parcels, delivery options and costs, delivery addresses, lost-parcel claims."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from switchboard.agents.contracts import ProposedAction, SpecialistReport
from switchboard.agents.router import lexicon as lx
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import DomainSpec, SpecialistRun, SpecialistSpec, Vocabulary, money
from switchboard.agents.specialists.common import (
    DELIVERED,
    address_line,
    day,
    days_late,
    hypothetical,
    is_late,
    items_of,
    last_event,
    not_found_sentence,
    offered,
    open_claims,
    orders_in_question,
    shipment_sentence,
)
from switchboard.tools.catalogue.shipping import (
    LOST_AFTER_DAYS_LATE,
    change_delivery_address,
    open_lost_parcel_claim,
)

NAME = "shipping"


async def _shipments_in_question(run: SpecialistRun) -> tuple[list[dict[str, Any]], list[str]]:
    """Shipments by tracking number, else those of the orders in question (preferring undelivered ones).
    Each shipment found through its order carries the order's products as ``what``."""
    shipments: list[dict[str, Any]] = []
    unknown: list[str] = []
    for number in run.brief.entities.tracking_numbers:
        found = await run.call(toolkit.find_shipment, tracking_number=number)
        (shipments.append(found) if found else unknown.append(number))
    if run.brief.entities.tracking_numbers:
        return shipments, unknown
    carrier = _BY_CARRIER.search(run.brief.message or run.brief.request)
    if carrier and not run.brief.entities.order_ids:
        # "Which of my orders was delivered by UPS?": the parcels that carrier carried
        for order in await run.call(toolkit.list_orders, limit=10):
            for shipment in await run.call(toolkit.get_shipments, order_id=order["id"]):
                if str(shipment.get("carrier") or "").lower() == carrier.group(1).lower():
                    shipments.append({**shipment, "what": items_of(order)})
        if shipments:
            return shipments, []
    orders, unknown = await orders_in_question(run, prefer=("shipped", "processing", "paid", "placed"))
    for order in orders:
        for shipment in await run.call(toolkit.get_shipments, order_id=order["id"]):
            shipments.append({**shipment, "what": items_of(order)})
    if len(orders) > 1 and _NEVER_CAME.search(run.brief.message or run.brief.request):
        # "which of those never turned up?": the ones not delivered answer it
        missing = [s for s in shipments if s["status"] != DELIVERED]
        shipments = missing or shipments
    return shipments, unknown


_BY_CARRIER = re.compile(
    r"\bwhich\b[^?.!]{0,40}\b(?:by|with|via|mit|con|par|avec|met)\s+"
    r"(dhl|ups|dpd|gls|postnl|colissimo|hermes|fedex|chronopost|correos|bpost|evri|usps)\b",
    re.IGNORECASE,
)
_NEVER_CAME = re.compile(
    r"\b(?:never|not|didn'?t|hasn'?t|haven'?t)\b[^.?!]{0,15}\b(?:turned up|turn up|arrived?|came|come|showed up|delivered)"
    r"|\b(?:missing|lost|nie angekommen|nicht angekommen|nunca lleg|no lleg|jamais arriv|pas arriv|nooit aangekomen"
    r"|niet aangekomen)",
    re.IGNORECASE,
)


# Delivery asked for somewhere else without the word "address" ("faire livrer le casque à mon travail plutôt
# qu'à la maison", "can you send it to my office instead"): a change of the delivery address.
_ELSEWHERE = (
    r"\b(?:deliver|send|ship|drop)\w*\b[^.?!]{0,30}\b(?:to|at)\s+(?:my|the)\s+(?:work|office|workplace|job"
    r"|neighbou?rs?|parents?|mum|mom|friend|girlfriend|boyfriend|partner)\b"
    r"|\blivr\w*\b[^.?!]{0,40}\b(?:à|au|chez)\s+(?:mon|ma|mes)\b|\bplut[ôo]t qu'?\s*(?:à|au|chez)\b"
    r"|\b(?:liefern|schicken|senden|zustellen)\b[^.?!]{0,30}\b(?:an|zu|in|bei)\s+(?:meine|meiner|meinen|mein)\b"
    r"|\b(?:liefern|schicken|senden|zustellen)\b[^.?!]{0,30}\b(?:statt|anstatt)\b"
    r"|\b(?:entreg|envi|mand)\w*\b[^.?!]{0,30}\ben (?:mi|el|casa de)\s+(?:trabajo|oficina|vecin\w*|padres|mi)\b"
    r"|\bbezorg\w*\b[^.?!]{0,30}\b(?:op|bij)\s+(?:mijn|het|de)\s+(?:werk|kantoor|buren|ouders)\b"
)
_CHANGE = re.compile(
    r"\b(change|update|correct|new|different|redirect|wrong|instead"
    r"|(i|we|i've|we've|ive|weve|have|has|just|recently) (move|moved)|(move|moved) (house|home|to|out|away|flat)"
    r"|[äa]ndern|aendern|neue|umgezogen|falsche|cambiar|nueva|mudado|equivocada|changer|modifier|nouvelle"
    r"|d[ée]m[ée]nag[ée]|mauvaise|wijzigen|aanpassen|veranderen|nieuwe|verhuisd|verkeerde)\b|" + _ELSEWHERE,
    re.IGNORECASE,
)

# A question whether an address is the one on record ("... is still X, right?"), not a new one to use.
_CHECKS = re.compile(
    r"\b(?:still|right|correct|isn'?t it|is that|am i right|stimmt|noch|klopt|nog steeds|toujours|bien|verdad"
    r"|todav[íi]a|sigue)\b\W*\?",
    re.IGNORECASE,
)

# A customer asking for a claim (or what a claim gives: a replacement, the money back), in the languages
# the router reads. Saying that a parcel is lost is not asking for one: the claim is offered, not opened.
# A question about a claim's own state ("has my claim been opened?", "did you open a claim?"), not an ask.
_CLAIM_STATUS = re.compile(
    r"^\W*(?:has|have|did|was|were|is|are)\b[^.!]{0,40}\bclaims?\b[^.!]{0,20}\b(?:opened|open|filed|started|been|made)\b"
    r"|^\W*(?:did|have|has) (?:you|anyone) (?:open|opened|file|filed|start|started) (?:a|the|my) claim\b"
    r"|\b(?:status of|what happened (?:to|with)) (?:my|the) claim\b",
    re.IGNORECASE,
)
# What a claim is or how long it takes ("how long does a claim take?", "what happens with the claim
# now?", "wie lange dauert die Nachforschung?"): a question about claims, not one asked for.
_CLAIM_INFO = re.compile(
    r"\b(?:how long|how does|how do|what happens|what now|what's next|what is next|when will|when do|when does"
    r"|wie lange|was passiert|cu[aá]nto (?:tarda|tiempo)|qu[ée] pasa|combien de temps|que se passe|hoe lang"
    r"|wat gebeurt)\b[^.?!]{0,40}\b(?:claims?|nachforschung|reclamaci[oó]n|r[ée]clamation)\b"
    r"|\bclaims?\b[^.?!]{0,30}\b(?:take|takes|last|lasts|work|works)\b",
    re.IGNORECASE,
)
_CLAIM_ASK = re.compile(
    r"\b(claim|investigat\w*|open (a|an)\b|file|lodge|raise|replace\w*|resend|send (it|another|a new)"
    r"|verlust\w*|aufmachen|er[öo]ffnen|ouvrir|ouvrez|abrir|abran|openen|indienen"
    r"|refund|money back|reimburs\w*|nachforschung\w*|antrag|ersatz\w*|reklamation|reclamaci[oó]n|reclamar"
    r"|investigaci[oó]n|reemplazo|r[ée]clamation|enqu[êe]te|remplacement|onderzoek|vervanging|claimen)\b",
    re.IGNORECASE,
)


async def tracking(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    shipments, unknown = await _shipments_in_question(run)
    if not shipments:
        text = not_found_sentence(unknown, "parcel/order")
        if not unknown and not run.brief.entities.tracking_numbers:
            orders, _ = await orders_in_question(run, prefer=("processing", "paid", "placed"))
            text += " ".join(
                f"Order {o['id']}"
                + (f" ({items_of(o)})" if items_of(o) else "")
                + (
                    f" has not shipped yet: it is {o['status']}, so there is no parcel to track."
                    if o["status"] in ("placed", "paid", "processing")
                    else f" was cancelled on {day(o.get('cancelled_at') or o.get('updated_at'))}, so nothing "
                    "was shipped."
                )
                for o in orders
                if o["status"] in ("placed", "paid", "processing", "cancelled")
            )
        return run.report(spec, text.strip() or "None of your recent orders has shipped yet.")
    today = date.fromisoformat((await run.call(toolkit.today))["today"])
    facts, parts, handoffs = [], [not_found_sentence(unknown, "parcel/order")], []
    for s in shipments:
        late = days_late(s, today)
        facts.append(
            f"{s['tracking_number']} ({s['carrier']}) for {s['order_id']}: {s['status']}, promised by "
            f"{day(s.get('promised_by'))}, last scan {last_event(s)}"
        )
        parts.append(shipment_sentence(s, today, s.get("what", "")))
        if s["status"] == "delivered" and s.get("shipping_address") and _WHERE_TO.search(run.brief.request):
            parts.append(f"It was delivered to {s['shipping_address']}.")  # "where were those delivered?"
        if s["status"] == "lost" or late >= LOST_AFTER_DAYS_LATE:
            handoffs.append("claims_agent")
    return run.report(spec, " ".join(p for p in parts if p).strip(), facts, handoffs=handoffs)


# Where a parcel went ("where were those delivered?", "to which address", "wohin wurde es geliefert?",
# "à quelle adresse", "¿a qué dirección?", "naar welk adres", "a quale indirizzo"): the address it went to.
_WHERE_TO = re.compile(
    r"\bwhere\b[^.?!]{0,45}\b(?:delivered|sent|shipped|dropped|left)\b|\b(?:which|what) address\b|\bwohin\b"
    r"|\b(?:an|zu) welche[rn]? adresse\b|\bo[uù]\b[^.?!]{0,20}\blivr[ée]|\bquelle adresse\b"
    r"|\bd[oó]nde\b[^.?!]{0,20}\bentreg|\bqu[eé] direcci[oó]n\b|\bwaar\b[^.?!]{0,20}\bbezorgd\b|\bwelk adres\b"
    r"|\bquale indirizzo\b|\bdove\b[^.?!]{0,20}\bconsegnat",
    re.IGNORECASE,
)


# What an order's own delivery cost ("how much was shipping on my last order?", "en wat kost de
# verzending?" after a turn about an order), not the price list.
_ORDER_MEANT = re.compile(
    r"\b(?:my|the|this|that|our)\s+(?:\w+\s+){0,2}(?:order|purchase|bestelling|bestellung|commande|pedido)\b"
    r"|\b(?:mijn|meine[rm]?|ma|mon|mi)\s+(?:\w+\s+){0,2}(?:bestelling|bestellung|commande|pedido)\b",
    re.IGNORECASE,
)


_OPTION_NAMED = re.compile(
    r"\b(?:express|next[- ]day|international|abroad|standard|options?|faster|quicker|schneller|rápido|rapide|sneller)\b",
    re.IGNORECASE,
)


async def delivery_options(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    options = await run.call(toolkit.delivery_options)
    facts = [f"{o['option']}: {o['days']}, {o['fee']} EUR" for o in options]
    request = run.brief.request
    asks_order = bool(
        run.brief.entities.order_ids
        or _ORDER_MEANT.search(request)
        or (run.brief.followup and run.brief.earlier.order_ids)
    )
    if asks_order and not _OPTION_NAMED.search(request):
        orders, _ = await orders_in_question(run)
        if orders:
            o = orders[0]
            fee = str(o.get("shipping_fee") or "0.00")
            what = f" ({items_of(o)})" if items_of(o) else ""
            free_over = next((x["free_over"] for x in options if x.get("free_over")), None)
            free = f" (free: orders from {free_over} EUR ship free)" if free_over and float(fee) == 0 else ""
            text = f"Shipping for order {o['id']}{what} was {money(fee)}{free}."
            return run.report(spec, text, [*facts, f"{o['id']} shipping fee {fee}"])
    text = (
        "Delivery options: "
        + "; ".join(
            f"{o['option'].replace('_', ' ')} {o['days']} for {o['fee']} EUR"
            + (f" (free over {o['free_over']} EUR)" if o.get("free_over") else "")
            for o in options
        )
        + "."
    )
    return run.report(spec, text, facts)


# The address book asked about ("which address do you have on file?", "what's my work address?"), not an
# order's delivery address.
_ADDRESS_BOOK = re.compile(
    r"\b(on file|saved|stored|in your (system|records)|address book|addresses|(have|got) for me"
    r"|my (home|work|office|other|billing|default) address|registered address|hinterlegt\w*|gespeichert\w*"
    r"|enregistr\w*|guardad\w*|opgeslagen)\b",
    re.I,
)
_LABELS = {"home": "home", "work": "work", "office": "work", "other": "other"}


async def address(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    saved = await run.call(toolkit.list_addresses)
    facts = [f"saved address {a['id']}: {a.get('line1', '')}, {a.get('city', '')}" for a in saved][:3]
    new_address = run.brief.entities.addresses[0] if run.brief.entities.addresses else None
    request = run.brief.request
    if (
        saved
        and new_address is None
        and not run.brief.entities.order_ids
        and _ADDRESS_BOOK.search(request)
        and not _CHANGE.search(request)
    ):
        named = {v for k, v in _LABELS.items() if re.search(rf"\b{k}\b", request, re.I)}
        shown = [a for a in saved if a.get("label") in named] or saved
        return run.report(
            spec, "Your saved addresses: " + "; ".join(address_line(a) for a in shown) + ".", facts
        )
    if new_address is not None and saved and not _CHANGE.search(request) and _CHECKS.search(request):
        # "my delivery address is still Bahnhofstraße 17 in Graz, right?": checked, not changed
        street = re.sub(r"\W+", " ", new_address.split(",")[0]).strip().casefold()
        same = [
            a for a in saved if street and street in re.sub(r"\W+", " ", str(a.get("line1", ""))).casefold()
        ]
        if same:
            return run.report(spec, f"Yes: your saved {address_line(same[0])}.", facts)
        default = [a for a in saved if a.get("is_default")] or saved
        return run.report(
            spec,
            f"No: your saved {address_line(default[0])}. Tell me if you want an order delivered elsewhere.",
            facts,
        )
    orders, unknown = await orders_in_question(run, prefer=("placed", "paid", "processing", "shipped"))
    order = orders[0] if orders else None
    if order is None:
        text = not_found_sentence(unknown) or "You have no order whose delivery address could change."
        return run.report(spec, text.strip(), facts)
    facts.append(f"{order['id']} ships to {order.get('shipping_address')}")
    what = f" ({items_of(order)})" if items_of(order) else ""
    # the whole message too: "... à mon adresse de travail | plutôt qu'à Rennes" may fall in another part
    wants_change = new_address is not None or bool(
        _CHANGE.search(run.brief.request) or (not run.brief.followup and _CHANGE.search(run.brief.message))
    )
    if order["status"] in (DELIVERED, "cancelled", "returned"):
        went = "was delivered to" if order["status"] == DELIVERED else "was to ship to"
        text = f"Order {order['id']}{what} {went} {order.get('shipping_address')}."
        if wants_change:
            text += f" It is {order['status']}, so its address can no longer change."
        return run.report(spec, text, facts)
    if order["status"] == "shipped":  # the carrier has it: the policy refuses a change, so none is proposed
        if not wants_change:
            return run.report(
                spec, f"Order {order['id']}{what} ships to {order.get('shipping_address')}.", facts
            )
        return run.report(
            spec,
            f"Order {order['id']} has already shipped, so its delivery address can no longer change here; "
            "the carrier can redirect a parcel in transit from its tracking page.",
            facts,
        )
    if new_address is None:
        text = f"Order {order['id']}{what} ships to {order.get('shipping_address')}."
        if wants_change:
            text += " Tell me the full new address (street and number, postcode, city) and I will change it."
        return run.report(spec, text, facts)
    action = ProposedAction(
        action=change_delivery_address.name,
        args={"order_id": order["id"], "address": new_address},
        reason="the customer gave a new delivery address",
    )
    return run.report(
        spec, f"I will change the delivery address of order {order['id']} to {new_address}.", facts, [action]
    )


async def claims(spec: SpecialistSpec, run: SpecialistRun) -> SpecialistReport:
    shipments, unknown = await _shipments_in_question(run)
    today = date.fromisoformat((await run.call(toolkit.today))["today"])
    # "has my claim been opened?", "how long does a claim take?": about a claim, not asking for one
    status_question = bool(_CLAIM_STATUS.search(run.brief.request) or _CLAIM_INFO.search(run.brief.request))
    claimed = await open_claims(run)
    asked = (
        bool(_CLAIM_ASK.search(run.brief.request))
        and not hypothetical(run.brief.request)
        and not status_question
    ) or run.brief.affirmed
    for s in shipments:
        late = days_late(s, today)
        if s["order_id"] in claimed:  # asked about, or asked for a second time: the claim that is open
            ticket = claimed[s["order_id"]]
            opened = str(ticket["created_at"])[:10]  # the tools return JSON-ready values
            return run.report(
                spec,
                f"A lost-parcel claim with {s['carrier']} is open for order {s['order_id']} (parcel "
                f"{s['tracking_number']}, ticket {ticket['id']}): you "
                "will get a replacement or a full refund, and our customer care team will contact you as soon "
                "as the carrier has answered. Nothing else is needed from you.",
                [f"claim {ticket['id']} open for {s['order_id']} since {opened}"],
            )
        if s["status"] == "lost" or late >= LOST_AFTER_DAYS_LATE:
            facts = [f"{s['tracking_number']} for {s['order_id']}: {s['status']}, {late} day(s) overdue"]
            if not asked:  # said, not asked for: offered, never opened unasked
                none_yet = (
                    f"No lost-parcel claim is open for order {s['order_id']} yet. " if status_question else ""
                )
                return run.report(
                    spec,
                    none_yet
                    + offered(
                        run,
                        f"I can open a lost-parcel claim with {s['carrier']} for order {s['order_id']}, which "
                        "gets you a replacement or a full refund: just tell me if you want it.",
                        f"opened a lost-parcel claim for order {s['order_id']}",
                    ),
                    facts,
                )
            action = ProposedAction(
                action=open_lost_parcel_claim.name,
                args={"order_id": s["order_id"], "tracking_number": s["tracking_number"]},
                reason="the customer asked for a claim on a parcel that is lost or long overdue",
            )
            return run.report(
                spec,
                f"I will open a lost-parcel claim with {s['carrier']} for order {s['order_id']}; you will get a "
                "replacement or a full refund.",
                facts,
                [action],
            )
    overdue = [s for s in shipments if is_late(s, today)]
    if overdue:
        first = overdue[0]
        text = not_found_sentence(unknown, "parcel/order") + (
            f"{shipment_sentence(first, today, first.get('what', ''))} "
            f"Parcel {first['tracking_number']} is late but not lost: a lost-parcel claim can be opened when a "
            f"parcel is reported lost or is {LOST_AFTER_DAYS_LATE} days overdue."
        )
        return run.report(spec, text.strip())
    text = not_found_sentence(unknown, "parcel/order") + (
        "None of your parcels qualifies for a lost-parcel claim: a claim can be opened when a parcel is "
        f"reported lost or is {LOST_AFTER_DAYS_LATE} days overdue."
    )
    return run.report(spec, text.strip())


SPECIALISTS: tuple[SpecialistSpec, ...] = (
    SpecialistSpec(
        name="tracking_agent",
        domain=NAME,
        description="where a parcel is: tracking, delivery dates, late deliveries",
        cues=(
            r"\btrack",
            r"\bparcel\b",
            r"\bpackage\b",
            r"\bdeliver",
            r"\barriv",
            r"\blate\b",
            r"\bdelay",
            r"\bwhere\b",
            r"\bshipment\b",
            r"\bcourier\b",
            r"\bcarrier\b",
            r"\bshipped\b",
            r"\bstill\b",
            r"\bpaket|\bsendung|\blieferung|\bwo ist|\bpaquete|\benv[ií]o|\bd[oó]nde\b|\bcolis\b|\blivraison|\bo[uù] est",
            r"\bpakket|\bzending|\bbezorg|\bwaar is|\bangekommen|\bllegad|\barriv[ée]|\baangekomen|\bversp[äa]t|\bretras|\bretard|\bvertraag|\bte laat",
            r"\bpaquet\b|\bentrega|\bsuivi\b|\bseguimiento|\bsendungsverfolgung|\bverzend|\bvertrag|\bunterwegs"
            r"|\bonderweg|\bcu[aá]ndo (me )?llega|\bwann kommt|\bwanneer komt|\bquand\b.{0,30}\barriv",
        ),
        tools=(
            toolkit.list_orders,
            toolkit.get_order,
            toolkit.get_shipments,
            toolkit.find_shipment,
            toolkit.today,
        ),
        handle=tracking,
    ),
    SpecialistSpec(
        name="delivery_options_advisor",
        domain=NAME,
        description="delivery options, delivery times and shipping costs",
        cues=(
            r"\boptions?\b",
            r"\bhow long\b(?![^.?!]{0,30}\bclaims?\b)",  # not "how long does a claim take?"
            r"\bexpress\b",
            r"\bnext[- ]day\b",
            r"\bshipping (cost|fee|price)",
            r"\bdelivery (cost|fee|price|time)",
            r"\binternational\b",
            r"\bship to\b",
            r"\bcost\b",
            r"\bhow much (?:was|is|did|does) (?:the )?(?:shipping|delivery|postage)\b",
            r"\bverzend(?:ing|kosten)\b|\bversand(?:kosten)?\b|\bfrais de (?:port|livraison)\b|\bgastos de env[íi]o\b"
            r"|\bkost(?:en|et)?\b",
        ),
        tools=(toolkit.delivery_options, toolkit.list_orders, toolkit.get_order),
        handle=delivery_options,
    ),
    SpecialistSpec(
        name="address_agent",
        domain=NAME,
        description="delivery and shipping addresses: setting them up and changing them on an order",
        cues=(
            r"\baddress",
            r"\bdeliver (it )?to\b",
            r"\b(i|we|i've|we've|ive|weve|have|has|just|recently) moved\b|\bmoved (house|home|to|out|away|flat)\b",
            r"\bredirect",
            r"\badress|\bdirecci[oó]n|adres(se)?\b|\bumzug|\bverhuizing|\bumgezogen|\bmudad|\bd[ée]m[ée]nag|\bverhuisd",
            _ELSEWHERE,
        ),
        tools=(toolkit.list_addresses, toolkit.list_orders, toolkit.get_order),
        handle=address,
        actions=(change_delivery_address,),
        entity_cue="addresses",
    ),
    SpecialistSpec(
        name="claims_agent",
        domain=NAME,
        description="lost, missing or long-overdue parcels: lost-parcel claims",
        cues=(
            r"\blost\b",
            r"\bnever (arrived|came|received)",
            r"\bmissing\b",
            r"\bstolen\b",
            r"\bclaim\b",
            r"\bnot (arrived|received)",
            r"\bverloren|\bnie angekommen|\bnicht angekommen|\bperdid|\bnunca lleg|\bno ha llegado|\bperdu|\bjamais|\bpas (re[çc]u|arriv)",
            r"\bkwijt|\bnooit aangekomen|\bniet aangekomen|\bnachforschung|\breclamaci|\br[ée]clamation",
            r"\bnicht erhalten|\bniet ontvangen|\bno (lo |la )?he recibido|\bverschwunden|\bzoekgeraakt|\bdisparu",
        ),
        tools=(
            toolkit.list_orders,
            toolkit.get_order,
            toolkit.get_shipments,
            toolkit.find_shipment,
            toolkit.today,
            toolkit.list_tickets,
        ),
        handle=claims,
        actions=(open_lost_parcel_claim,),
    ),
)

# fmt: off
VOCABULARY = Vocabulary(
    predicates={
        "redeliver": 3.0, "redelivery": 3.0, "claim": 1.5,  # a lost-parcel claim is what the store offers
        "ship": 2.0, "shipping": 2.0, "shipment": 2.0, "shipped": 2.0, "deliver": 2.0, "delivery": 2.0,
        "delivered": 2.0, "parcel": 2.5, "package": 2.0, "packet": 2.0, "carrier": 2.0, "dispatch": 2.0,
        "dispatched": 2.0, "postage": 2.0, "post": 0.5, "customs": 2.0, "stuck": 0.5, "transit": 1.5,
        "depot": 2.0, "promised": 1.0, "scanned": 2.5, "scan": 2.0,
        "dhl": 3.0, "fedex": 3.0, "usps": 3.0, "ups": 1.5, "hermes": 2.0, "postcode": 1.0, "zip": 0.5,
        "express": 1.0, "overnight": 1.0, "pickup": 1.0, "locker": 1.5, "doorstep": 2.0, "porch": 1.5,
        "neighbour": 1.0, "neighbor": 1.0, "late": 2.0, "delay": 2.0, "delayed": 2.0, "lost": 1.0,
        "missing": 1.0, "damaged": 1.5, "crushed": 1.5, "stolen": 1.5, "track": 1.0, "tracking": 1.5,
        "eta": 0.5, "send": 0.3, "sent": 0.3, "freight": 2.0, "logistics": 2.0, "expect": 0.3,
        "shipper": 2.0, "soaked": 1.5, "drenched": 1.5, lx.T_TRACKING: 2.5, lx.T_PLACE: 1.5,
    },
    # arrival words are about whatever arrives: "my refund hasn't arrived" is billing;
    # carriers and drivers are who a remark is about: "the courier was rude" is care
    objects={
        "address": 1.5, "box": 0.5, "arrive": 2.0, "arrived": 2.0, "arrival": 2.0, "courier": 2.5,
        "postman": 2.5, "mailman": 2.5, "driver": 1.0,
    },
    phrases=(
        (("on", "its the", "way"), 0, 2.5),
        (("being", "packed"), 0, -2.0),  # "is it still being packed?": the order's status (orders)
        (("order parcel delivery package it", "on", "time"), 3, 2.5),  # "was the water bottle order on time too?"
        # "could you send my order to my office instead of home?": where it is delivered
        (("send deliver ship", "order it parcel package", "to"), 1, 1.5),
        (("to", "my the", "office work workplace home"), 0, 1.5),
        (("email", "it they", "go goes sent"), 2, -3.0),  # "which e-mail address will it go to?": a reset link
        (("going go goes", "to", "xemailx"), 0, -3.0),
        # "did my summer order with the books arrive ok?": whether the parcel came
        (("did has", "order parcel package delivery xorderidx", "arrive arrived"), 4, 2.5),
        # "I want someone from your team to chase DHL about it": a person asked for (care), the carrier named
        (("chase", "dhl ups fedex dpd gls hermes postnl usps evri colissimo correos carrier courier"), 1, -3.0),
        (("new", "arrivals"), 0, -3.0),  # the "new arrivals" newsletter
        # "have the replacement sent express": a delivery option asked for
        (("sent send shipped delivered", "express overnight"), 1, 2.5),
        # "I'll send it back when it arrives": when the return happens, not a delivery asked about
        (("back", "when once after", "it they", "arrives arrive comes come"), 0, -2.0),
        (("never", "came come turned showed"), 1, 2.5),
        (("original", "packaging box"), 0, -2.0),
        (("shows showing shown", "as"), 0, -2.0),  # "which still shows as pending": a status, not an arrival  # "unused and in its original packaging": a return's condition
        (("address adres adresse dirección direccion", "xemailx"), 3, -2.5),  # "the new address is x@y.z"
        (("where wheres", "refund refunds money reimbursement"), 2, -2.5),  # "where's my refund for the watch?"
        (("to", "my the", "work home office", "address"), 0, 2.5),  # "send the new one to my work address"  # "order ORD-1 never came": the parcel
        # "the reset link never arrives": an e-mail, not a parcel
        (("link code email mail verification reset confirmation", "never not doesn doesnt isnt hasn hasnt still",
          "arrives arrive arrived comes come came shows showed"), 2, -2.5),
        (("refund refunds money payment reimbursement", "never"), 1, -2.5),  # "my refund never came through"
        (("pick collect", "up"), 2, 2.5),
        (("waiting wait waited", "for on", "my the", "stuff order parcel package delivery things items"), 1, 2.5),
        (("waiting wait waited", "for on", "my the a", " ".join(sorted(lx.GOODS))), 3, 2.0),
        (("which what", "account card bank", "did does will", "it", "go went goes"), 0, -2.5),  # the refund's account
        (("order parcel package it", "go goes", "to"), 4, 2.5),
        (("go goes going", "back"), 0, -2.5),  # "my last order still needs to go back to you": a return  # "can the order I placed go to my sister's"
        (("nothing", "turned showed arrived came come"), 2, 2.5),
        (("not", "be", "home in"), 2, 2.0),
        (("where", "parcel package packet shipment delivery"), 3, 2.0),
        # "where is my stuff?" asks where the things are: tracking (an order named is the order's status)
        (("where wheres news", "stuff things"), 4, 3.5),
        ((lx.NEG, "receive got", "order purchase item package parcel delivery stuff product anything"), 2, 2.0),
        (("shipping delivery", "address"), 0, 2.0),
        (("order ship deliver send", "from to", "xplacex"), 1, 2.0),
        (("tracking", "number code link"), 0, 3.0),
        (("tracking", "stuck frozen unchanged"), 4, 2.5),  # "the tracking is stuck"
        (("tracking", "for of", "replacement exchange"), 2, 2.5),  # "tracking for the replacement": its parcel
        (("wrong", "address house door"), 1, 1.5),
        (("left", "door porch outside neighbour neighbor rain step steps bin garden"), 3, 1.5),
        (("pick", "up"), 0, 0.5),
        # overdue: "should've been here by now", "still nothing"
        (("should", "have ve", "arrived come turned shown delivered"), 1, 2.5),
        (("should", "have ve", "been", "here delivered"), 1, 2.5),
        (("meant ment supposed", "to", "be", "here"), 1, 3.0),  # "my running shoes were ment to be here last week"
        (("still", "nothing"), 0, 2.0),
        (("nothing", "back"), 0, -2.5),  # "still nothing back": money back, not a parcel
        (("nothing", "on in", "my the", "card account statement bank"), 0, -2.5),  # "still nothing on my card"
        # "it's been a week past the date you gave me": past the promised delivery date
        (("past over after", "the", "date day delivery"), 1, 3.0),
        (("date day", "you they", "gave promised said told"), 0, 2.0),
        # "my running shoes are stuck somewhere": goods stuck on the way (a depot, customs, somewhere)
        ((" ".join(sorted(lx.GOODS)), "is are got get", "stuck held"), 2, 2.5),
        (("which what", "address"), 1, 2.0),
        (("send sent deliver delivered ship shipped", "to", "my the a", "office work home house flat workplace"), 1, 2.0),
        (("claim", "for on about", "it parcel package delivery shipment"), 1, 1.5),  # a lost-parcel claim
        (("where", " ".join(sorted(lx.GOODS - {"item", "items", "product", "products"}))), 4, 2.5),
        (("shipping delivery postage", "rate rates price prices charge charges fee fees cost costs"), 0, 1.5),
    ),
    abbreviations={"shpping": "shipping"},
    object_phrases=(
        (("how", "soon"), 0, 2.0),
        (("how", "long", "take"), 4, 1.0),
        (("when", "arrive come deliver get"), 5, 1.0),
        ((lx.NEG, "arrive come came show shown turn turned deliver"), 3, 2.0),
        (("turn turned turning show showed shown", "up"), 0, 2.0),
        (("no", "sign trace", "of"), 0, 2.0),  # "no sign of the order"
        (("box parcel package packaging", "ripped torn opened open tampered"), 3, 2.0),  # opened on the way  # "when will my trainers turn up?"
    ),
    foreign={
        "de": {
            "liefern": 2.5, "geliefert": 2.5,
            "versendet": 2.5, "verschickt": 2.0, "zustellung": 2.5, "zugestellt": 2.5,
            "lieferadresse": 3.0, "adresse": 2.5, "angekommen": 2.0, "verspätet": 2.5, "verspätung": 2.5, "unterwegs": 2.0, "zusteller": 2.0, "trackingnummer": 3.0, "beschädigt": 1.5, "sendungsnummer": 3.0,
            "sendungsverfolgung": 3.0, "kurier": 2.0, "lieferzeit": 3.0,
            "nachforschungsantrag": 3.0, "nachforschung": 3.0, "verlustmeldung": 3.0,
        },
        "pt": {
            "entrega": 2.5, "entregue": 2.0, "pacote": 2.5, "chegou": 2.0, "chegar": 2.0,
            "chega": 2.0, "transportadora": 2.5, "rastreio": 3.0, "rastreamento": 3.0, "envio": 2.5,
            "morada": 3.0, "endereço": 3.0, "atrasado": 2.5, "atrasada": 2.5, "atraso": 2.5, "perdido": 2.0,
            "perdida": 2.0, "correios": 1.5, "enviada": 1.5, "enviado": 1.5,
        },
        "it": {
            "consegna": 2.5, "consegnato": 2.5, "consegnata": 2.5, "pacco": 2.5, "spedizione": 2.5,
            "spedito": 2.0, "spedita": 2.0, "corriere": 2.5, "tracciamento": 3.0, "indirizzo": 3.0,
            "ritardo": 2.5, "arrivato": 2.0, "arrivata": 2.0, "arriva": 2.0, "smarrito": 2.5, "perso": 2.0,
            "ricevuto": 1.5,
        },
        "es": {
            "entregar": 2.5,
            "entregado": 2.5, "dirección": 2.5, "llegado": 2.0, "llega": 2.0, "llegó": 2.0, "retraso": 2.5,
            "retrasado": 2.5, "llegar": 2.0, "llegue": 2.0, "transportista": 2.0, "dañado": 1.5, "seguimiento": 3.0, "rastrear": 3.0, "mensajero": 2.0, "repartidor": 2.0,
        },
        "fr": {
            "livrer": 2.5, "livré": 2.5, "expédié": 2.5,
            "adresse": 2.5, "retard": 2.5, "suivi": 2.5, "transporteur": 2.0,
            "livreur": 2.0, "arriver": 2.0, "arrivé": 2.0, "acheminement": 2.5, "endommagé": 1.5, "abîmé": 1.5,
        },
        "nl": {
             "leveren": 2.5, "geleverd": 2.5,
            "bezorgen": 2.5, "bezorgd": 2.5, "verzonden": 2.5,
            "adres": 2.5, "afleveradres": 3.0, "bezorgadres": 3.0, "aangekomen": 2.0, "vertraging": 2.5, "vertraagd": 2.5, "onderweg": 2.0, "bezorgdienst": 2.5, "beschadigd": 1.5,
            "bezorger": 2.0,
        },
    },
    foreign_objects={
        # the parcel and its delivery are what a request is about; they yield to another domain's
        # predicate ("on m'a facturé la livraison deux fois" is a charge, "Versandkosten doppelt berechnet")
        "de": {"paket": 2.5, "lieferung": 2.5, "versand": 2.5, "sendung": 2.5, "versandkosten": 2.5, "päckchen": 2.5},
        "es": {"paquete": 2.5, "envío": 2.5, "entrega": 2.5},
        "fr": {"colis": 2.5, "livraison": 2.5, "expédition": 2.5, "paquet": 2.5},
        "nl": {"pakket": 2.5, "pakketje": 2.5, "levering": 2.5, "bezorging": 2.5, "verzending": 2.5, "verzendkosten": 2.5},
    },
    # an e-mail, a code or a refund that does not arrive is no parcel: these phrases take the arrival
    # words' weight back ("no me llega el correo", "Erstattung nicht erhalten", "pas reçu le remboursement")
    foreign_phrases={
        # "where is my ...?" about something not named as an order or a refund (a product: "wo ist meine
        # Espressomaschine?") is where the parcel is; an order or refund named outweighs it
        "de": (
            (("adresse adres dirección direccion", "xemailx"), 3, -2.5),
            (("immer", "noch", "nicht", "da hier angekommen"), 1, 2.5),  # "warum ist es immer noch nicht da?"
            (("sollte sollten", "da angekommen geliefert ankommen zugestellt"), 4, 2.5),  # expected by now
            (("hätte haette", "angekommen geliefert ankommen zugestellt"), 4, 2.5),  # not "ich hätte da eine Frage"
            (("hätte haette", "schon längst laengst", "da"), 2, 2.5),
            # "stornieren, bevor sie verschickt wird": when the cancellation must happen, not a parcel
            (("bevor ehe", "verschickt versendet versandt geliefert"), 3, -3.0),
            (("kostet kosten", "versand lieferung zustellung"), 2, 3.0),  # what delivery costs
            (("mail email link code erstattung rückerstattung geld", "angekommen gekommen erhalten bekommen"), 3, -4.0),
            (("mail email", "adresse"), 1, -2.5),  # an e-mail address is no delivery address
            (("kommt", "nicht"), 1, 1.5),
            (("wo", "ist sind"), 1, 1.4),
            (("wo", "bleibt bleiben"), 0, 2.5),
            (("wo", "ist sind bleibt", "sachen zeug"), 3, 3.5),  # where the things are
            (("bleibt ist", "geld erstattung rückerstattung gutschrift"), 2, -2.5),  # "wo bleibt mein Geld?"
            (("nicht nichts", "da angekommen gekommen eingetroffen erhalten bekommen geliefert"), 2, 2.0),
            (("wann", "kommt kommen"), 3, 2.0),
        ),
        "es": (
            (("adresse adres dirección direccion", "xemailx"), 3, -2.5),
            (("boletín boletin newsletter correo correos", "que", "me", "llega llegan"), 1, -3.0),  # a newsletter
            (("me", "llega llegan", "cada todos"), 0, -2.0),  # "que me llega cada día": something that comes daily
            (("debería deberia debía debia", "llegado llegar"), 2, 2.5),  # expected by now
            (("cuesta cuestan", "envío envio entrega"), 2, 3.0),  # what delivery costs
            (("llega llegan llegado llegó recibido", "correo correos email emails mail mails enlace código reembolso dinero"), 3, -4.0),
            (("correo correos email emails mail mails enlace código reembolso dinero", "llega llegan llegado llegó recibido"), 3, -4.0),
            (("todavía todavia aún aun", "no", "llega llegado está esta aquí aqui"), 1, 2.5),  # "¿por qué todavía no está aquí?"
            (("dirección direccion", "correo email mail"), 2, -2.5),  # an e-mail address is no delivery address
            (("no", "ha", "llegado"), 1, 1.0),
            (("dónde donde", "está esta están estan"), 0, 1.4),
            (("dónde donde", "está esta están estan", "cosas"), 3, 3.5),
            (("no", "recibido llegado"), 2, 2.0),
        ),
        "pt": (
            (("ainda", "não nao", "chegou chega chegaram recebi"), 1, 2.5),  # "ainda não chegou"
            (("não nao", "chegou chegaram recebi recebido entregue"), 1, 2.0),
            (("onde", "está esta estão estao"), 0, 1.4),
        ),
        "it": (
            (("non", "arrivato arrivata arrivati ricevuto ricevuta consegnato"), 2, 2.0),  # "non è ancora arrivato"
            (("dove", "è sono"), 0, 1.4),
        ),
        "fr": (
            (("adresse adres dirección direccion", "xemailx"), 3, -2.5),
            (("devait devrait aurait", "arriver arrivé arrive livré livre"), 2, 2.5),  # expected by now
            (("est sont", "où"), 0, 1.4),  # "mon casque il est où ?": where a thing is
            # a claim for a parcel ("ouvrez une réclamation pour le colis"), not a complaint
            (("ouvrir ouvrez ouvre", "réclamation reclamation"), 2, 3.0),
            (("réclamation reclamation", "colis paquet livraison"), 3, 3.0),
            (("coûte coute coûtent", "livraison expédition expedition envoi"), 2, 3.0),  # what delivery costs
            (("reçu recu arrivé arrive", "email mail courriel lien code remboursement argent"), 3, -4.0),
            (("email mail courriel lien code remboursement argent", "reçu recu arrivé arrive"), 3, -4.0),
            (("adresse", "email mail courriel"), 1, -2.5),  # an e-mail address is no delivery address
            (("en", "retard"), 0, 0.5),
            (("où ou", "est sont"), 0, 1.4),
            (("où ou", "est sont", "affaires"), 3, 3.5),
            (("pas rien", "reçu recu arrivé arrive arrivée arrivee livré livre"), 1, 2.0),
            (("quand", "arriver arrivera recevoir"), 4, 2.0),
        ),
        "nl": (
            (("adresse adres dirección direccion", "xemailx"), 3, -2.5),
            (("nog", "steeds", "niet", "hier binnen aangekomen bezorgd"), 1, 2.5),  # "waarom is het nog steeds niet hier?"
            (("niet", "hier"), 0, 1.0),
            (("had zou moest", "binnen aangekomen bezorgd geleverd zijn"), 4, 2.5),  # expected by now
            (("kost kosten", "verzending bezorging levering verzenden"), 2, 3.0),  # what delivery costs
            (("mail email link code terugbetaling geld", "ontvangen aangekomen binnen gekomen"), 3, -4.0),
            (("mail email", "adres"), 1, -2.5),  # an e-mail address is no delivery address
            (("te", "laat"), 0, 2.5),
            (("waar", "is zijn"), 0, 1.4),
            (("waar", "blijft blijven"), 0, 2.5),
            (("waar", "is zijn blijft blijven", "spullen"), 3, 3.5),
            (("blijft is", "geld terugbetaling terugstorting"), 2, -2.5),  # "waar blijft mijn geld?"
            (("niet geen niets", "binnen aangekomen ontvangen gekomen geleverd bezorgd"), 2, 2.0),
            (("wanneer", "komt komen"), 3, 2.0),
        ),
    },
)
# fmt: on

DOMAIN = DomainSpec(
    name=NAME,
    title="Shipping",
    description="delivery options, times and costs, parcel tracking, delivery problems, shipping addresses",
    offer="shipping and deliveries",
    example="a delivery",
    vocabulary=VOCABULARY,
    specialists=SPECIALISTS,
    tools=tuple(dict.fromkeys(t for s in SPECIALISTS for t in s.tools)),
    examples=("what delivery options do you have?", "how much does express shipping cost?"),
    dataset_labels=("DELIVERY", "SHIPPING"),
    locates=True,  # answers where a thing named before is ("where is it now?"): its parcel
)
