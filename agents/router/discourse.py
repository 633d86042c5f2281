"""What in a clause is asked for: disclaimers, asides and other companies' services.

Works on a clause's words as the normaliser leaves them (lower case, "don't" -> "don t"):

- ``disclaimed``: the words a disclaimer takes out of the request ("I don't want a refund",
  "this is not about billing", "not a complaint"), up to a contrast word ("just", "but") or the end
  of the clause; a disclaimer of a pronoun ("so it's not about that") points back at the words before
  it. A negated event ("hasn't arrived", "never got my refund") is a problem report and stays.
- ``is_aside``: a passing mention ("thanks for the quick delivery", "logged in fine this time",
  "big fan of your e-mails btw"); the router routes to an aside only when nothing else is asked.
- ``other_company``: the clause is about another company's service ("my Netflix subscription", "log
  into my Instagram") and does not refer to this store.

The vocabulary is shared (``lexicon.py``): none of it names a domain.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from switchboard.agents.router import lexicon as lx

__all__ = ["disclaimed", "is_aside", "other_company"]

# Words allowed between a negator and its head: "don t really want", "is not actually about".
_FILLERS = frozenset(
    lx.words(
        "t s m re i it this that is am are was be do really actually even necessarily so too much "
        "je j veux pas ich es ik het"
    )
)
# Desire verbs before a negated noun phrase: "ich will keine Erstattung", "ik wil geen factuur".
_POSTPOSED = frozenset({"kein", "keine", "keinen", "keiner", "geen", "nicht", "niet"})
# What a disclaimer of a pronoun may say it does not want done with it ("I'm locked out - not asking you
# to fix that now"): it still points back at what was said before.
_SEEING_TO = frozenset(
    lx.words("fix fixed sort sorted solve deal handle look resolve chase now today yet right moment")
)
_BE = frozenset(lx.words("être etre ser werden worden"))
_ADVERBS = frozenset(lx.words("only just already also even originally recently actually literally"))
_DETERMINERS = frozenset(lx.words("the my a an your any those these"))
_NOT_BUT = frozenset(lx.words("just only but rather instead"))
_WHILE_HERE = frozenset(lx.words("here at"))  # "while I'm here", "while you're at it"
_DOING = frozenset(
    lx.words(
        "unsubscribe cancel change send tell show check give update close open escalate return refund stop "
        "remove take sort fix look"
    )
)
_MAX_GAP = 3
_OPENING = 4  # a negator among a clause's first words can open a correction ("nicht ..., sondern")
# After "not a/an/any" (and the other languages' "un", "ein", "een"), only DISCLAIM_NOUNS disclaim.
_ARTICLES = frozenset(lx.words("a an any un una une ein eine einen een"))


def _head_after(words: Sequence[str], i: int) -> int | None:
    """Index of the disclaimer head after the negator at ``i``, or None."""
    j = i + 1
    skipped = 0
    while j < len(words) and skipped <= _MAX_GAP:
        w = words[j]
        if w in lx.DISCLAIM_HEADS:
            if w in _ARTICLES:
                nxt = words[j + 1] if j + 1 < len(words) else ""
                return j if nxt in lx.DISCLAIM_NOUNS else None
            return j
        if w not in _FILLERS:
            return None
        j += 1
        skipped += 1
    return None


def _dismissal(words: Sequence[str]) -> bool:
    """ "forget the invoice", "never mind about the refund" (not "forget everything above")."""
    rest = (
        words[2:]
        if list(words[:2]) == ["never", "mind"]
        else words[1:]
        if words[0] in lx.DISMISSALS
        else None
    )
    return bool(rest) and rest[0] in ("the", "about", "my", "that", "this", "your")  # type: ignore[index]


def disclaimed(words: Sequence[str]) -> tuple[set[int], bool]:
    """Indices of the words a disclaimer takes out of the request, and whether one pointed back.

    Pointing back ("I got the refund already so it's not about that") takes out the words before the
    disclaimer; when there are none, the caller takes out the previous clause.
    """
    out: set[int] = set()
    back = False
    i = 0
    n = len(words)
    while i < n:
        w = words[i]
        start: int | None = None
        if w in lx.NEGATORS or w in lx.FOREIGN_NEGATORS:
            head = _head_after(words, i)
            # "I don't want to be charged for it", "don't want to get billed twice": a worry about what
            # might happen to them, which is the subject, not a request taken back
            after = list(words[head + 1 : head + 3]) if head is not None else []
            worry = after in (["to", "be"], ["to", "get"]) or (
                bool(after) and (after[0] in _BE or after[:2] in (["pas", "être"], ["pas", "etre"]))
            )  # "je ne veux pas être débité", "no quiero ser cobrado dos veces"
            if head is not None and not worry:
                start = i
        if start is None and i == 0 and _dismissal(words):
            start = i
        if (
            start is None
            and w in _POSTPOSED
            and any(words[k] in lx.DISCLAIM_HEADS for k in range(max(0, i - 2), i))
        ):
            start = i
        if start is None and w in lx.NEGATORS and i < _OPENING and i + 1 < n and words[i + 1] in _DETERMINERS:
            # "Not the invoices, just the items": what lies before the correction is taken out
            k = next((k for k in range(i + 2, n) if words[k] in _NOT_BUT), None)
            if k is not None:
                out.update(range(i, k))
                i = k + 1
                continue
        if start is None and (w in lx.NEGATORS or w in lx.FOREIGN_NEGATORS) and i < _OPENING:
            k = next((k for k in range(i + 1, n) if words[k] in lx.CORRECTIONS), None)
            if k is not None:  # "nicht die Lieferung ist das Problem sondern die Abbuchung"
                out.update(range(i, k))
                i = k + 1
                continue
        if start is None:
            i += 1
            continue
        end = start + 1
        while end < n and words[end] not in lx.CONTRAST:
            end += 1
        scope = [words[k] for k in range(start, end)]
        content = [
            x for x in scope[1:] if x not in lx.DISCLAIM_HEADS and (x in lx.ANAPHORS or x not in _FILLERS)
        ]
        if (
            content
            and all(x in lx.ANAPHORS or x in lx.STOPWORDS or x in _SEEING_TO for x in content)
            and any(x in lx.ANAPHORS for x in content)
        ):
            before = [x for x in words[:start] if x not in lx.STOPWORDS and x not in _FILLERS]
            if before:  # "I got the refund already so it's not about that": what came before
                out.update(range(0, end))
            else:  # "(So) it's not about that." on its own: the clause before it
                out.update(range(start, end))
                back = True
        else:
            out.update(range(start, end))
        i = end
    return out, back


def _phrase_free(text: str, phrases: Sequence[str]) -> tuple[str, bool]:
    found = False
    padded = f" {text} "
    for phrase in phrases:
        if f" {phrase} " in padded:
            padded = padded.replace(f" {phrase} ", " ")
            found = True
    return padded.strip(), found


def corrected(words: Sequence[str], following: Sequence[str]) -> bool:
    """A clause that opens with a negation and is corrected by the next ("Nicht die Lieferung ist das
    Problem, | sondern die Abbuchung", "No es el envío, | sino la factura")."""
    if not following:
        return False
    if following[0] in _NOT_BUT and len(words) > 1 and words[0] in lx.NEGATORS and words[1] in _DETERMINERS:
        return True  # "Not the invoices, | just the items"
    return following[0] in lx.CORRECTIONS and any(
        w in lx.NEGATORS or w in lx.FOREIGN_NEGATORS for w in words[:_OPENING]
    )


def is_aside(words: Sequence[str]) -> bool:
    """A clause that reports something fine, thanks for something or is said by the way.

    A phrase ("no issue there", "came on time") marks an aside unless the rest asks or complains; a
    single word ("fine", "btw") only when nothing in the rest is a problem or a request.
    """
    rest, found = _phrase_free(" ".join(words), lx.ASIDE_PHRASES)
    rest_words = rest.split()
    if found:
        return not any(w in lx.ASIDE_PHRASE_BREAKERS or w in lx.FOREIGN_BREAKERS for w in rest_words)
    if not any(w in lx.ASIDE_WORDS for w in rest_words):
        return False
    return not any(w in lx.ASIDE_BREAKERS or w in lx.FOREIGN_BREAKERS for w in rest_words)


def is_reason(words: Sequence[str]) -> bool:
    """A reason given for the request ("because the parcel arrived broken") that asks for nothing itself."""
    if not words or any(w in lx.REQUEST_MARKERS for w in words):
        return False
    if words[0] == "as":  # "as the parcel came damaged", not "as for the invoice"
        return len(words) > 1 and words[1] in lx.REASON_AS_SUBJECTS
    if words[0] in ("while", "whilst"):
        # "while I'm locked out": the circumstance; "while I'm here unsubscribe me from ...": a request
        return not any(w in _WHILE_HERE or w in _DOING for w in words[1:])
    return words[0] in lx.REASON_MARKERS or tuple(words[:2]) in (("the", "reason"), ("reason", "being"))


def _past(verb: str) -> bool:
    """A verb in the past that reports a deed ("returned", "bought"), not a wish ("wanted", "needed")."""
    if verb in lx.WISH_VERBS:
        return False
    return verb in lx.PAST_IRREGULAR or (verb.endswith("ed") and len(verb) > 4)


def _dated(words: Sequence[str]) -> bool:
    """The clause says when something happened: "two weeks ago", "back in October", "hace semanas"."""
    return (
        any(w in lx.AGO_MARKERS for w in words)
        or any((a, b) in lx.DATED_PAIRS for a, b in itertools.pairwise(words))
        or any(a.isdigit() and len(a) <= 2 and b in lx.MONTHS for a, b in itertools.pairwise(words))
        or any(
            a.isdigit() and len(a) <= 2 and b == "de" and c in lx.MONTHS
            for a, b, c in zip(words, words[1:], words[2:], strict=False)
        )
    )


# The perfect tense of the other languages at a clause's start: "j'ai renvoyé la montre", "he devuelto
# el reloj", "ich habe die Uhr zurückgeschickt", "ik heb het horloge teruggestuurd".
_PERFECT_AUX: tuple[tuple[str, ...], ...] = (
    ("j", "ai"), ("nous", "avons"), ("he",), ("hemos",), ("ya", "he"), ("ich", "habe"), ("ich", "hab"),
    ("wir", "haben"), ("ik", "heb"), ("we", "hebben"), ("wij", "hebben"),
)  # fmt: skip
_PARTICIPLE = re.compile(r"\w+(?:é|ée|és|ées|ado|ada|ido|ida|elto|uesto|ierto)|(?:\w*ge\w+(?:t|d|en))")


# Spanish preterite, first person, of the verbs customers report with (what they did)
_PRETERITE = re.compile(r"(?:devolv|ped|compr|pagu|recib|cancel|envi|mand|hic)(?:í|é)")
_PASSIVE = frozenset({"été", "ete", "sido", "gewesen", "geweest", "worden"})


def _foreign_perfect(words: Sequence[str]) -> bool:
    if words and _PRETERITE.fullmatch(words[0]):  # "devolví el smartwatch", "compré unas zapatillas"
        return True
    for aux in _PERFECT_AUX:
        if tuple(words[: len(aux)]) == aux:
            after = words[len(aux) : len(aux) + 4]
            if any(w in _PASSIVE for w in after):  # "j'ai été débitée deux fois": done to them, a complaint
                return False
            return any(_PARTICIPLE.fullmatch(w) for w in after)
    return False


_BECAUSE = lx.words("because since as porque pues weil da parce car omdat want perché perche porquê")


def is_narrative(words: Sequence[str]) -> bool:
    """What was already done, reported without a problem or a request ("I returned the coat last week").

    Chat style drops the subject ("ordered them back in October", "returned it weeks ago"): a clause
    that opens with a verb in the past and says when is background too, in any of the languages
    ("lo pedí hace dos semanas", "j'ai commandé il y a un mois").
    """
    # "Devolví el smartwatch porque no era como lo describían": why it was done is part of the story
    cut = next((i for i, w in enumerate(words) if i >= 2 and w in _BECAUSE), len(words))
    if len(words) < 3 or any(
        w in lx.ASIDE_BREAKERS or w in lx.REQUEST_MARKERS or w in lx.FOREIGN_BREAKERS for w in words[:cut]
    ):
        return False
    if any(
        a == "been" and (b.endswith(("ed", "ing")) or b in lx.PAST_IRREGULAR)
        for a, b in itertools.pairwise(words)
    ):
        return False  # "I've been locked out for a week", "been waiting since May": the problem, ongoing
    if _foreign_perfect(words):
        return True
    for i, w in enumerate(words[:3]):
        if w in lx.NARRATIVE_SUBJECTS and i + 1 < len(words):
            j = i + 1
            while j + 1 < len(words) and words[j] in _ADVERBS:  # "I only placed one order"
                j += 1
            return _past(words[j])
    if _past(words[0]) and _dated(words):
        return True
    return _dated(words) and not any(w in lx.QUESTION_WORDS for w in words)


def reported_source(words: Sequence[str]) -> set[int]:
    """Indices of who reported something ("the agent on the chat said ...", "told by your support team
    that ..."): the source of what the customer repeats, not something asked for."""
    for i, w in enumerate(words[:10]):
        if w not in lx.REPORTING_VERBS:
            continue
        if i + 1 < len(words) and words[i + 1] == "by":  # "I was told by your support team that ..."
            end = next((k for k in range(i + 2, len(words)) if words[k] == "that"), None)
            if end is not None and any(words[k] in lx.REPORTERS for k in range(i + 2, end)):
                return set(range(i + 1, end + 1))
            return set()
        if any(x in lx.REPORTERS for x in words[:i]):
            return set(range(0, i + 1))
    return set()


# Where the customer wrote something before is its source, not a request of its own: "it's written in
# my review", "as I said in my review", "see my review" (the request is what the rest asks).
_WRITTEN_VERBS = lx.words("written wrote said says mentioned stated explained described put see is s")
_WRITTEN_IN = lx.words("review reviews rating")


def written_source(words: Sequence[str]) -> set[int]:
    """Indices of "(written|said|...) in my review" / "see my review": where it was written."""
    for i, w in enumerate(words):
        if w not in _WRITTEN_IN or i < 2 or words[i - 1] not in ("my", "the", "our"):
            continue
        if any(q in ("what", "which", "how", "why") for q in words[:i]):  # a question about the review
            continue
        start = i - 2 if words[i - 2] in ("in", "on") else i - 1
        if words[start] in ("in", "on"):
            if words[start - 1] in _WRITTEN_VERBS:
                return set(range(start - 1, i + 1))
        elif words[start - 1] == "see":  # "see my review"
            return set(range(start - 1, i + 1))
    return set()


# What the customer did to the thing is its description, not a request: "charged for an order I cancelled
# last week", "a refund for the one that we returned", "la friteuse que j'ai annulée", "die Bestellung,
# die ich storniert habe", "el pedido que cancelé".
_DEED_NOUNS = lx.words("order orders one purchase item items thing things product products stuff") | lx.GOODS
_DEED_FOREIGN_NOUNS = lx.words(
    "commande bestellung pedido bestelling friteuse artikel article artículo producto"
)
_DEED_VERBS = lx.words("cancelled canceled returned")
_DEED_AUX = lx.words("had have ve already just recently")
_OF = lx.words(
    "for of on about from with pour de du für fur van voor del por"
)  # the thing is another's object
_DEED_FOREIGN = re.compile(
    r"(?:annul\w*|retourn\w*|renvoy\w*|storniert\w*|zurückgeschickt\w*|cancel[ée]|anul[ée]|devolv[ií]|cancelad\w*"
    r"|geannuleerd\w*|teruggestuurd\w*)"
)


def described_deed(words: Sequence[str]) -> set[int]:
    """Indices of what the customer did to the thing named just before ("an order I cancelled")."""
    found: set[int] = set()
    for i, w in enumerate(words):
        if w in _DEED_VERBS:
            j = i - 1
            while j >= 0 and words[j] in _DEED_AUX:
                j -= 1
            if j >= 1 and words[j] in ("i", "we"):
                k = j - 1 if words[j - 1] not in ("that", "which") else j - 2
                if k >= 0 and words[k] in _DEED_NOUNS and any(p in _OF for p in words[max(0, k - 3) : k]):
                    found.add(i)
        elif _DEED_FOREIGN.fullmatch(w):
            # "que j'ai annulée", "die ich storniert habe", "que cancelé": a relative pronoun a few words back
            back = words[max(0, i - 4) : i]
            if (
                any(r in ("que", "die", "den", "das", "dat") for r in back)
                and any(p in _OF for p in words[:i])
                and any(n in _DEED_FOREIGN_NOUNS or n in lx.GOODS for n in words[max(0, i - 7) : i])
            ):
                found.add(i)
    return found


def complaint_topic(words: Sequence[str]) -> set[int]:
    """Indices of what a complaint is about ("a formal complaint about this lost parcel"): the topic of
    the complaint, not a request of its own; up to a contrast word or the end of the clause."""
    out: set[int] = set()
    for i, w in enumerate(words[:-1]):
        if w in lx.COMPLAINT_HEADS and words[i + 1] in lx.TOPIC_MARKERS:
            end = i + 2
            while (
                end < len(words) and words[end] not in lx.CONTRAST and words[end] not in lx.CONTRAST_OPENERS
            ):
                end += 1
            out.update(range(i + 1, end))
    return out


def prefaces(words: Sequence[str], following: Sequence[str]) -> bool:
    """``words`` only lead up to a contrast that follows: praise before "but ..." ("I really like your
    shop, but ...") or an intention given up ("I was going to complain but actually ...")."""
    if not following or following[0] not in lx.CONTRAST_OPENERS:
        return False
    if any(w in lx.ASIDE_BREAKERS for w in words if w not in lx.WISH_VERBS):
        return False
    joined = f" {' '.join(words)} "
    if any(f" {' '.join(p)} " in joined for p in lx.ABANDONED):
        return True
    # "I'd like to close my account, but first ...": a wish, not praise of the shop
    wished = {i + 1 for i, w in enumerate(words) if w in ("d", "would", "should")}
    return any(w in lx.PRAISE_WORDS and not (w == "like" and i in wished) for i, w in enumerate(words))


# "where is it now?", "and where are they?", "wo ist es jetzt?" after a turn about an order: where its
# parcel is, which is tracking (shipping), not the order's status again.
_WHEREABOUTS = re.compile(
    r"^\W*(?:(?:and|ok(?:ay)?|so|then|fine|und|en|et|y|also|dann|alors|pues)\W+)*"
    r"(?:where|wo|waar|o[uù]|d[oó]nde)\b(?:\s+\w+){0,2}?\s+"
    r"(?:it|they|them|that|es|sie|er|het|ze|il|elle|ils|elles|est-il|est-elle|sont-ils|est)\b"
    r"|^\W*(?:y\W+)?d[oó]nde\s+est[aá]n?\b",
    re.IGNORECASE,
)


def asks_whereabouts(text: str) -> bool:
    """A short question where something named before is ("where is it now?", "¿dónde está?")."""
    return len(text.split()) <= 8 and bool(_WHEREABOUTS.search(text))


_PLURAL_PRONOUN = re.compile(r"\b(they|them|ils|elles|est[aá]n)\b|\bsind sie\b|\bzijn ze\b", re.IGNORECASE)


def whereabouts_domains(previous: Sequence[str], text: str = "", previous_text: str = "") -> list[str]:
    """Where to send "where is it now?" after a turn about `previous`: to the domains that locate things
    (`DomainSpec.locates`) when one of `previous` is about something that has a place (`located`: an
    order, a parcel), or when "they" are goods the previous request named ("why was I charged twice for
    the headphones?" / "where are they now?"); else to `previous` ("where is it?" about a refund stays
    with the refund)."""
    from switchboard.agents import registry

    known = {d.name: d for d in registry.domains()}
    locating = [d.name for d in known.values() if d.locates]
    if locating and any(p in known and (known[p].located or known[p].locates) for p in previous):
        return locating
    if locating and names_goods(previous_text) and _PLURAL_PRONOUN.search(text):
        return locating
    return list(previous)


_WHEN_IT_COMES = re.compile(
    r"\b(?:when|how long|how soon|cu[aá]ndo|cu[aá]nto tarda|wann|wie lange|quand|combien de temps|wanneer"
    r"|hoe lang)\b",
    re.IGNORECASE,
)
_THING_NAMED = re.compile(
    r"\b(?:parcel|package|order|delivery|shipment|paquete|pedido|env[ií]o|paket|bestellung|lieferung|sendung"
    r"|colis|commande|livraison|pakket|bestelling|levering|pakje)\b",
    re.IGNORECASE,
)


def only_locating(domains: Sequence[str]) -> bool:
    """Are all of `domains` ones that locate things (`DomainSpec.locates`: where a parcel is, when it comes)?"""
    from switchboard.agents import registry

    locating = {d.name for d in registry.domains() if d.locates}
    return bool(domains) and set(domains) <= locating


def names_goods(text: str) -> bool:
    """Does the text name goods ("the headphones", "a lamp")?"""
    return any(w.lower() in lx.GOODS for w in re.findall(r"[\w'-]+", text))


def asks_when_it_comes(text: str) -> bool:
    """A short question when something said before comes, naming no parcel or goods of its own ("and when
    will it arrive?", "¿y cuándo llegará?", "wann kommt das?"): about the thread's subject, whatever it is."""
    words = re.findall(r"[\w'-]+", text)
    return (
        0 < len(words) <= 7
        and bool(_WHEN_IT_COMES.search(text))
        and not _THING_NAMED.search(text)
        and not any(w.lower() in lx.GOODS for w in words)
    )


def asks_about_it(words: Sequence[str]) -> bool:
    """A short question about something named before ("where is it now?", "when will they come?")."""
    # "did it go through?" asks; "I'm not sure it went through" tells (of what was said before it)
    went_through = bool(words) and words[0] in ("did", "has", "was", "is") and "through" in words
    return (
        0 < len(words) <= 10
        and (went_through or any(w in lx.FOLLOW_UP_QUESTIONS for w in words))
        and any(w in lx.FOLLOW_UP_PRONOUNS for w in words)
    )


def is_thanks(words: Sequence[str]) -> bool:
    """A clause that is only thanks ("thanks!", "cheers"): what it follows was said in passing."""
    return bool(words) and len(words) <= 3 and words[0] in lx.THANKS_WORDS


# "I have no open orders", "Bestellungen habe ich keine mehr offen", "no tengo pedidos pendientes": a
# statement that there is nothing of the kind, said beside a request (closing an account), asks nothing.
_HAVE = lx.words("have has got habe hab haben tengo tenemos tiene ai avons heb hebben")
_NONE = lx.words("no none any keine kein keinen ningún ningun ninguna ninguno aucune aucun geen")
_ORDER_NOUNS = lx.words(
    "order orders purchases bestellung bestellungen pedido pedidos commande commandes bestelling bestellingen"
)
_WH = lx.words(
    "where when why how what which who wo wann warum wie dónde donde cuándo cuando por qué où quand pourquoi waar wanneer waarom hoe"
)
_NOT_NONE = lx.words(
    "late wrong missing broken damaged charged twice refund still why help please pls want need can could would"
)


def has_none(words: Sequence[str]) -> bool:
    """The clause says the customer has none of something ("I have no open orders") and asks nothing."""
    return (
        any(w in _HAVE for w in words)
        and any(w in _NONE for w in words)
        and any(w in _ORDER_NOUNS for w in words)
        and not any(w in _NOT_NONE or w in _WH for w in words)
    )


def ends_asides(words: Sequence[str]) -> bool:
    """The clause opens with "anyway" or "my actual question is": what came before it was said in passing."""
    if len(words) > 2 and words[0] in ("my", "the", "our") and words[1] in _REAL and words[2] in _POINT:
        return True
    return bool(words) and (words[0] in lx.ASIDE_ENDERS or (len(words) > 1 and words[1] in lx.ASIDE_ENDERS))


_REAL = frozenset(("actual", "real", "main", "actually", "proper"))
_POINT = frozenset(("question", "questions", "issue", "problem", "point", "reason", "request", "query"))


def _means(words: Sequence[str], i: int) -> bool:
    """The company at ``i`` is how the customer signs in or pays ("signed up with Google", "paid via my
    Google account"), not the subject ("help me with my Amazon order")."""
    before = words[i - 1] if i else ""
    if before in lx.MEANS_MARKERS:
        return True
    return (
        i >= 2
        and before in lx.DETERMINERS
        and words[i - 2] in lx.MEANS_MARKERS
        and any(w in lx.SIGN_IN_OR_PAY for w in words)
    )


_SHOWS = lx.words(
    "shows show showing says say lists list displays display has have zeigt steht montre affiche indique "
    "toont staat muestra aparece"
)


def other_company(words: Sequence[str]) -> str | None:
    """The other company whose service the clause is about, or None (also when it names this store)."""
    if any(w in lx.STORE_REFERENCES for w in words):
        return None
    for i, w in enumerate(words):
        if w in lx.OTHER_SERVICES or any((w, nxt) in lx.OTHER_SERVICE_PAIRS for nxt in words[i + 1 : i + 4]):
            return w
        if w in lx.OTHER_COMPANIES and not _means(words, i):
            return w
        before = words[max(0, i - 2) : i]
        if w in lx.PROVIDERS and not any(b in lx.PROVIDER_MEANS_MARKERS for b in before):
            platform = lx.PROVIDER_PLATFORM - lx.PROVIDER_PLATFORM_EXCEPT.get(w, frozenset())
            after = words[i + 1 : i + 3]
            # "my bank app shows the same payment twice": where the customer saw our charge, not the subject
            shown = any(v in _SHOWS for v in words[i + 1 : i + 5])
            if any(a in platform for a in after) and not shown:
                return w
    return None
