"""Redaction of secrets a customer may paste, before a message reaches a model, a log or the state.

What goes (README "What is redacted"):
- payment card numbers, 13-19 digits whatever the separators (spaces, no-break spaces, dots, slashes,
  dashes, none), when the Luhn checksum holds and the number starts like a card (IIN): kept as
  "[card ending NNNN]";
- card security codes after a label ("CVV 123", "security code 987"), PINs ("PIN 4831"), and passwords
  after a label in several languages ("password: x", "pwd=x", "Passwort:", "mot de passe", "contraseña"),
  the whole value up to the end of the clause, so multi-word passwords go too: the label stays,
  the value becomes "[redacted]";
- IBANs with or without spaces when the mod-97 check (and the country's length) holds;
- national ids: US SSNs (ddd-dd-dddd that pass python-stdnum's check, or any value after a label such
  as "SSN", "social security number", "national insurance number", "DNI", "BSN", "PESEL");
- API keys and tokens of known shapes (sk-..., ghp_..., github_pat_..., AKIA..., xox?-..., AIza...,
  glpat-..., JWTs, private key blocks) and any long, high-entropy value after "key", "token", "secret",
  "bearer".

What stays: order, invoice, payment, refund and tracking ids, amounts, dates, phone numbers and any other
number that fails the checksums above (a 16-22 digit reference is not a card unless Luhn says so).

The checksums come from python-stdnum; this module only finds the candidates in free text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable

REDACTED = "[redacted]"

# ---------------------------------------------------------------- payment cards

# Digit groups joined by one to three separator characters: space, tab, no-break and narrow spaces,
# dot, slash, dash, underscore. Not preceded by "+" (a phone number) or part of a longer word.
_SEP = r"[ \t\u00a0\u2007\u202f.\-/_]"
_DIGIT_RUN = re.compile(rf"(?<![\w+])\d+(?:{_SEP}{{1,3}}\d+)*(?!\w)")
_GROUP = re.compile(r"\d+")
# Issuer prefixes: Visa 4, Mastercard 51-55 and 2221-2720, Amex 34/37, Diners 30/36/38/39, JCB 35,
# Discover/UnionPay/Maestro 6, Maestro 50 and 56-58.
_IIN = re.compile(r"^(?:4|5[0-8]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[045-9]|6)")


# python-stdnum is loaded by the first candidate that needs a checksum: most messages have none.
def _luhn_valid(digits: str) -> bool:
    from stdnum import luhn

    return bool(luhn.is_valid(digits))


def _iban_valid(compact: str) -> bool:
    from stdnum import iban

    return bool(iban.is_valid(compact))


def _ssn_valid(value: str) -> bool:
    from stdnum.us import ssn

    return bool(ssn.is_valid(value))


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and bool(_IIN.match(digits)) and _luhn_valid(digits)


def _cards(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        groups = list(_GROUP.finditer(run))
        whole = "".join(g.group(0) for g in groups)
        if _is_card(whole):
            return f"[card ending {whole[-4:]}]"
        if len(groups) < 2:
            return run
        # A card inside a longer run ("paid 12.50 with 4111 1111 1111 1111 12/27"): the longest window
        # of whole groups (each of 3+ digits, as cards are written) that is a card.
        best: tuple[int, int] | None = None
        for i in range(len(groups)):
            digits = ""
            for j in range(i, len(groups)):
                if len(groups[j].group(0)) < 3 and j > i:
                    break
                digits += groups[j].group(0)
                if len(digits) > 19:
                    break
                if j > i and _is_card(digits) and (best is None or j - i > best[1] - best[0]):
                    best = (i, j)
        if best is None:
            return run
        start, end = groups[best[0]].start(), groups[best[1]].end()
        digits = "".join(g.group(0) for g in groups[best[0] : best[1] + 1])
        return run[:start] + f"[card ending {digits[-4:]}]" + _cards(run[end:])

    return _DIGIT_RUN.sub(replace, text)


# ---------------------------------------------------------------- IBANs

_IBAN_CANDIDATE = re.compile(r"(?<![\w])[A-Za-z]{2}\d{2}(?:[ \u00a0\-]?[A-Za-z0-9]){10,32}(?![\w])")
_IBAN_ANYWHERE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}")


def _ibans(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        candidate = match.group(0)
        # The longest prefix ending at a group boundary that is a valid IBAN (the text may run on).
        ends = [m.end() for m in re.finditer(r"[A-Za-z0-9]+", candidate)]
        for end in reversed(ends):
            compact = re.sub(r"[^A-Za-z0-9]", "", candidate[:end]).upper()
            if 15 <= len(compact) <= 34 and _iban_valid(compact):
                return "[IBAN redacted]" + candidate[end:]
        return candidate

    return _IBAN_CANDIDATE.sub(replace, text)


# ---------------------------------------------------------------- API keys and tokens

_KEY_SHAPES = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)"
    r"|(?<![\w-])(?:"
    r"sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}"
    r"|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}"
    r"|gh[pousr]_[A-Za-z0-9]{30,}"
    r"|github_pat_[A-Za-z0-9_]{22,}"
    r"|(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}"
    r"|xox[abprs]-[A-Za-z0-9\-]{10,}"
    r"|AIza[0-9A-Za-z_\-]{35}"
    r"|glpat-[A-Za-z0-9_\-]{20,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}"
    r")",
    re.DOTALL,
)
_KEY_LABEL = re.compile(
    # Not after a letter or digit, but after "_" (aws_secret_access_key=...).
    r"(?P<label>(?<![A-Za-z0-9])(?:api[ _-]?key|access[ _-]?key(?:[ _-]?id)?|"
    r"secret(?:[ _-]?(?:access[ _-]?)?key)?|client[ _-]?secret|"
    r"(?:access|auth|bearer|refresh|api|session)?[ _-]?token|bearer|key)(?![A-Za-z0-9]))"
    r"(?P<sep>\s*(?:(?:is|was)\b\s*|[:=]\s*)*)"
    r"(?P<value>[\"']?[A-Za-z0-9_\-./+=~]{16,}[\"']?)",
    re.IGNORECASE,
)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    """A token rather than a word or an id: mixes letters and digits and has high character entropy."""
    value = value.strip("\"'")
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and _entropy(value) >= 3.3


def _keys(text: str) -> str:
    text = _KEY_SHAPES.sub("[key redacted]", text)
    return _KEY_LABEL.sub(
        lambda m: f"{m['label']}{m['sep']}[key redacted]" if _looks_random(m["value"]) else m.group(0), text
    )


# ---------------------------------------------------------------- national ids

_ID_LABEL = re.compile(
    r"(?P<label>\b(?:ssn|social[ -]security(?:[ -](?:number|no\.?|#))?|nino|"
    r"national[ -](?:insurance|id(?:entity)?|identification)(?:[ -](?:number|no\.?|card))?|"
    r"tax[ -]?(?:id|identification number|number)|itin|"
    r"passport(?:[ -](?:number|no\.?))?|driver'?s? licen[cs]e(?:[ -](?:number|no\.?))?|"
    r"dni|nie|nif|bsn|pesel|personnummer|codice fiscale|"
    r"num[ée]ro de s[ée]curit[ée] sociale|steuer-?id|sozialversicherungsnummer|personalausweis(?:nummer)?)\b)"
    r"(?P<sep>\s*(?:(?:is|was|ist|est|es|number|no)\b\.?\s*|[#:=]\s*)*)"
    # Italy's codice fiscale, or up to 3 letters, 4-21 digits (with separators) and a check letter.
    r"(?P<value>[A-Za-z]{6}\d{2}[A-Za-z]\d{2}[A-Za-z]\d{3}[A-Za-z]"
    r"|[A-Za-z]{0,3} ?\d(?:\d|[ .\-/](?=\d)){3,20}(?: ?[A-Za-z])?)(?!\w)",
    re.IGNORECASE,
)
_SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")


def _national_ids(text: str) -> str:
    text = _ID_LABEL.sub(lambda m: f"{m['label']}{m['sep']}{REDACTED}", text)
    return _SSN.sub(lambda m: "[SSN redacted]" if _ssn_valid(m.group(0)) else m.group(0), text)


# ---------------------------------------------------------------- passwords, PINs, security codes

_PASSWORD_LABEL = (
    r"pass(?:word|wd|code|phrase)|pwd|pw|passwort|kennwort|mot[ -]de[ -]passe|mdp|"
    r"contrase(?:ñ|n)a|clave|senha|wachtwoord|parola d'ordine|has(?:ł|l)o|lösenord|adgangskode|salasana"
)
# The value runs to the end of the clause: a sentence or clause mark, a line end, or a conjunction
# that starts the next clause. With "=" (key=value) it stops at the first space or "&".
_CLAUSE_END = (
    r"(?=[,;!?\n]|\.(?:\s|$)|$|\s+(?:and|but|so|then|also|because|please|thanks|und|aber|bitte|et|mais|"
    r"merci|y|pero|gracias|por favor)\b)"
)
_PASSWORD = re.compile(
    rf"(?P<label>\b(?:{_PASSWORD_LABEL})\b)"
    r"(?:(?P<eq>=)(?P<token>[^\s&;,]+)"
    r"|(?P<qsep>\s+)(?P<quoted>\"[^\"\n]*\"|'[^'\n]*'|“[^”\n]*”)"
    # No separator ("my password hunter2 fails"): one token that looks made up (a digit or a symbol).
    r"|(?P<bsep>\s+)(?P<bare>(?=[^\s]*[\d!@#$%^&*+~|<>{}])(?![^\s]*\[redacted\])[^\s,;]{6,64})(?=[\s,;.!?]|$)"
    r"|(?P<sep>\s*(?:(?:is|was|ist|lautet|war|est|était|es|era|é)\b\s*|[:=]\s*)+)"
    rf"(?P<value>\"[^\"\n]*\"|'[^'\n]*'|[^\s,;!?\n].*?{_CLAUSE_END}))",
    re.IGNORECASE,
)
# The store's own ids are never a password ("password reset for ORD-100001" keeps the order).
_AN_ID = re.compile(r"^(?:ORD|INV|PAY|RF|TRK|CUST|SHP|TCK|APR|PRD|REV)-?[A-Z0-9]+[.,;!?]?$", re.IGNORECASE)
# Words that describe a password rather than being one ("my password is wrong"): not redacted.
_NOT_A_PASSWORD = re.compile(
    r"^(?:not|no longer|wrong|incorrect|invalid|expired|too|being|still|"
    r"locked|blocked|lost|forgotten|reset|changed|rejected|refused|falsch|abgelaufen|incorrecte?|"
    r"faux|incorrecta|incorrecto|inválida|invalida)\b",
    re.IGNORECASE,
)
_CODE = re.compile(
    r"(?P<label>\b(?:cvv2?|cvc2?|csc|cvn|cid|card verification (?:code|value|number)|"
    r"sec(?:urity)? code|(?:3|4|three|four)[ -]digit (?:security )?code|"
    r"code on the back(?: of (?:my|the) card)?|sicherheitscode|prüfnummer|kartenprüfnummer|"
    r"code de s[ée]curit[ée]|cryptogramme|c[óo]digo de seguridad|"
    r"pin(?:[ -]?(?:code|number|nummer|nr\.?))?|code pin|geheimzahl)\b)"
    r"(?P<sep>\s*(?:(?:is|was|ist|est|es|of)\b\s*|'s\b\s*|[#:=]\s*)*)"
    r"(?P<value>\d(?:[ \-]?\d){2,7})(?!\d)",
    re.IGNORECASE,
)


def _passwords(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        if m["token"] is not None:
            return f"{m['label']}{m['eq']}{REDACTED}"
        if m["quoted"] is not None:
            return f"{m['label']}{m['qsep']}{REDACTED}"
        if m["bare"] is not None:
            if _AN_ID.match(m["bare"]):
                return m.group(0)
            return f"{m['label']}{m['bsep']}{REDACTED}"
        if m["value"].startswith(REDACTED) or _NOT_A_PASSWORD.match(m["value"]):
            return m.group(0)
        return f"{m['label']}{m['sep']}{REDACTED}"

    text = _CODE.sub(lambda m: f"{m['label']}{m['sep']}{REDACTED}", text)
    return _PASSWORD.sub(replace, text)


# ---------------------------------------------------------------- all together

# Keys first (they contain digit runs), then labelled values, then the checksummed numbers.
_STEPS: tuple[Callable[[str], str], ...] = (_keys, _passwords, _national_ids, _ibans, _cards)


def redact(text: str) -> str:
    """`text` with every secret it holds replaced by a marker (idempotent: redacting twice changes nothing)."""
    for step in _STEPS:
        text = step(text)
    return text
