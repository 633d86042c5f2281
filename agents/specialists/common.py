"""Helpers the deterministic specialists share: which order a brief is about, dates, wording."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from switchboard.agents.contracts import FOLLOWS
from switchboard.agents.specialists import toolkit
from switchboard.agents.specialists.base import SpecialistRun

OPEN_STATUSES = ("placed", "paid", "processing")
_OTHER = re.compile(
    r"\b(other|another|second|previous|older|earlier|andere[nr]?|autre|otro|otra|altro|altra|outro|outra)\b",
    re.IGNORECASE,
)
_LATEST = re.compile(r"\b(last|latest|recent|newest|new)\b", re.IGNORECASE)
# "which of those never turned up?": one or more of the orders the thread just listed
OF_THOSE = re.compile(
    r"\b(?:which|what|any|how many)\b(?:\s+(?:one|ones))?\s+(?:of|from)\s+(?:those|them|these|the above)\b"
    r"|\bwelche (?:davon|von denen|von ihnen)\b|\bcu[aá]l(?:es)? de (?:ellos|ellas|esos|esas)\b"
    r"|\blaquelle|\blequel|\bwelke (?:daarvan|van die)\b",
    re.IGNORECASE,
)
# "and the one before that?", "the order before it", "die davor", "la anterior": the order placed before
# the one the thread was just about
_BEFORE = re.compile(
    r"\b(?:one|order|ones?)\s+(?:before|prior to)\s+(?:that|it|this|then)\b|\bthe (?:one|order) before\b"
    r"|\bdie (?:davor|vorher)\b|\bdavor\b|\bvorherige|\b(?:el|la|lo) (?:de )?antes\b|\b(?:el|la) anterior\b"
    r"|\bcelle d'avant\b|\bcelle davant\b|\bpr[ée]c[ée]dente?\b|\bd'avant\b|\bdie ervoor\b|\bde vorige\b|\bdaarvoor\b",
    re.IGNORECASE,
)
# "what's in the second one?", "die zweite", "la deuxième commande": the Nth of the orders the thread just
# listed, in the order they were listed (newest first)
_ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5,
    "5th": 5, "erste": 1, "ersten": 1, "zweite": 2, "zweiten": 2, "dritte": 3, "dritten": 3, "vierte": 4,
    "primer": 1, "primero": 1, "primera": 1, "segundo": 2, "segunda": 2, "tercer": 3, "tercero": 3,
    "tercera": 3, "cuarto": 4, "cuarta": 4, "premier": 1, "première": 1, "premiere": 1, "deuxième": 2,
    "deuxieme": 2, "seconde": 2, "troisième": 3, "troisieme": 3, "quatrième": 4, "eerste": 1, "tweede": 2,
    "derde": 3, "vierde": 4,
}  # fmt: skip
_ORDINAL_WORD = "|".join(sorted(_ORDINALS, key=len, reverse=True))
_NTH = re.compile(
    rf"\b(?:the|die|das|der|den|el|la|le|de|het)\s+(?P<a>{_ORDINAL_WORD})\b(?!\s+(?:time|thing|step|place|payment|charge))"
    rf"|\b(?P<b>{_ORDINAL_WORD})\s+(?:one|order|item|parcel|package|bestellung|pedido|commande|bestelling)\b",
    re.IGNORECASE,
)


def asks_for_the_one_before(run: SpecialistRun) -> bool:
    """ "and the one before?", "die davor", "la anterior": in a follow-up, the order before the last one."""
    return bool(run.brief.followup and run.brief.earlier.order_ids and _BEFORE.search(run.brief.request))


async def order_before_last(run: SpecialistRun, recent: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The order placed before the one the thread was just about (its row from the order list), or None."""
    last = run.brief.earlier.order_ids[-1]
    at = next((i for i, o in enumerate(recent) if o["id"] == last), None)
    if at is None and len(recent) == 10:
        recent = await run.call(toolkit.list_orders, limit=50)
        at = next((i for i, o in enumerate(recent) if o["id"] == last), None)
    return recent[at + 1] if at is not None and at + 1 < len(recent) else None


async def open_claims(run: SpecialistRun) -> dict[str, dict[str, Any]]:
    """The customer's open lost-parcel claims (tickets), by order id."""
    return {
        t["order_id"]: t
        for t in await run.call(toolkit.list_tickets, status="open")
        if str(t.get("subject", "")).startswith("Lost parcel claim")
    }


def address_line(a: dict[str, Any]) -> str:
    """A saved address in one line: "home: 12 Rua X, 8000-123 Faro (default)"."""
    parts = [
        a.get("line1"),
        a.get("line2"),
        " ".join(str(x) for x in (a.get("postal_code"), a.get("city")) if x),
    ]
    where = ", ".join(str(p) for p in parts if p)
    return f"{a.get('label') or 'address'}: {where}{' (default)' if a.get('is_default') else ''}"


def offered(run: SpecialistRun, offer: str, not_done: str) -> str:
    """`offer` ("I can open a claim ...: just tell me if you want it"), unless the customer has just said no
    to it ("no, leave it for now"): then that it was not done (`not_done`: "opened a lost-parcel claim")."""
    if run.brief.declined:
        return f"All right: I have not {not_done}. Just tell me if you change your mind."
    return offer


def nth_listed(text: str) -> int | None:
    """The position named by an ordinal reference ("the second one" -> 2), or None."""
    found = _NTH.search(text)
    return _ORDINALS[(found.group("a") or found.group("b")).lower()] if found else None


def nth_of_listed(run: SpecialistRun, recent: list[dict[str, Any]]) -> dict[str, Any] | None:
    """In a follow-up, the order an ordinal points at among the orders the thread named ("what's in the
    second one?" after a list of four), counted as they were listed: newest first. None otherwise."""
    if not run.brief.followup or len(run.brief.earlier.order_ids) < 2:
        return None
    nth = nth_listed(run.brief.newest_part() or run.brief.message or run.brief.request)
    listed = [o for o in recent if o["id"] in run.brief.earlier.order_ids]
    return listed[nth - 1] if nth is not None and nth <= len(listed) else None


_LIST = re.compile(
    r"\b(all|every|list|history|so far|ever|which orders|what orders|my orders|orders (have|did) i"
    r"|how many orders|cu[áa]ntos pedidos|wie viele bestellungen|combien de commandes|hoeveel bestellingen"
    r"|meine bestellungen|alle bestellungen|mis pedidos|todos (?:mis|los) pedidos|mes commandes"
    r"|toutes (?:mes|les) commandes|mijn bestellingen|alle bestellingen)\b"
    r"|^\W*what (have|did) i (ever )?(buy|bought|order|ordered|purchase|purchased)( from you| with you)?\W*$",
    re.IGNORECASE,
)

# An order described by what became of it: "the cancelled one", "the order I returned", "the one that was
# delivered", "la commande annulée", "die stornierte Bestellung", "el pedido cancelado". Only attributive
# and relative forms: "has it been delivered?" asks about the order meant, it does not describe one.
_STATUS_WORDS: dict[str, str] = {
    "cancelled": "cancelled", "canceled": "cancelled", "annulée": "cancelled", "annulee": "cancelled",
    "annulé": "cancelled", "storniert": "cancelled", "stornierte": "cancelled", "stornierten": "cancelled",
    "cancelado": "cancelled", "cancelada": "cancelled", "anulado": "cancelled", "anulada": "cancelled",
    "geannuleerd": "cancelled", "geannuleerde": "cancelled",
    "returned": "returned", "retourné": "returned", "retournée": "returned", "devuelto": "returned",
    "devuelta": "returned", "zurückgeschickt": "returned", "zurückgeschickte": "returned",
    "teruggestuurd": "returned", "teruggestuurde": "returned",
    "delivered": "delivered",
}  # fmt: skip
_STATUS_WORD = "|".join(sorted(_STATUS_WORDS, key=len, reverse=True))
_DESCRIBED_STATUS = re.compile(
    rf"\b(?:the|that|my|die|der|den|la|le|el|de|het)\s+(?P<a>{_STATUS_WORD})\s+(?:one|order|purchase|bestellung|commande|pedido|bestelling)\b"
    rf"|\b(?:one|order|purchase)\s+(?:that\s+|which\s+)?(?:i\s+|we\s+)?(?:had\s+|have\s+|ve\s+|already\s+)?(?P<b>cancelled|canceled|returned)\b"
    rf"|\bthe one\s+(?:that\s+|which\s+)?(?:was|got|is|i)\s+(?P<c>{_STATUS_WORD})\b"
    rf"|\b(?:commande|pedido|bestelling)\s+(?P<d>{_STATUS_WORD})\b"
    rf"|\b(?:que|die|dat)\s+(?:j\W?ai|ich|ik|he)\s+(?:\w+\s+){{0,3}}?(?P<e>{_STATUS_WORD})\b",
    re.IGNORECASE,
)


def statuses_described(text: str) -> set[str]:
    """The statuses a request describes its order by ("the cancelled one" -> {"cancelled"})."""
    found = set()
    for m in _DESCRIBED_STATUS.finditer(text):
        word = next(g for g in m.groups() if g)
        found.add(_STATUS_WORDS[word.lower()])
    return found


# A question about what could be done, not a request to do it: "could I still cancel it if I wanted to?",
# "just wondering whether a return is possible", "si je voulais annuler", "falls ich stornieren wollte".
_HYPOTHETICAL = re.compile(
    r"\bif (?:i|we) (?:wanted|want|wished|wish|needed|decided|decide|chose|choose|change my mind|changed my mind)\b"
    r"|\b(?:in case|just in case) (?:i|we)\b|\bhypothetically\b|\bjust (?:asking|wondering|curious|checking)\b"
    r"|\bsi (?:je voulais|je veux|quisiera|quiero|quisiéramos)\b|\bfalls ich\b|\bwenn ich (?:wollte|möchte|will)\b"
    r"|\bals ik (?:zou|wil|wilde)\b"
    # whether it still can be done ("is ORD-1 still cancellable or is it too late?", "can I still cancel my
    # garden order?"): the blind writers expect the answer, not the cancellation
    r"|\b(?:still )?cancel+able\b|\bor is it too late\b|\bis it (?:already )?too late to\b"
    r"|\b(?:is it|would it be) (?:still )?possible to cancel\b|\bcan (?:i|we) still cancel\b|\bcan it still be cancel",
    re.IGNORECASE,
)


def hypothetical(text: str) -> bool:
    """Does the request ask what could be done rather than ask for it ("... if I wanted to")?"""
    return bool(_HYPOTHETICAL.search(text))


# Month names of the languages customers write in, for "the one I bought in July" / "im Juli" / "en julio".
_MONTH_NAMES: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar janvier enero januari",
        "february feb februar fevrier février febrero februari",
        "march mar marz märz maerz mars marzo maart",
        "april apr avril abril",
        "may mai mayo mei",
        "june jun juni juin junio",
        "july jul juli juillet julio",
        "august aug aout août agosto augustus",
        "september sep sept septembre septiembre",
        "october oct oktober octobre octubre",
        "november nov novembre noviembre",
        "december dec dezember decembre décembre diciembre",
    ),
    1,
):
    for _name in _names.split():
        _MONTH_NAMES[_name] = _number
_AMBIGUOUS_MONTHS = {"may", "mar", "jan", "mai", "mei"}  # "may I", "mar" (Spanish sea) need a cue first
_MONTH_NOUN = re.compile(
    r"\s+(order|orders|purchase|one|delivery|invoice|payment|bestellung|commande|pedido|bestelling)\b",
    re.IGNORECASE,
)
_MONTH_CUE = re.compile(r"\b(in|since|from|back in|during|im|en|au|en el|de|van|on|of)\s+$", re.IGNORECASE)

# Words in a request that say nothing about which product is meant (they are in many product names or
# in almost every request): a product is recognised by its own words ("the headphones", "the candle").
_NOT_PRODUCT = frozenset(
    """a an the and or of for with from to in on at by my your our me i you it its this that these those
    one ones thing things stuff item items order orders ordered purchase bought buy product products new
    old last other another card set pack pair pairs edition active compact silent quick classic mini pro
    plus max large small big kids children outdoor l kg cm ml x st nd rd th where what when which who how
    why is are was were be been have has had do does did can could would will please thanks still yet
    not no never get got return refund cancel send sent back money paid pay charged price total shipping
    delivery parcel package tracking status invoice running late today time week weeks day days month
    ago again twice double person persons people personne persona personas persoon mensch human
    season seasons man woman men women""".split()  # noqa: SIM905 (a word list reads better as words)
)
_WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ'-]+", re.IGNORECASE)


def _word_forms(word: str) -> set[str]:
    """A word and its singular ("headphones" -> "headphone"), lower case."""
    w = word.lower().strip("'-")
    forms = {w}
    if len(w) > 4 and w.endswith("es"):
        forms.add(w[:-2])
    if len(w) > 3 and w.endswith("s"):
        forms.add(w[:-1])
    return forms


def _product_words(text: str) -> set[str]:
    words: set[str] = set()
    for raw in _WORD.findall(text or ""):
        if raw.lower() in _NOT_PRODUCT or len(raw) < 3:
            continue
        words |= _word_forms(raw)
    return words


def days_named(text: str) -> set[tuple[int, int]]:
    """The (month, day) dates a request names beside a month ("du 30 octobre", "on October 30th", "am 3.
    Mai"): a day of the month narrows the orders of that month."""
    found: set[tuple[int, int]] = set()
    for match in _WORD.finditer(text or ""):
        name = match.group(0).lower().rstrip(".")
        number = _MONTH_NAMES.get(name)
        if number is None:
            continue
        before = re.search(
            r"\b([12]\d|3[01]|0?[1-9])(?:st|nd|rd|th|er|e|º|\.)?\s+(?:de\s+|of\s+)?$", text[: match.start()]
        )
        # "May 3" could be "may 3 of them": only a day before an ambiguous month's name
        after = (
            None
            if name in _AMBIGUOUS_MONTHS
            else re.match(r"\s+([12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\b(?![.,]\d)", text[match.end() :])
        )
        for day_match in (before, after):
            if day_match is not None:
                found.add((number, int(day_match.group(1))))
    return found


def _day_of(order: dict[str, Any]) -> int | None:
    placed = day(order.get("placed_at"))
    return int(placed[8:10]) if len(placed) >= 10 and placed[8:10].isdigit() else None


def months_named(text: str) -> set[int]:
    """The months a request names ("in July", "back in october", "im Februar")."""
    found: set[int] = set()
    for match in _WORD.finditer(text or ""):
        name = match.group(0).lower().rstrip(".")
        number = _MONTH_NAMES.get(name)
        if number is None:
            continue
        if (
            name in _AMBIGUOUS_MONTHS
            and not _MONTH_CUE.search(text[: match.start()])
            and not (  # "the May order", not "I may order"
                _MONTH_NOUN.match(text[match.end() :])
                and re.search(r"\b(the|my|that|this)\s+$", text[: match.start()], re.IGNORECASE)
            )
        ):
            continue
        found.add(number)
    return found


def _items_text(order: dict[str, Any]) -> str:
    items = order.get("items")
    if isinstance(items, str):
        return items
    if isinstance(items, list):
        return ", ".join(str(i.get("product_name", "")) for i in items if isinstance(i, dict))
    return ""


def items_of(order: dict[str, Any]) -> str:
    """The order's products in words ("French Press 1 L, Letters from Lisbon"), or ""."""
    return _items_text(order)


# The store's product categories in the words customers use for them (each as `_product_words` forms).
_CATEGORY_WORDS: dict[str, frozenset[str]] = {
    category: frozenset(f for w in words.split() for f in _word_forms(w))
    for category, words in {
        "garden": "garden gardening tuin garten jardin jardín",
        "books": "book books buch bücher livre livres libro libros boek boeken",
        "clothing": "clothes clothing kleding kleidung vêtements ropa",
        "electronics": "electronics gadget gadgets tech elektronik électronique electrónica elektronica",
        "sports_outdoors": "sports sport outdoor outdoors camping hiking",
        "beauty": "beauty cosmetics skincare makeup",
        "toys_games": "toy toys game games spielzeug jouet juguete speelgoed",
        "office": "office stationery büro bureau oficina kantoor",
        "home_kitchen": "kitchen küche cuisine cocina keuken",
    }.items()
}


# The store's goods in the other languages and in other English words ("Hochbeet", "la friteuse", "my coffee
# machine"): each maps to words of the product names, so "und die für das Hochbeet?" finds the Raised Bed Kit.
# A German compound is matched by its head ("Laufschuhe" ends in "schuhe").
_GOODS_WORDS: dict[str, str] = {
    word: english
    for english, words in {
        "raised bed": "hochbeet bancal huerto potager moestuinbak kweekbak",
        "compost": "kompost komposter kompostbehälter compostador composteur compostbak",
        "shoes sneakers": "schuhe schuh zapatillas zapatos chaussures baskets schoenen sneakers trainers scarpe scarpa sapatos ténis",
        "headphones": "kopfhörer kopfhoerer auriculares casque koptelefoon headset cuffie auscultadores fones",
        "earbuds": "ohrhörer earphones écouteurs ecouteurs oordopjes auricolari",
        "air fryer": "heißluftfritteuse fritteuse friteuse freidora airfryer friggitrice fritadeira",
        "espresso machine": "kaffeemaschine espressomaschine cafetera cafetière koffiemachine koffiezetapparaat macchinetta cafeteira",
        "smartwatch": "uhr reloj montre horloge watch orologio relógio relogio",
        "sleeping bag": "schlafsack saco sac slaapzak",
        "tent": "zelt tienda tente tenda",
        "backpack": "rucksack mochila sac-à-dos rugzak zaino",
        "jacket": "jacke chaqueta veste jas giacca giubbotto casaco",
        "sweater": "pullover pulli jersey pull trui jumper maglione camisola",
        "kettle": "wasserkocher hervidor bouilloire waterkoker bollitore chaleira",
        "lamp": "lampe lámpara lampara lampada lâmpada candeeiro",
        "chair": "stuhl silla chaise stoel sedia cadeira",
        "bench": "bank banco banc",
        "keyboard": "tastatur teclado clavier toetsenbord tastiera",
        "mouse": "maus ratón raton souris muis",
        "book": "buch libro livre boek livro",
        "candle": "kerze vela bougie kaars candela",
        "dumbbells": "hanteln mancuernas haltères halteres dumbbell weights",
        "watering can": "gießkanne giesskanne regadera arrosoir gieter annaffiatoio regador",
        "shears": "gartenschere tijeras sécateur secateur snoeischaar",
        "bottle": "flasche botella bouteille gourde fles borraccia bottiglia garrafa",
        "speaker": "lautsprecher altavoz enceinte speaker",
        "toothbrush": "zahnbürste cepillo brosse tandenborstel spazzolino",
        "yoga mat": "yogamatte esterilla tapis yogamat tappetino",
        "socks": "socken calcetines chaussettes sokken calzini meias",
        "scarf": "schal bufanda écharpe echarpe foulard sjaal sciarpa cachecol",
        "shirt": "hemd camisa chemise overhemd camicia",
        "vest": "weste chaleco gilet bodywarmer piumino",
        "foam roller": "faszienrolle rodillo rouleau",
        "monitor stand": "monitorständer monitorstaender soporte",
        "helmet": "helm casco casque capacete",
    }.items()
    for word in words.split()
}


def goods_words(words: set[str]) -> set[str]:
    """The product-name words the customer's words stand for (see `_GOODS_WORDS`)."""
    found: set[str] = set()
    for w in words:
        english = _GOODS_WORDS.get(w)
        if english is None and len(w) > 6:
            english = next((e for k, e in _GOODS_WORDS.items() if len(k) >= 4 and w.endswith(k)), None)
        if english:
            found |= {f for e in english.split() for f in _word_forms(e)}
    return found


def orders_by_description(request: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The orders a request describes by what is in them or when they were placed, best first.

    Products first: the orders whose item names share the most words with the request ("the trail
    running shoes"); a month named narrows them ("the card game I bought in January"), or, with no
    product named, picks the orders placed that month ("what did I order in July?"). [] when the
    request describes none.
    """
    wanted = _product_words(request)
    wanted |= goods_words(wanted)
    scored: list[tuple[int, dict[str, Any]]] = []
    for order in orders:
        names = _product_words(_items_text(order))
        # a word of the product's name, or a compound that starts with one ("Espressomaschine")
        hits = sum(1 for n in names if n in wanted or (len(n) >= 5 and any(w.startswith(n) for w in wanted)))
        if hits:
            scored.append((hits, order))
    dated = days_named(request)
    months = months_named(request) | {m for m, _ in dated}  # "am 3. Mai": the day makes "Mai" a month
    years = {int(y) for y in re.findall(r"\b(20\d\d)\b", request)}  # "in October 2025": that year's
    in_month = [o for o in orders if _month_of(o) in months and (not years or _year_of(o) in years)]
    if dated:  # "ma commande du 30 octobre": that day's, when an order of the month was placed on it
        on_day = [o for o in in_month if (_month_of(o), _day_of(o)) in dated]
        in_month = on_day or in_month
    statuses = statuses_described(request)
    if not scored:  # "the garden stuff", "my book order": the kind of goods, when no product is named
        for order in orders:
            kinds = str(order.get("categories") or "").split()
            hits = sum(1 for k in kinds for w in _CATEGORY_WORDS.get(k, ()) if w in wanted)
            if hits:
                scored.append((hits, order))
    if scored:
        best = max(h for h, _ in scored)
        matched = [o for h, o in scored if h == best]
        narrowed = [o for o in matched if _month_of(o) in months]
        matched = narrowed or matched
        on_day = [o for o in matched if (_month_of(o), _day_of(o)) in dated]
        matched = on_day or matched
        return [o for o in matched if o["status"] in statuses] or matched
    if statuses:  # "the cancelled one": of those placed that month when a month is named too
        in_status = [o for o in (in_month or orders) if o["status"] in statuses]
        return in_status or in_month
    return in_month


_PARTS = re.compile(r"[?;!]+|\.\s|\s(?:and|also|plus|und|y|et|en)\s", re.IGNORECASE)


def each_described(request: str, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two orders described in two parts of one request ("the desk lamp by transfer? and the May
    order, card?"): each part's order, when at least two parts describe one or two orders each."""
    picked: list[dict[str, Any]] = []
    parts = 0
    for part in _PARTS.split(request):
        found = orders_by_description(part, orders) if part.strip() else []
        if not found or len(found) > 2:
            continue
        parts += 1
        picked += [o for o in found if o not in picked]
    return picked if parts >= 2 else []


def the_other_one(run: SpecialistRun, recent: list[dict[str, Any]]) -> dict[str, Any] | None:
    """ "and the other order?" after a question about one: the most recent order not discussed yet, whatever
    the question before described. None when the new message does not ask about another one, or describes
    it itself ("the other one, the books from April")."""
    current = run.brief.newest_part()
    if not (run.brief.followup and current is not None and _OTHER.search(current)):
        return None
    if orders_by_description(current, recent):
        return None
    # the orders discussed: remembered from earlier turns, else the ones the request before described
    before = run.brief.request.rsplit(FOLLOWS, 1)[0]
    earlier = set(run.brief.earlier.order_ids) or {o["id"] for o in orders_by_description(before, recent)}
    if not earlier:
        return None
    return next((o for o in recent if o["id"] not in earlier), None)


def described_orders(run: SpecialistRun, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`orders_by_description` of the domain's part of the request, else of the whole message (the
    part may only say "it": "... and how much did I pay for it?"); two parts describing two orders
    give both."""
    if (current := run.brief.newest_part()) is not None:
        # "the invoice for the smartwatch order? / und die für das Hochbeet?": what the new message
        # describes first, then the request it follows
        now = orders_by_description(current, orders)
        if now:
            return now
    found = each_described(run.brief.request, orders) or orders_by_description(run.brief.request, orders)
    if not found and run.brief.message and run.brief.message != run.brief.request:
        found = orders_by_description(run.brief.message, orders)
    return found


def points_at_orders(run: SpecialistRun, orders: list[dict[str, Any]]) -> bool:
    """Does the customer say which order they mean: an id, a description, "the other/last one", or a
    follow-up about an order already discussed? When not, an action on "my order" asks which one
    unless only one order can be meant."""
    return bool(
        run.brief.entities.order_ids
        or described_orders(run, orders)
        or _LATEST.search(run.brief.request)
        or (run.brief.followup and run.brief.earlier.order_ids)
    )


def _year_of(order: dict[str, Any]) -> int | None:
    placed = day(order.get("placed_at"))
    return int(placed[:4]) if len(placed) >= 4 and placed[:4].isdigit() else None


def _month_of(order: dict[str, Any]) -> int | None:
    placed = day(order.get("placed_at"))
    return int(placed[5:7]) if len(placed) >= 7 else None


def wants_list(request: str) -> bool:
    """Does the request ask for several orders ("which orders have I placed?", "my order history")?"""
    return bool(_LIST.search(request)) or bool(re.search(r"\borders\b", request, re.IGNORECASE))


async def orders_in_question(
    run: SpecialistRun, *, prefer: tuple[str, ...] = ()
) -> tuple[list[dict[str, Any]], list[str]]:
    """The orders a brief is about, and the ids it named that are not the customer's.

    Named ids first; then the orders the request describes (by product or month, see
    `orders_by_description`; of several, those in the preferred statuses); a follow-up asking about
    "the other order" means a recent order not discussed earlier; otherwise the most recent order,
    preferring the given statuses. More than one order back means the request fits several: a caller
    that must act on one asks which.
    """
    named = run.brief.entities.order_ids
    found: list[dict[str, Any]] = []
    unknown: list[str] = []
    for order_id in named:
        order = await run.call(toolkit.get_order, order_id=order_id)
        if order is None:
            unknown.append(order_id)
        else:
            found.append(order)
    if named:
        return found, unknown
    recent = await run.call(toolkit.list_orders, limit=10)
    if not recent:
        return [], []
    earlier = set(run.brief.earlier.order_ids)
    if run.brief.followup and earlier and OF_THOSE.search(run.brief.message or run.brief.request):
        listed = [o for o in recent if o["id"] in earlier][:5]
        if listed:
            return [(await run.call(toolkit.get_order, order_id=o["id"])) or o for o in listed], []
    nth = nth_of_listed(run, recent)
    if nth is not None:
        return [(await run.call(toolkit.get_order, order_id=nth["id"])) or nth], []
    if asks_for_the_one_before(run):
        before = await order_before_last(run, recent)
        full = await run.call(toolkit.get_order, order_id=before["id"]) if before else None
        return ([full or before] if before else []), []
    other = the_other_one(run, recent)
    if other is not None:
        full = await run.call(toolkit.get_order, order_id=other["id"])
        return [full or other], []
    described = described_orders(run, recent)
    if described:
        preferred = [o for o in described if o["status"] in prefer]
        pick = preferred[:1] if len(preferred) == 1 else (preferred or described)[:5]
    elif run.brief.followup and earlier and _OTHER.search(run.brief.request):
        others = [o for o in recent if o["id"] not in earlier]
        pick = others[:1]
    elif run.brief.followup and earlier and not _LATEST.search(run.brief.request):
        pick = [o for o in recent if o["id"] == run.brief.earlier.order_ids[-1]][:1] or recent[:1]
    else:
        preferred = [o for o in recent if o["status"] in prefer]
        pick = (preferred or recent)[:1]
    detailed = []
    for order in pick:
        full = await run.call(toolkit.get_order, order_id=order["id"])
        detailed.append(full or order)
    return detailed, []


def day(value: str | None) -> str:
    """'2026-10-20T09:30:00+00:00' -> '2026-10-20'."""
    return (value or "")[:10]


def not_found_sentence(ids: list[str], kind: str = "order") -> str:
    if not ids:
        return ""
    listed = ", ".join(ids)
    return f"I could not find {kind} {listed} on your account; please check the number. "


DELIVERED = "delivered"


def days_late(shipment: dict[str, Any], today: date) -> int:
    """Days past the promised date of a parcel not yet delivered (0 when on time or delivered)."""
    promised = shipment.get("promised_by")
    if not promised or shipment["status"] == DELIVERED:
        return 0
    return max(0, (today - date.fromisoformat(day(promised))).days)


def last_event(shipment: dict[str, Any]) -> str:
    events = shipment.get("events") or []
    if not events:
        return "no scan yet"
    e = events[0]
    return f"{day(e.get('ts'))} {e.get('location') or ''}: {e.get('description') or e.get('status')}".strip()


def is_late(shipment: dict[str, Any], today: date) -> bool:
    return shipment["status"] == "delayed" or days_late(shipment, today) > 0


def shipment_sentence(s: dict[str, Any], today: date, what: str = "") -> str:
    """Where a parcel is, in one sentence that says what matters: delivered (when), lost, late (by how
    much, since when, last scan) or on its way (carrier, expected date). ``what`` names the contents."""
    subject = f"Your parcel {s['tracking_number']} for order {s['order_id']}" + (f" ({what})" if what else "")
    carrier = s.get("carrier") or "the carrier"
    if s["status"] == DELIVERED:
        delivered, promised = day(s.get("delivered_at")), day(s.get("promised_by"))
        timing = ""
        if delivered and promised:  # ISO dates: compared as text
            timing = (
                f", on time (promised by {promised})"
                if delivered <= promised
                else f", later than promised ({promised})"
            )
        return f"{subject} was delivered by {carrier} on {delivered}{timing}."
    if s["status"] == "lost":
        return (
            f"{subject} has been reported lost by {carrier}; it was promised by {day(s.get('promised_by'))} "
            f"(last scan: {last_event(s)})."
        )
    late = days_late(s, today)
    if is_late(s, today):
        overdue = f" and is {late} day(s) overdue" if late else ""
        return (
            f"{subject} is late: {carrier} promised it by {day(s.get('promised_by'))}{overdue} "
            f"(last scan: {last_event(s)})."
        )
    return (
        f"{subject} is {s['status'].replace('_', ' ')} with {carrier}: it is on its way and should arrive by "
        f"{day(s.get('promised_by'))} (last scan: {last_event(s)})."
    )
