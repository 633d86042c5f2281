"""Regex entity extraction for customer requests.

``extract_entities(text)`` never raises on a string (any length, any characters) and returns an
:class:`~agents.contracts.Entities`. Ids are normalised (``order 100234``, ``#100234`` and
``ord-100234`` all become ``ORD-100234``); amounts become decimal strings with two decimals
(``"$49.90"``, ``"49,90 EUR"``, ``"€12"`` -> ``"49.90"``, ``"49.90"``, ``"12.00"``); dates, e-mails
and postal addresses are kept as written. All patterns are compiled at import and have bounded
repetition, so the cost is linear in the text length.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from switchboard.agents.contracts import Entities

__all__ = ["MAX_ENTITY_TEXT", "extract_entities"]

#: Only the first MAX_ENTITY_TEXT characters are scanned (a request is not a novel).
MAX_ENTITY_TEXT = 20_000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")

# ------------------------------------------------------------------ ids
_ORDER_ID = re.compile(r"(?<![A-Za-z0-9])ORD[-_ ]?#?(\d{4,12})(?!\d)", re.IGNORECASE)
_ORDER_WORD_ID = re.compile(
    r"\b(?:order|purchase)s?\s*(?:(?:no\.?|nr\.?|number|num\.?|id)\s*)?(?:[:#]\s*)?(\d{4,12})(?!\d)",
    re.IGNORECASE,
)
_INVOICE_ID = re.compile(r"(?<![A-Za-z0-9])INV[-_ ]?#?(\d{4,12})(?!\d)", re.IGNORECASE)
_INVOICE_WORD_ID = re.compile(
    r"\b(?:invoice|bill|receipt)s?\s*(?:(?:no\.?|nr\.?|number|num\.?|id)\s*)?(?:[:#]\s*)?(\d{4,12})(?!\d)",
    re.IGNORECASE,
)
_HASH_ID = re.compile(r"(?<![\w#])#\s?(\d{4,12})(?!\d)")
_TRACKING = re.compile(r"(?<![A-Za-z0-9])TRK[-_ ]?([0-9A-Za-z]{8})(?![A-Za-z0-9])", re.IGNORECASE)

# ------------------------------------------------------------------ money
_CUR_SYM = r"[$€£¥]"
_CUR_CODE = r"(?:usd|eur|euros?|gbp|chf|cad|aud|dollars?|bucks|pounds?|quid)"
_NUM = r"\d{1,3}(?:[,.\s]\d{3}){1,4}(?:[.,]\d{1,2})?|\d{1,9}(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?:{_CUR_SYM}|\b(?:usd|eur|gbp|chf|cad|aud)\b)\s?(?P<a>{_NUM})(?!\d)"
    rf"|(?<![\w.,])(?P<b>{_NUM})\s?(?:{_CUR_SYM}|{_CUR_CODE}\b)",
    re.IGNORECASE,
)

# ------------------------------------------------------------------ dates
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DATE = re.compile(
    r"\b\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"
    r"|\b(?:0?[1-9]|[12]\d|3[01])[/.](?:0?[1-9]|1[0-2])[/.](?:\d{4}|\d{2})\b"
    rf"|\b{_MONTHS}\.?\s+{_DAY}(?:,?\s+\d{{4}})?\b"
    rf"|\b{_DAY}\s+(?:of\s+)?{_MONTHS}\b(?:,?\s+\d{{4}})?"
    r"|\b(?:yesterday|today|tonight|tomorrow|the day before yesterday)\b"
    rf"|\b(?:last|this|next|on)\s+(?:week|month|year|weekend|{_WEEKDAY})\b"
    r"|\b\d{1,2}\s+(?:days?|weeks?|months?)\s+ago\b",
    re.IGNORECASE,
)

# ------------------------------------------------------------------ e-mails
_EMAIL = re.compile(
    r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}\b"
)

# ------------------------------------------------------------------ postal addresses
_STREET_WORDS = (
    r"(?:street|st|avenue|ave|av|road|rd|lane|ln|drive|dr|boulevard|blvd|way|court|ct|place|pl|square|sq"
    r"|terrace|highway|hwy|parkway|pkwy|crescent|close|row|alley|strasse|straße|str|weg|platz|allee|gasse"
    r"|rue|via|viale|piazza|corso|calle|carrer|avenida|paseo|plaza|rua|travessa|chemin|quai|allée|impasse)"
)
_ADDR_TRIGGER = re.compile(
    r"^\s*|(?<=[,:;?!.])\s*|\b(?:address(?:\s+(?:is|to|as|should\s+be|will\s+be))?\s*:?|ship(?:ped)?\s+(?:it\s+)?to|deliver(?:ed)?\s+"
    r"(?:it\s+)?to|send\s+(?:it\s+)?to|moved?\s+to|to|at"
    r"|an|nach|adresse|à|au|naar|adres|op|a|en|direcci[oó]n)\s+",
    re.IGNORECASE,
)
_ADDR_END = re.compile(r"[;!?\n]|\.(?:\s|$)|\s(?:and|but|please|pls|thanks|thank)\b", re.IGNORECASE)
_ADDR_HAS_STREET = re.compile(
    rf"\b{_STREET_WORDS}\b\.?|\w(?:strasse|straße|str\.|weg|platz|allee|gasse|laan|gade|vej|straat|gracht|plein"
    r"|kade|dijk|singel|steeg|markt|ring|damm|ufer)\b",
    re.IGNORECASE,
)
# A street and number followed by a postcode and a town, the common European and US shape without a
# street word: "Prinsengracht 263, 1016 GV Amsterdam", "Via Roma 12, 00184 Roma", "SW1A 1AA London",
# "Springfield, IL 62704"; the postcode: NL 1016 GV, DE/FR/ES/IT 5 digits, BE/AT/CH/DK 4, PT 1000-001,
# UK SW1A 1AA, US IL 62704(-1234).
_ADDR_HAS_POSTCODE = re.compile(
    r"\d{1,5}[a-z]?(?:-\d{1,4})?\s*,\s*(?:\d{4}\s?[A-Z]{2}|\d{4,5}|\d{4}-\d{3})\s+[A-ZÀ-Þ][\w'-]+"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b"
    r"|,\s*[A-Z]{2}\s+\d{5}(?:-\d{4})?\b"
)
# A street and its number side by side: "12 Baker Street", "5 Elm St", "Hauptstraße 5", "Rue de Rivoli 12"
_ADDR_TIGHT = re.compile(
    rf"\d{{1,5}}[a-z]?\s+(?:[A-ZÀ-Þ][\w'-]*\s+){{0,3}}(?i:{_STREET_WORDS})\b"
    r"|[A-ZÀ-Þ][\w'-]*(?:strasse|straße|str\.|weg|platz|allee|gasse|laan|straat|gracht|plein|kade|dijk)\s+\d{1,5}\b",
)
_ADDR_HAS_NUMBER = re.compile(r"\b\d{1,5}[a-z]?\b", re.IGNORECASE)
_ADDR_TAIL = re.compile(
    r"(?:\s+(?:instead|now|asap|please|pls|thanks|stattdessen|bitte|plut[oô]t|svp|merci|en su lugar|gracias"
    r"|in plaats daarvan|graag|alstublieft|bedankt|liefern|schicken|senden|zustellen|sturen|opsturen|leveren"
    r"|bezorgen))+$",
    re.IGNORECASE,
)
_ADDR_LEAD = re.compile(
    r"^(?:(?:now|then|actually|really|still)\s+|(?:yes|yeah|yep|ok|okay|sure|ja|oui|s[ií]|please|pls)\W+)+",
    re.IGNORECASE,
)
_ADDR_STARTS_OK = re.compile(r"[0-9A-Za-zÀ-ÿ]")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_ENTITY_TEXT])
    return _CONTROL.sub(" ", text)


def _add(items: list[str], value: str) -> None:
    if value and value not in items:
        items.append(value)


def _normalise_amount(raw: str) -> str | None:
    s = raw.replace(" ", "")
    if "," in s and "." in s:
        # the later separator is the decimal point: 1,299.50 / 1.299,50
        comma_last = s.rfind(",") > s.rfind(".")
        s = s.replace(".", "").replace(",", ".") if comma_last else s.replace(",", "")
    elif "," in s:
        head, _, tail = s.rpartition(",")
        s = f"{head.replace(',', '')}.{tail}" if len(tail) <= 2 else s.replace(",", "")
    elif s.count(".") > 1 or (s.count(".") == 1 and len(s.rpartition(".")[2]) == 3):
        s = s.replace(".", "")  # 1.299 as a thousands separator
    try:
        return f"{float(s):.2f}"
    except ValueError:
        return None


def _addresses(text: str) -> list[str]:
    found: list[str] = []
    for trig in _ADDR_TRIGGER.finditer(text):
        start = trig.end()
        window = text[start : start + 160]
        if not window or not _ADDR_STARTS_OK.match(window):
            continue
        end = _ADDR_END.search(window)
        candidate = window[: end.start()] if end else window
        candidate = _ADDR_LEAD.sub("", candidate.strip(" ,:-\"'()"))
        # "my work instead: Herengracht 420, ..." -> the address after the colon; "..., 75001 Paris
        # instead" -> without the trailing word
        _, colon, tail = candidate.rpartition(":")
        if colon and _ADDR_HAS_NUMBER.search(tail):
            candidate = tail.strip(" ,-\"'()")
        candidate = _ADDR_TAIL.sub("", candidate).strip(" ,-\"'()")
        if len(candidate) < 5 or not _ADDR_HAS_NUMBER.search(candidate):
            continue
        if not _ADDR_HAS_STREET.search(candidate) and not _ADDR_HAS_POSTCODE.search(candidate):
            continue
        if not trig.group().strip() and (
            not (_ADDR_HAS_POSTCODE.search(candidate) or _ADDR_TIGHT.match(candidate))
            or any(candidate in other for other in found)
        ):  # no trigger word (the text's start, after a comma): only an unmistakable address, not a part
            continue
        # a street word must sit near the number: "12 Baker Street", "Hauptstrasse 5"
        words = candidate.split()
        if len(words) > 14:
            continue
        if any(other in candidate for other in found):
            continue
        # a later trigger inside an earlier candidate ("address of my order to Kerkstraat 5, ...") is the
        # tighter reading: it replaces the longer one
        found = [other for other in found if candidate not in other]
        found.append(candidate)
    return found


@lru_cache(maxsize=1024)
def postal_addresses(text: str) -> tuple[str, ...]:
    """The postal addresses written out in ``text``, as written (for the router: a place)."""
    return tuple(_addresses(_clean(text)))


def extract_entities(text: str) -> Entities:
    """Find ids, amounts, dates, e-mails and postal addresses named in ``text``.

    Returns empty lists for a text without entities (including an empty or non-string text).
    """
    if not isinstance(text, str) or not text:
        return Entities()
    text = _clean(text)
    order_ids: list[str] = []
    invoice_ids: list[str] = []
    tracking: list[str] = []
    amounts: list[str] = []
    dates: list[str] = []
    emails: list[str] = []

    invoice_hits: list[tuple[int, str]] = []
    invoice_spans: set[int] = set()
    for m in _INVOICE_ID.finditer(text):
        invoice_hits.append((m.start(), f"INV-{m.group(1)}"))
    for m in _INVOICE_WORD_ID.finditer(text):
        invoice_hits.append((m.start(1), f"INV-{m.group(1)}"))
        invoice_spans.add(m.start(1))
    order_hits: list[tuple[int, str]] = []
    for m in _ORDER_ID.finditer(text):
        order_hits.append((m.start(), f"ORD-{m.group(1)}"))
    for m in _ORDER_WORD_ID.finditer(text):
        order_hits.append((m.start(1), f"ORD-{m.group(1)}"))
    for m in _HASH_ID.finditer(text):
        if m.start(1) not in invoice_spans:
            order_hits.append((m.start(1), f"ORD-{m.group(1)}"))
    for _, value in sorted(invoice_hits):
        _add(invoice_ids, value)
    for _, value in sorted(order_hits):
        _add(order_ids, value)
    for m in _TRACKING.finditer(text):
        _add(tracking, f"TRK{m.group(1).upper()}")
    for m in _EMAIL.finditer(text):
        _add(emails, m.group(0))
    for m in _AMOUNT.finditer(text):
        raw: str | None = m.group("a") or m.group("b")
        if raw:
            amount = _normalise_amount(raw)
            if amount is not None:
                _add(amounts, amount)
    for m in _DATE.finditer(text):
        _add(dates, " ".join(m.group(0).split()))
    return Entities(
        order_ids=order_ids,
        invoice_ids=invoice_ids,
        tracking_numbers=tracking,
        amounts=amounts,
        dates=dates,
        emails=emails,
        addresses=_addresses(text),
    )
