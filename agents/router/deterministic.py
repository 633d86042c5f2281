"""Deterministic router: request text -> :class:`~agents.contracts.RouteDecision`, no model needed.

How it decides
0. Small talk through and through ("hi", "thanks, bye", "are you a bot?") is a greeting
   (``RouteDecision.greeting``) before any cue word is read.
1. Normalise: NFKC, control characters out, lower case; ids, amounts, e-mails, tracking numbers and
   template slots (``{{Order Number}}``) become placeholder tokens; "e-mail address" -> "email".
   The language (English, German, Spanish, French, Dutch) is detected by function words and
   declared cue words (``language.py``).
2. Split into clauses on sentence ends, ";", ":", ", ", the language's joiners (and, also, but,
   then, und, y, et, en, ...), before a reason ("because ...") and, in English chat style, before a
   fresh request opener ("... pls cancel", "... where is").
3. Tokens are stemmed (Snowball for the other languages); an unknown English token is split when it
   is two glued known words ("myaddress") or else fuzzy-matched to a cue word or its declared form
   (OSA distance 1 for 5-7 letters, 2 from 8, RapidFuzz; SymSpell-style delete index). Proper
   nouns ("Paris") and out-of-scope cues are never targets. Results are cached per token.
4. Discourse (``discourse.py``): words a disclaimer takes out ("I don't want a refund, just ...")
   are dropped; asides, reasons and what the customer already did are marked; a clause about
   another company's service is out of scope.
5. Each clause is scored per domain from the lexicon (``lexicon.py`` and each domain's vocabulary):
   predicate cues, object nouns (counted only when a generic verb binds to them or nothing else
   claims the clause), phrases with small gaps, foreign cue words, and out-of-scope cues.
6. A clause selects its top domain when the score reaches ``CLAUSE_THRESHOLD``; a second domain in
   the same clause needs ``SECOND_THRESHOLD``. Asides count only when nothing else is selected. With
   no clause strong enough, the best total above ``MIN_THRESHOLD`` is taken, unless a runner-up is
   as strong (``CONTRADICTION_RATIO``): then a clarifying question. Nothing selected: out of scope
   with out-of-scope evidence or a word no domain, everyday or shop vocabulary knows; a greeting;
   otherwise a clarifying question. A request whose only evidence was disclaimed is read again
   without the disclaimer ("I don't want these e-mails any more").
7. Confidence grows with the winning evidence and shrinks with the score of unselected domains.

The tables are compiled on first use; routing a typical request takes well under a millisecond.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from switchboard.agents import registry
from switchboard.agents.contracts import FOLLOWS, RouteDecision, RouteRequest
from switchboard.agents.router import discourse
from switchboard.agents.router import lexicon as lx
from switchboard.agents.router.entities import postal_addresses
from switchboard.agents.router.language import detect, fold, stem_in, stems_in

__all__ = [
    "CLAUSE_THRESHOLD",
    "MAX_ROUTE_TEXT",
    "MIN_THRESHOLD",
    "SECOND_THRESHOLD",
    "route_deterministic",
    "stem",
    "tokens_for",
]

#: Only this many characters of a request are read for routing.
MAX_ROUTE_TEXT = 20_000
CLAUSE_THRESHOLD = 2.0
SECOND_THRESHOLD = 2.5
MIN_THRESHOLD = 1.0
ABSORB_THRESHOLD = 1.5
# With only weak evidence (no clause reaches CLAUSE_THRESHOLD), a runner-up this close makes it a question.
CONTRADICTION_RATIO = 0.75
OOS_THRESHOLD = 2.0
# After an opening clause about something else, a later clause needs this much (or a word of this store).
AFTER_OOS_THRESHOLD = 2.5
# What a complaint is about counts this much ("a complaint about the lost parcel" is care's).
TOPIC_SHARE = 0.5

# ------------------------------------------------------------------ stemming


_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("ations", ""),
    ("ation", ""),
    ("ments", ""),
    ("ment", ""),
    ("ings", ""),
    ("ing", ""),
    ("ions", ""),
    ("ion", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ed", ""),
)


# words whose suffix stripping would collide with an unrelated word ("comment" -> "com" = "come")
_STEM_EXCEPTIONS: dict[str, str] = {
    f"{base}{suffix}": base
    for base in ("comment", "statement", "marketing", "dating", "missing", "mailing", "settlement", "ping")
    for suffix in ("", "s", "ed")
} | {"customs": "customs", "commande": "commande", "commandes": "commande"}


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A small, consistent suffix stripper (enough to merge inflections of cue words)."""
    if len(word) <= 3 or not word.isalpha() or word in lx.PLACEHOLDER_TOKENS:
        return word
    if word in _STEM_EXCEPTIONS:
        return _STEM_EXCEPTIONS[word]
    w = word
    for suffix, repl in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) + len(repl) >= 3:
            w = w[: -len(suffix)] + repl
            break
    else:
        if w.endswith("es") and len(w) > 4 and (w[-3] in "sxz" or w[-4:-2] in ("ch", "sh")):
            w = w[:-2]
        elif w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
            w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiouy":
        w = w[:-1]
    return w


# ------------------------------------------------------------------ compiled lexicon
# Compiled from the shared vocabulary (lexicon.py) and each registered domain's own (DomainSpec.vocabulary)
# on first use, and again when the registry changes (a domain registered at run time routes too).


def _stem_weights(table: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for domain, words in table.items():
        for word, weight in words.items():
            s = stem(word)
            slot = out.setdefault(s, {})
            slot[domain] = max(slot.get(domain, 0.0), weight)
    return out


def _stem_weights_in(language: str, table: dict[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for domain, words in table.items():
        for word, weight in words.items():
            for key in stems_in(language, word):
                slot = out.setdefault(key, {})
                slot[domain] = max(slot.get(domain, 0.0), weight)
    return out


@dataclass(frozen=True)
class _Phrase:
    slots: tuple[frozenset[str], ...]
    gap: int
    weights: tuple[tuple[str, float], ...]
    label: str


def _compile_phrases(
    specs: Iterable[lx.PhraseSpec], stemmer: Callable[[str], str] | None = None
) -> dict[str, list[_Phrase]]:
    stemmer = stemmer or stem
    index: dict[str, list[_Phrase]] = {}
    for slots, gap, weights in specs:
        compiled = tuple(frozenset(stemmer(w) for w in slot.split()) for slot in slots)
        label = " … ".join(slot.split()[0] for slot in slots)
        phrase = _Phrase(compiled, gap, tuple(sorted(weights.items())), label)
        for first in compiled[0]:
            index.setdefault(first, []).append(phrase)
    return index


def _inflections(words: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for w in words:
        out.update((w, w + "s", w + "es", w + "ed", w + "ing", w + "er", w + "ers", w + "ly"))
        if w.endswith("e"):  # "close" -> "closed"; "order" + "d" is a typo ("orderd"), not a form
            out.add(w + "d")
        if w.endswith("e"):
            out.update((w[:-1] + "ing", w[:-1] + "ed"))
        if w.endswith("y"):
            out.update((w[:-1] + "ies", w[:-1] + "ied"))
        if len(w) >= 3 and w[-1] not in "aeiouywx" and w[-2] in "aeiou" and w[-3] not in "aeiou":
            out.update((w + w[-1] + "ed", w + w[-1] + "ing", w + w[-1] + "er"))
    return out


def _deletes(word: str, depth: int) -> set[str]:
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            for i in range(len(w)):
                nxt.add(w[:i] + w[i + 1 :])
        out |= nxt
        frontier = nxt
    return out


# Shared tables: no domain's words in them.
_OOS: dict[str, float] = {}
for _w, _v in lx.OOS_CUES.items():
    _OOS[stem(_w)] = max(_OOS.get(stem(_w), 0.0), _v)
_GENERIC: frozenset[str] = frozenset(stem(w) for w in lx.GENERIC_VERBS)
# "the tracking for the foam roller order": the parcel's tracking, a noun that binds to no order
_NOUN_NOT_VERB = frozenset({"tracking"})
_VAGUE: frozenset[str] = frozenset(stem(w) for w in lx.VAGUE_WORDS)
_OUTBURSTS: frozenset[str] = frozenset(stem(w) for w in lx.OUTBURSTS)
_OUTBURST_WORDS: frozenset[str] = frozenset(fold(w) for w in lx.OUTBURSTS)
_GREETING: frozenset[str] = frozenset(stem(w) for w in lx.GREETING_WORDS)
_STOP: frozenset[str] = frozenset(stem(w) for w in lx.STOPWORDS)
_EVERYDAY: frozenset[str] = frozenset(
    stem(w)
    for w in lx.COMMON_WORDS | lx.RETAIL_WORDS | lx.GOODS | lx.BRANDS | lx.GENERIC_VERBS | lx.VAGUE_WORDS
)
_OOS_PHRASES: dict[str, list[_Phrase]] = _compile_phrases((*lx.OOS_PHRASES, *lx.GENERAL_PHRASES))
_FOREIGN_OOS: dict[str, dict[str, float]] = {
    lang: {s: v for w, v in words.items() for s in stems_in(lang, w)}
    for lang, words in lx.FOREIGN_OOS.items()
}
_FOREIGN_VAGUE: dict[str, frozenset[str]] = {
    lang: frozenset(s for w in words for s in stems_in(lang, w)) for lang, words in lx.FOREIGN_VAGUE.items()
}
_FUNCTION_FOLDED: dict[str, frozenset[str]] = {
    lang: frozenset(fold(w) for w in words) for lang, words in lx.FUNCTION_WORDS.items() if lang != "en"
}
_GREETING_ANY: frozenset[str] = frozenset(fold(w) for words in lx.GREETINGS.values() for w in words)
_GREETING_CORE: frozenset[str] = frozenset(fold(w) for w in lx.GREETING_CORE)
_POLITE: frozenset[str] = frozenset(fold(w) for w in lx.POLITE)
_KNOWN_RAW: frozenset[str] = frozenset(
    _inflections(lx.COMMON_WORDS | lx.RETAIL_WORDS | lx.GOODS)
    | lx.STOPWORDS
    | lx.VAGUE_WORDS
    | lx.GREETING_WORDS
    | lx.BRANDS
)

# Tables with the domains' words, set by _compile().
_ENGLISH_WORDS: frozenset[str] = _KNOWN_RAW
_DOMAIN_ORDER: tuple[str, ...] = ()
_CLARIFYING_QUESTION = ""
_PRED: dict[str, dict[str, float]] = {}
_FOREIGN: dict[str, dict[str, dict[str, float]]] = {}  # language -> Snowball stem -> domain -> weight
_FOREIGN_PHRASES: dict[str, dict[str, list[_Phrase]]] = {}
_FOREIGN_OBJ: dict[str, dict[str, dict[str, float]]] = {}
_FOREIGN_CUES: dict[str, frozenset[str]] = {}
_OBJ: dict[str, dict[str, float]] = {}
_BIND_TARGETS: dict[str, tuple[str, ...]] = {}  # nouns a generic verb can bind to, and the domains they lend
_BIND_OVERRIDDEN: frozenset[str] = frozenset()
_PHRASES: dict[str, list[_Phrase]] = {}
_OBJ_PHRASES: dict[str, list[_Phrase]] = {}
_CUE_STEMS: frozenset[str] = frozenset()
_PHRASE_STEMS: frozenset[str] = frozenset()
_KNOWN_STEMS: frozenset[str] = frozenset()
_FUZZY_TARGETS: dict[str, str] = {}  # cue stems and words of five letters or more -> the stem they mean
_DELETE_INDEX: dict[str, list[str]] = {}
_ABBREVIATIONS: dict[str, str] = {}
_compiled_generation = -1


def _phrase_specs(domain: str, phrases: Iterable[tuple[tuple[str, ...], int, float]]) -> list[lx.PhraseSpec]:
    return [(slots, gap, {domain: weight}) for slots, gap, weight in phrases]


def _compile() -> None:
    """Build the domain tables from the registry (registry order is the tie-break order)."""
    global _DOMAIN_ORDER, _CLARIFYING_QUESTION, _PRED, _FOREIGN, _FOREIGN_PHRASES, _FOREIGN_CUES, _FOREIGN_OBJ
    global _OBJ, _BIND_TARGETS, _BIND_OVERRIDDEN
    global _PHRASES, _OBJ_PHRASES, _CUE_STEMS, _PHRASE_STEMS, _KNOWN_STEMS, _FUZZY_TARGETS, _DELETE_INDEX
    global _ABBREVIATIONS, _compiled_generation, _ENGLISH_WORDS
    generation = registry.generation()
    specs = registry.domains()
    # the domains' own English words are no evidence of another language ("did my refund arrive?" is not
    # French for its "arrive", "reset my password" not Spanish)
    _ENGLISH_WORDS = _KNOWN_RAW | frozenset(
        _inflections(
            w
            for d in specs
            for table in (d.vocabulary.predicates, d.vocabulary.objects)
            for w in table
            if w.isalpha()
        )
    )
    _ABBREVIATIONS = {
        **lx.ABBREVIATIONS,
        **{k: v for d in specs for k, v in d.vocabulary.abbreviations.items()},
    }
    _DOMAIN_ORDER = tuple(d.name for d in specs)
    offers = "; ".join(f"{d.offer} ({d.description})" for d in specs)
    _CLARIFYING_QUESTION = f"Could you tell me a bit more about what you need? I can help with {offers}."
    _PRED = _stem_weights({d.name: dict(d.vocabulary.predicates) for d in specs})
    _FOREIGN, _FOREIGN_PHRASES, _FOREIGN_OBJ = {}, {}, {}
    for lang in lx.LANGUAGES:
        _FOREIGN[lang] = _stem_weights_in(lang, {d.name: d.vocabulary.foreign.get(lang, {}) for d in specs})
        _FOREIGN_OBJ[lang] = _stem_weights_in(
            lang, {d.name: d.vocabulary.foreign_objects.get(lang, {}) for d in specs}
        )
        _FOREIGN_PHRASES[lang] = _compile_phrases(
            (p for d in specs for p in _phrase_specs(d.name, d.vocabulary.foreign_phrases.get(lang, ()))),
            lambda w, lang=lang: stem_in(lang, w),  # type: ignore[misc]
        )
    _FOREIGN_CUES = {
        lang: frozenset(_FOREIGN[lang])
        | frozenset(_FOREIGN_OBJ[lang])
        | frozenset(s for ps in _FOREIGN_PHRASES[lang].values() for p in ps for slot in p.slots for s in slot)
        | _FOREIGN_VAGUE[lang]
        | frozenset(_FOREIGN_OOS[lang])
        for lang in lx.LANGUAGES
    }
    _OBJ = _stem_weights({d.name: dict(d.vocabulary.objects) for d in specs})
    targets: dict[str, tuple[str, ...]] = {s: tuple(ds) for s, ds in _OBJ.items()}
    for key, weights in _PRED.items():
        if key not in _GENERIC and max(weights.values()) >= 1.5:
            targets.setdefault(key, tuple(weights))
    binds: dict[str, tuple[str, ...]] = {}
    for domain in specs:
        for word in domain.vocabulary.binds:
            binds[word] = (*binds.get(word, ()), domain.name)
    for word, names in binds.items():
        targets[stem(word)] = names
    _BIND_TARGETS = targets
    _BIND_OVERRIDDEN = frozenset(stem(w) for w in binds)
    _PHRASES = _compile_phrases(p for d in specs for p in _phrase_specs(d.name, d.vocabulary.phrases))
    _OBJ_PHRASES = _compile_phrases(
        p for d in specs for p in _phrase_specs(d.name, d.vocabulary.object_phrases)
    )
    _CUE_STEMS = frozenset(_PRED) | frozenset(_OBJ) | frozenset(_OOS) | _GENERIC
    _PHRASE_STEMS = frozenset(
        s
        for index in (_PHRASES, _OOS_PHRASES, _OBJ_PHRASES)
        for ps in index.values()
        for p in ps
        for slot in p.slots
        for s in slot
    )
    _KNOWN_STEMS = (
        _CUE_STEMS
        | _PHRASE_STEMS
        | _VAGUE
        | _GREETING
        | _STOP
        | frozenset(stem(w) for w in lx.COMMON_WORDS | lx.RETAIL_WORDS)
    )
    # misspellings are matched against the cue stems and the cue words as declared ("tracknig" is one
    # transposition from "tracking", three edits from its stem "track")
    # a misspelling is never read as a reason to refuse: out-of-scope cues are not targets ("recipt" is a
    # receipt, not a recipe)
    oos_only = (
        frozenset(_OOS)
        | frozenset(s for ps in _OOS_PHRASES.values() for p in ps for sl in p.slots for s in sl)
    ) - (
        frozenset(_PRED)
        | frozenset(_OBJ)
        | frozenset(
            s for ps in (*_PHRASES.values(), *_OBJ_PHRASES.values()) for p in ps for sl in p.slots for s in sl
        )
    )
    meaningful = (_CUE_STEMS | _VAGUE | _PHRASE_STEMS) - oos_only
    targets_to: dict[str, str] = {
        s: s for s in meaningful if len(s) >= 5 and s.isalpha() and s not in lx.PLACEHOLDER_TOKENS
    }
    declared = {w for d in specs for w in (*d.vocabulary.predicates, *d.vocabulary.objects)}
    declared |= {
        w
        for d in specs
        for p in (*d.vocabulary.phrases, *d.vocabulary.object_phrases)
        for slot in p[0]
        for w in slot.split()
    }
    declared |= set(lx.VAGUE_WORDS)
    for word in sorted(declared):
        s = stem(word)
        if len(word) >= 5 and word.isalpha() and word not in targets_to and s in meaningful:
            targets_to[word] = s
    _FUZZY_TARGETS = targets_to
    _DELETE_INDEX = {}  # built by the first misspelling (`_delete_index`): most requests have none
    _resolve.cache_clear()
    _compiled_generation = generation


def _ensure_compiled() -> None:
    if _compiled_generation != registry.generation():
        _compile()


def _osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment (Damerau) distance, ``limit + 1`` when above ``limit`` (RapidFuzz, in C)."""
    from rapidfuzz.distance import OSA  # imported on the first unknown word, not at start-up

    return int(OSA.distance(a, b, score_cutoff=limit))


def _delete_index() -> dict[str, list[str]]:
    """Every fuzzy target under each of its deletions (symmetric-delete lookup), built once per compile."""
    global _DELETE_INDEX
    if not _DELETE_INDEX and _FUZZY_TARGETS:
        index: dict[str, list[str]] = {}
        for target in sorted(_FUZZY_TARGETS):
            for deleted in _deletes(target, 2 if len(target) >= 8 else 1):
                index.setdefault(deleted, []).append(target)
        _DELETE_INDEX = index
    return _DELETE_INDEX


def _fuzzy(s: str, max_distance: int = 2) -> str | None:
    """The cue word ``s`` is a misspelling of, or None (ambiguous or too far).

    Distance 1 from five letters, 2 from eight; the first letter must match (or the first two be
    swapped). Shorter misspellings are abbreviations (the lexicon's and the domains').
    """
    n = len(s)
    if n < 5 or not s.isalpha():
        return None
    limit = min(max_distance, 2 if n >= 8 else 1)
    candidates: set[str] = set()
    index = _delete_index()
    for d in _deletes(s, limit):
        for target in index.get(d, ()):
            candidates.add(target)
    best: list[tuple[int, int, str]] = []
    for target in candidates:
        if target[0] != s[0] and not (target[0] == s[1] and target[1] == s[0]):
            continue
        lim = min(limit, 2 if len(target) >= 8 else 1)
        dist = _osa_distance(s, target, lim)
        if dist <= lim:
            prefix = len(_common_prefix(s, target))
            best.append((dist, -prefix, _FUZZY_TARGETS[target]))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][:2] == best[1][:2] and best[0][2] != best[1][2]:
        return None  # ambiguous between two cue words
    return best[0][2]


def _common_prefix(a: str, b: str) -> str:
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    return a[:i]


def _is_known(word: str) -> bool:
    return word in _KNOWN_RAW or stem(word) in _KNOWN_STEMS


_ELONGATED = re.compile(r"([a-z])\1{2,}")
_FRAGMENTS = frozenset({"re", "ve", "ll", "s", "t", "d", "m", "e", "o", "n"})


@lru_cache(maxsize=131_072)
def _resolve(token: str) -> tuple[str, ...]:
    """Token -> stems: known words as they are, glued words split, typos corrected."""
    if token in lx.PLACEHOLDER_TOKENS or not token.isalpha():
        return (token,)
    if token in _ABBREVIATIONS:
        return tuple(stem(w) for w in _ABBREVIATIONS[token].split())
    if _ELONGATED.search(token):  # "ruuude", "pleeease", "sooo late": letters held for emphasis
        two, one = _ELONGATED.sub(r"\1\1", token), _ELONGATED.sub(r"\1", token)
        return _resolve(one if _is_known(one) and not _is_known(two) else two)
    s = stem(token)
    if token in _KNOWN_RAW or s in _KNOWN_STEMS or len(token) > 40:
        return (s,)
    fixed = _fuzzy(token, 1)  # the written form first ("custome" -> customer), then its stem
    if fixed is None and s != token:
        fixed = _fuzzy(s, 1)
    if fixed is not None:
        return (fixed,)
    if len(token) >= 5:
        for i in range(1, len(token)):
            a, b = token[:i], token[i:]
            if max(len(a), len(b)) < 3 or a in _FRAGMENTS or b in _FRAGMENTS:
                continue
            if not (_is_known(a) and _is_known(b)):
                continue
            sa, sb = stem(a), stem(b)
            if sa in _CUE_STEMS or sb in _CUE_STEMS or sa in _VAGUE or sb in _VAGUE:
                return (sa, sb)
    fixed = _fuzzy(token)
    if fixed is None and s != token:
        fixed = _fuzzy(s)
    if fixed is not None:
        return (fixed,)
    return (s,)


# ------------------------------------------------------------------ normalisation and clauses

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_TEMPLATE = re.compile(r"\{\{\s*([^{}]{0,60}?)\s*\}\}")
_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\b[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}\b"),
        " xemailx ",
    ),
    (re.compile(r"(?<![a-z0-9])ord[-_ ]?#?\d{3,12}\b"), " xorderidx "),
    (re.compile(r"(?<![a-z0-9])inv[-_ ]?#?\d{3,12}\b"), " xinvoiceidx "),
    (re.compile(r"(?<![a-z0-9])trk[-_ ]?[0-9a-z]{8}\b"), " xtrackingx "),
    (
        re.compile(
            r"[$€£¥]\s?\d[\d,.]{0,15}|(?<![\d,.])\d[\d,.]{0,15}\s?(?:[$€£¥]|(?:usd|eur|euros?|gbp|dollars?|bucks)\b)"
        ),
        " xamountx ",
    ),
    (re.compile(r"#\s?\d+"), " xnumx "),
    (
        re.compile(r"\be?[- ]?mail[- ]?(?:adres(?:sen|se)?|address(?:es)?|adresses?)\b"),
        " email ",
    ),  # "e-mailadres"
    (re.compile(r"\be[- ]?mail(s?)\b"), r" email\1 "),
    (re.compile(r"\bemail\s*-?\s*(?:address(?:es)?|adresse|adres|direcci[oó]n)\b"), " email "),
    (re.compile(r"\bcorreo electr[oó]nico\b|\bcourriel\b"), " email "),
    (re.compile(r"\b(?:ip|web|website|url|internet) address(es)?\b"), " website "),
    (re.compile(r"\b(?:wi-?fi|wi fi)\b"), " wifi "),
    (re.compile(r"\b(?:log|sign)-(in|on|up|out)\b"), r" sign \1 "),
    (re.compile(r"\bcheck-?out\b"), " checkout "),
    (re.compile(r"\bpick-up\b"), " pick up "),
    (re.compile(r"\bpost\s?codes?\b"), " postcode "),
    # a past participle before the order describes it ("the refund for my cancelled order")
    (
        re.compile(
            r"\b(?:cancell?ed|returned|refunded|delivered|shipped|dispatched) (orders?|items?|purchases?)\b"
        ),
        r"\1",
    ),
    # "what time is it?" in the other languages
    (
        re.compile(r"\b(?:hoe laat is het|wie sp(?:ä|ae|a)t ist es|qu[ée] hora es|quelle heure est[- ]il)\b"),
        " what time is it ",
    ),
    (re.compile(r"\bpre-?order"), " preorder"),
    (re.compile(r"(?<=\d)(?:st|nd|rd|th)\b"), ""),
    # French "je n'arrive pas à ..." is "I can't manage to ...", not an arrival
    (re.compile(r"\b(?:n )?arrive (?:pas|plus|jamais|toujours pas) (?:a|à)\b"), " "),
)
_CODE = re.compile(
    r"\bselect\s+(?:\*|\w+\s*,\s*\w+(?:\s*,\s*\w+)*)\s+from\s+\w+|\b(?:drop|create|alter)\s+table\b|\bdef\s+\w+\s*\(|#include\b"
    r"|\bconsole\.log\b|</?(?:script|div|html|body|span)\b|\bfrom\s+\w+\s+import\s|\bimport\s+\w+\s*(?:;|$|\sas\s)|\bprint\s*\(|\bfunction\s*\w*\s*\("
    r"|\bpublic\s+static\b|\b\w{1,40}\(\)\s*[;{]|\bsudo\s+\w+|\bpip\s+install\b|\bgit\s+(?:clone|commit|push|pull|merge|rebase)\b",
    re.IGNORECASE,
)
_MATH = re.compile(
    r"\b\d+(?:\.\d+)?\s*(?:[+*^×÷]|times|plus|minus|divided by|multiplied by)\s*\d+"
    r"|\b\d+(?:\.\d+)?\s*(?:%|percent|per cent)\s+of\s+\d+"
)
_TOKEN = re.compile(r"[^\W_]+")
_JOINERS = (
    r"and|also|but|plus|then|additionally|besides|moreover|furthermore|as well as|another thing|oh and|&"
)
# a reason ("... because the parcel arrived broken") starts a clause of its own and keeps its marker
# ("since" is a reason, not a time: "since Monday", "since the 29th", "since forever")
_SINCE_TIME = (
    r"(?:forever|ages|then|yesterday|last|early|mid|\d|the \d|a (?:week|month|while)|(?:mon|tues|wednes|thurs|fri|"
    r"satur|sun)day|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
)
_REASON = (
    rf"\s(?=(?:because|becuase|becasue|beacuse|cause|cuz|coz|bc|since(?!\s+{_SINCE_TIME})|due to|seeing as"
    r"|as(?=\s+(?:the|my|i|it|we|they|this|that|he|she|you)\b))\s)"
)
# "close my account after you cancel my last order": two requests, in the order they are to be done
_SEQUENCE = (
    r"\s(?:after|once)(?=\s+(?:you|u)\s+(?:have\s+)?(?:cancel|close|refund|change|send|process|issue|update"
    r"|delete|remove|unsubscribe|fix|sort)\w*\s+(?:my|the|it|that|this|them)\b)"
)
_SPLIT = re.compile(
    rf"[.!?¿¡]+(?=\s|$)|[;:\n]+|,\s|\s-\s|\s?[—–]\s?|\s(?:{_JOINERS})(?=\s|$)|{_REASON}|{_SEQUENCE}",
    re.IGNORECASE,
)


def _joiners_in(language: str) -> str:
    """The English joiners that are no word of ``language`` (French "plus" is "no longer", not "plus")."""
    own = lx.FUNCTION_WORDS.get(language, frozenset())
    return "|".join(j for j in _JOINERS.split("|") if j not in own)


# (a period after a day number is a German or Dutch date, "am 3. Mai", not a sentence end)
_SPLIT_FOREIGN = {
    lang: re.compile(
        rf"(?<!\b\d)(?<!\b\d\d)\.+(?=\s|$)|[!?¿¡]+(?=\s|$)|[;:\n]+|,\s|\s-\s|\s?[—–]\s?"
        rf"|\s(?:{_joiners_in(lang)}|{'|'.join(sorted(words))})(?=\s|$)",
        re.IGNORECASE,
    )
    for lang, words in lx.FOREIGN_JOINERS.items()
}
# Chat style runs two requests together without a joiner ("new address pls cancel the other order",
# "where is my parcel i also need the invoice"): a fresh request opener after a few words starts a clause.
_CHAT_OPENER = re.compile(
    r"(?<=\w)\s+(?=(?:pls|please|plz|thx|thanks)\s+(?:\w+\s+){0,1}\w|(?:can|could|would|will) (?:you|u|i)\b"
    r"|i(?: also)? (?:want|need|would like|d like|wanna)\b|how (?:do|can|long) i\b|where (?:is|are|s)\b"
    r"|when (?:will|is|are|do|does)\b|why (?:is|was|did|has|have|does|do|am)\b|what about\b|also\b)",
    re.IGNORECASE,
)
_LEADING_JOINER = re.compile(r"^(?:and|also|but|plus|then|so|oh|y|und|et|en|e)\b[\s,]*", re.IGNORECASE)
_APOSTROPHE = re.compile(r"['’`´]")
_GREETING_PHRASES: tuple[str, ...] = tuple(
    " " + " ".join(fold(w) for w in _TOKEN.findall(_APOSTROPHE.sub("", p))) + " " for p in lx.GREETING_PHRASES
)


def _template_token(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    for key, token in lx.TEMPLATE_SLOTS:
        if key in name:
            return f" {token} "
    return f" {lx.T_ENTITY} "


def _normalise(text: str) -> str:
    t = _TEMPLATE.sub(_template_token, text)
    t = t.lower()
    t = _APOSTROPHE.sub(" ", t)
    for pattern, repl in _SUBS:
        t = pattern.sub(repl, t)
    return t


def tokens_for(text: str) -> list[str]:
    """Stems of ``text`` after normalisation, splitting and typo correction (for tests and tuning)."""
    _ensure_compiled()
    out: list[str] = []
    for tok in _TOKEN.findall(_normalise(text)):
        out.extend(_resolve(tok))
    return out


# Someone named as the one who allowed or said something ("authorised by your supervisor", "approved by
# your manager", "as your colleague told me"): who said it, not a wish to reach a person.
_VOUCHED_BY = re.compile(
    r"\b(?:authori[sz]ed|approved|confirmed|allowed|agreed|ok'?e?d|signed off|promised|cleared|granted)"
    r"\s+(?:already\s+)?by\s+(?:your|the|a|one of your|my)\s+(?:supervisor|manager|boss|colleague|agent|staff|team"
    r"|support|admin|administrator)s?\b"
    r"|\b(?:the|your|a|my)\s+(?:store\s+|shop\s+)?(?:supervisor|manager|boss|admin|administrator|team\s+lead)\s+"
    r"(?:has|have|had)\s+(?:already\s+)?(?:approved|authori[sz]ed|confirmed|agreed|okayed|allowed|signed off|cleared)"
    r"|\b(?:pre-?)?(?:approved|authori[sz]ed|cleared)\s+by\s+(?:the\s+)?(?:management|head office|headquarters)\b"
    r"|\b(?:genehmigt|bestätigt|freigegeben|erlaubt)\s+(?:von|durch)\s+(?:ihrem|ihren|eurem|dem|einem)\s+"
    r"(?:vorgesetzten|chef|manager|kollegen|mitarbeiter)\b"
    r"|\b(?:autoris[ée]e?|approuv[ée]e?|valid[ée]e?|confirm[ée]e?)\s+par\s+(?:votre|le|un)\s+"
    r"(?:superviseur|responsable|manager|coll[èe]gue|conseiller)\b",
    re.IGNORECASE,
)


# "Late" that is no late parcel: "cancel it if it isn't too late" (time to act), "my late husband" (who died).
_NOT_LATENESS = re.compile(
    r"\b(?P<lead>(?:if|whether|before|unless|hope|hoping|hopefully|ob|wenn|bevor|si|avant|antes|als|voordat)\b"
    r"[^.?!;]{0,25}?)\b(?:too late|zu spät|trop tard|demasiado tarde|te laat)\b"
    r"|\b(?P<whose>my|our|his|her|their)\s+late\s+(?P<who>husband|wife|partner|father|mother|mum|mom|dad"
    r"|son|daughter|brother|sister|uncle|aunt|grandmother|grandfather|grandma|grandpa|gran|granny|nan)\b",
    re.IGNORECASE,
)


def _not_lateness(match: re.Match[str]) -> str:
    if match["lead"] is not None:
        return match["lead"]
    return f"{match['whose']} {match['who']}"


# A role the sender claims ("I'm actually logged in as support staff", "I am a staff member with admin
# rights"): identity comes from credentials, and the claim is no wish to reach a person.
_CLAIMED_ROLE = re.compile(
    r"\bi(?:'m|’m| am)\s+(?:actually\s+|really\s+|also\s+)?(?:(?:logged|signed)\s+in\s+as\s+)?(?:a\s+|an\s+|the\s+)?"
    r"(?:(?:senior|support|customer\s+service|care)\s+)?(?:staff(?:\s+member)?|admin(?:istrator)?|agent|employee"
    r"|supervisor|manager|team\s+lead(?:er)?|account\s+manager|on\s+the\s+\w+\s+team|in\s+your\s+\w+\s+(?:team|department))\b"
    r"(?:\s+(?:at|of|in|for)\s+(?:the\s+store|your\s+(?:store|shop|company)|customer\s+service))?"
    r"(?:\s+with\s+(?:full\s+)?admin(?:istrator)?\s+(?:rights|access|privileges))?"
    r"|\bi(?:'m|’m| am)\s+\w+'s\s+(?:account\s+)?manager\b(?:\s+at\s+the\s+store)?"
    r"|\bi\s+work\s+(?:in|for|at)\s+your\s+\w+(?:\s+(?:department|team))?"
    # "Ich bin Teamleiterin im Kundenservice bei euch", "soy supervisora de atención al cliente"
    r"|\bich\s+bin\s+(?:die\s+|der\s+)?(?:teamleiter(?:in)?|mitarbeiter(?:in)?|manager(?:in)?|chef(?:in)?|"
    r"supervisor(?:in)?|admin(?:istrator)?(?:in)?)\b(?:\s+(?:im|in\s+der|bei)\s+\w+)?(?:\s+bei\s+(?:euch|ihnen))?"
    r"|\bsoy\s+(?:el\s+|la\s+)?(?:supervisor(?:a)?|encargad[oa]|gerente|emplead[oa]|administrador(?:a)?)\b"
    r"(?:\s+de\s+(?:atención al cliente|la tienda))?"
    r"|\bje\s+suis\s+(?:le\s+|la\s+)?(?:responsable|manager|superviseur|superviseuse|employ[ée]e?|administrat\w+)\b"
    r"|\bik\s+ben\s+(?:de\s+)?(?:teamleider|manager|medewerker|beheerder|supervisor)\b",
    re.IGNORECASE,
)


# Words written apart that are one product word ("head phones", "ear buds"), and a pointer to where
# something was written ("(see review REV-100001)"), which is no request for care.
_SPLIT_GOODS = re.compile(r"\b(head|ear)\s+(phones?|buds?|pods?)\b", re.IGNORECASE)
# "my watering can": a can to be had, not a verb that can be done
_CAN_GOODS = re.compile(r"\b(watering|trash|garbage|rubbish|spray|oil)\s+(can)s?\b", re.IGNORECASE)
_SEE_REVIEW = re.compile(r"\(?\s*\bsee\s+(?:my\s+|the\s+)?review\b[^).]{0,30}\)?", re.IGNORECASE)


# An e-mail's envelope: the subject's label ("Subject:", "Betreff:"), the salutation line ("Dear Customer
# Service,", "Geachte klantenservice,") and the sign-off with the name below it ("Kind regards,\nTom").
# Who a letter is addressed to is no request for care, and a sign-off is no thanks.
_SUBJECT_LABEL = re.compile(
    r"^\s*(?:subject|re|fwd?|betreff|asunto|objet|onderwerp|sujet)\s*:\s*(?P<subject>[^\n]*)\n", re.IGNORECASE
)
_SALUTATION = re.compile(
    r"^\s*(?:dear|hello|hi|hey|hiya|good (?:morning|afternoon|evening)|to whom it may concern|greetings"
    r"|sehr geehrte[rs]?|liebe[rs]?|hallo|guten tag|moin|estimad[oa]s?|hola|buenos d[íi]as|buenas tardes"
    r"|bonjour|bonsoir|madame|monsieur|chère?s?|beste|geachte|hoi|goedemiddag|goedemorgen)\b[^\n.?!]{0,60}[,:!]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_SIGN_OFF = re.compile(
    r"\n\s*(?:(?:many |with )?thanks(?: again| in advance| a lot)?|thank you(?: in advance)?|best|kind regards|warm regards"
    r"|with (?:best|kind|warm|warmest|many) (?:wishes|regards|thanks)|warmest regards|kindest regards"
    r"|best regards|regards|best wishes|all the best|yours (?:sincerely|faithfully|truly)|sincerely|cheers|ta"
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groeten|groetjes|mvg"
    r"|(?:bien )?cordialement|merci(?: d'avance| beaucoup| par avance)?|bien à vous|salutations"
    r"|atentamente|saludos(?: cordiales)?|un saludo|un abrazo|abrazos|besos|bisous|groetjes|hugs"
    r"|gracias(?: de antemano| por adelantado)?|muchas gracias|obrigad[oa]|grazie"
    r"|danke(?: und grüße| und gruß| schön| sehr)?|vielen dank|dankeschön|bedankt|alvast bedankt|dank je wel|dankjewel"
    r"|mit freundlichen grüßen|mit freundlichen gruessen|freundliche grüße|viele grüße|liebe grüße|beste grüße"
    r"|lg|mfg|vg)\b[^\n]{0,12}[,.!]?\s*(?:\n[^\n]{0,60}){0,4}\s*$",
    re.IGNORECASE,
)


# A forwarded message's header lines ("---------- Forwarded message ----------", "From: Warehouse Manager"):
# who wrote a note the customer passes on is no person asked for, and no instruction.
_FORWARDED = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded|original|weitergeleitete|mensaje reenviado|message transf[ée]r[ée]|doorgestuurd)"
    r"[^\n]*|-{3,}\s*|(?:from|to|sent|date|cc|von|an|gesendet|de|para|enviado|à|envoy[ée]|van|aan|verzonden)\s*:[^\n]*)$",
    re.IGNORECASE | re.MULTILINE,
)


# A reply's quotation of the earlier message ("On Tue, 27 Oct 2026 at 09:14, Support <…> wrote:" and the
# lines after it that start with ">"): what the store said before, not what the customer asks now.
_QUOTED = re.compile(
    r"^\s*(?:on|am|el|le|op)\s[^\n]{4,160}?\s(?:wrote|schrieb|escribió|escribio|a écrit|a ecrit|schreef)\s*:\s*$"
    r"|^\s*>[^\n]*$",
    re.IGNORECASE | re.MULTILINE,
)


# A web form's fields: who sent it and how to reach them are no request; "Order number:" keeps its value
# (an entity), "Topic: Other" says nothing, "Message:" is only a label.
_FORM_DROP = re.compile(
    r"^\s*(?:(?:full\s+)?name|e-?mail(?:\s+address)?|phone(?:\s+number)?|telephone|mobile|customer\s+(?:number|id)|form"
    r"|naam|nom|nombre|telefon|teléfono|téléphone|telefoon)\s*:[^\n]*$"
    r"|^\s*(?:topic|category|thema|tema|sujet|categor[íi]a|kategorie|categorie)\s*:\s*(?:other|general|sonstiges|otro|otros"
    r"|autre|overig|overige|andere)?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FORM_LABEL = re.compile(
    r"^\s*(?:message|nachricht|mensaje|bericht|your message|reason|grund|motivo|raison|reden|order(?:\s+(?:number|no\.?|id))?|bestellnummer"
    r"|n[úu]mero de pedido|num[ée]ro de commande|bestelnummer|topic|category|thema|tema|sujet)\s*:\s*",
    re.IGNORECASE | re.MULTILINE,
)
# A name alone on the last line ("\n\nJohn", "\nMaría López"): the sender, not a word of the request.
_NAME_LINE = re.compile(r"\n\s*\n\s*(?:[A-ZÀ-Ý][\w.'-]*\s*){1,3}\s*$")


def _without_envelope(text: str) -> str:
    """The letter's own words: the body without salutation and sign-off, and the subject (as a sentence)
    only when the body is short (a long body says it all, and a subject such as "Account and order"
    only summarises it). The text as it was when that leaves nothing."""
    if "\n" not in text.strip():
        return text
    body = text
    subject = _SUBJECT_LABEL.match(body)
    title = subject["subject"].strip().rstrip(".") if subject else ""
    if subject:
        body = body[subject.end() :]
    body = _FORWARDED.sub("", body)
    body = _QUOTED.sub("", body)
    body = _FORM_DROP.sub("", body)
    body = _FORM_LABEL.sub("", body)
    body = _SIGN_OFF.sub("", body)
    body = _NAME_LINE.sub("", body)
    body = _SALUTATION.sub("", body)
    if title and len(_TOKEN.findall(body)) < 8:  # the subject says what a short letter is about
        body = f"{title}.\n{body}"
    return body if body.strip(" \n.") else text


# What the customer does not want, named to set it aside ("Rather than a refund, I would prefer an
# exchange"): not a request for it.
_RATHER_THAN = re.compile(
    r"\b(?:would\s+)?prefer\s+not\s+to\s+(?:\w+\s+){0,2}?(?:for\s+)?(?:a|an|the)\s+\w+"
    r"|\b(?:i'?d|i\s+would)\s+rather\s+not\s+(?:get|have|receive|take)\s+(?:a|an|the|my)\s+\w+"
    r"|,\s*(?:but\s+)?not\s+(?:a\s+|the\s+)?(?:refund|money\s+back)\b"
    r"|\b(?:rather than|instead of|in place of|en lugar de|en vez de|plut[ôo]t qu[e']|au lieu d[e']|statt|anstatt"
    r"|in plaats van)\s*(?!\d)(?:(?:a|an|the|my|un|una|une|el|la|le|ein|eine|einer|een|de|het)\s+)?\w+",
    re.IGNORECASE,
)
# A wish for what the store could offer ("it would be great if you offered gift wrapping", "it would be
# nice if you sold bigger sizes"): a suggestion (feedback, care), not a request for the thing named.
_WISH = re.compile(
    r"\b(?:it\s+)?would\s+be\s+(?:really\s+|so\s+)?(?:great|nice|good|lovely|helpful|handy|useful|amazing)"
    r"\s+if\s+you\s+(?:guys\s+)?(?:offered|sold|stocked|had|added|started|did|brought back|made)\b[^.!?\n]*",
    re.IGNORECASE,
)


# The refund a return is made for ("could I still return it for a refund?", "return them and get my money
# back"): the return is the request (orders), its refund follows from it; a question of its own about the
# refund ("how long does the refund take?") still reads as billing.
_RETURN_FOR_REFUND = re.compile(
    r"\b(return|returning|send back|sending back|send (?:it|them) back)\b([^.?!,;\n]{0,40}?)\s+(?:for a (?:full )?refund"
    r"|for my money back|and get (?:my|the|a) (?:money|refund)(?: back)?|to get (?:my|the) money back|and be refunded)\b",
    re.IGNORECASE,
)


# "Now that my refund is done I'd like to close my account": what is done is the occasion, not a request
_NOW_THAT = re.compile(
    r"^\W*now that\b[^,.;:!?]*?\b(?=(?:i'?d like|i would like|i want|i wanna|please|can you|could you|i need)\b)",
    re.IGNORECASE,
)
# What the customer needs a document for ("copies of my invoices for my tax return", "for my employer"):
# the purpose, not a topic of its own (a tax return is no question about taxes).
_PURPOSE = re.compile(
    # "reset my password so I can download my invoices": what it is for is not a second request
    r"\bso\s+(?:that\s+)?i\s+(?:can|could|am able to)\s+(?:download|see|view|get|check|print|access)\b[^,.;:!?]*|"
    r"\bfor\s+(?:my|the|our|his|her)\s+(?:tax\s+(?:return|returns|purposes|declaration|office)|taxes|accountant"
    r"|bookkeeping|books|expenses|expense\s+(?:report|claim)|employer|company|boss|records"
    r"|insurance(?:\s+(?:claim|company))?|insurer|warranty(?:\s+claim)?)\b"
    # "für meine Versicherung", "pour mon assurance", "para el seguro", "voor de verzekering"
    r"|\b(?:für|fuer|pour|para|voor)\s+(?:meine|die|mon|l'|el|mi|la|mijn|de)\s*(?:versicherung|steuer\w*|assurance"
    r"|imp[ôo]ts|seguro|impuestos|verzekering|belasting\w*)\b",
    re.IGNORECASE,
)
# "My employer needs an invoice": who needs it does not change what is asked.
_NEEDS_IT = re.compile(
    r"\b(?:my|our|the)\s+(?:employer|company|boss|manager|accountant|accounts department|finance team|work"
    r"|insurance(?: company)?|insurer)\s+"
    r"(?:needs|wants|requires|asked for|asks for|has asked for)\b",
    re.IGNORECASE,
)


# "Noise-Cancelling Headphones" name a product, not a cancellation.
_NOISE_CANCELLING = re.compile(r"\bnoise[- ]?cancel+ing\b", re.IGNORECASE)


# Spanish "devolver" is both to return (goods) and to give back (money): see `lx.GIVE_BACK_ES`.
_GIVE_BACK_ES = re.compile(lx.GIVE_BACK_ES, re.IGNORECASE)


def _refund_verb(match: re.Match[str]) -> str:
    """ "me vais a devolver" -> "me vais a reembolsar": the words around it kept (they tell the language)."""
    return re.sub(r"dev\w+$", "reembolsar", match.group(0), flags=re.IGNORECASE)


# What is said but not asked for, read as a space: what the customer does not want, who vouched for it,
# a role they claim, where they wrote it.
_SET_ASIDE = (_RATHER_THAN, _VOUCHED_BY, _CLAIMED_ROLE, _SEE_REVIEW)


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_ROUTE_TEXT])
    text = _without_envelope(text)
    text = _CONTROL.sub(" ", text)
    for aside in _SET_ASIDE:
        text = aside.sub(" ", text)
    text = _WISH.sub(" a suggestion ", text)
    text = _RETURN_FOR_REFUND.sub(r"\1\2", text)
    text = _NOISE_CANCELLING.sub("noise-free", text)
    text = _PURPOSE.sub(" ", text)
    text = _NOW_THAT.sub(" ", text)
    text = _NEEDS_IT.sub("I need", text)
    text = _GIVE_BACK_ES.sub(_refund_verb, text)
    text = _NOT_LATENESS.sub(_not_lateness, text)
    text = _SPLIT_GOODS.sub(r"\1\2", text)
    text = _CAN_GOODS.sub(r"\1\2", text)
    for address in postal_addresses(text):  # "Herengracht 420, 1017 BZ Amsterdam": a place, as a slot is
        text = text.replace(address, f" {lx.T_PLACE} ")
    return text.strip()


# A subject said first and taken up by a pronoun ("Et la facture, elle est annulée aussi ?", "and the
# invoice, is it cancelled too?"): one clause, so what is said of the pronoun is said of the noun.
_DISLOCATED = re.compile(
    r"^(?:(?:and|et|y|und|en|also|so|oh)\s+)?(?:the|my|la|le|les|ma|mon|mes|el|los|las|mi|mis|die|der|das"
    r"|meine|mein|de|het|mijn)\s+[^\s,]+$",
    re.IGNORECASE,
)
_RESUMED = re.compile(
    r"^(?:elle|il|ils|elles|is it|was it|has it|are they|es|ist sie|ist es|is die|is het)\b", re.I
)


def _rejoin_dislocated(parts: list[str]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if out and _DISLOCATED.match(out[-1]) and _RESUMED.match(part):
            out[-1] = f"{out[-1]} {part}"
        else:
            out.append(part)
    return out


def _clauses(text: str, language: str = "en") -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _SPLIT_FOREIGN.get(language, _SPLIT).finditer(text):
        piece = text[start : m.start()].strip(" ,;:-")
        if piece:
            parts.append(piece)
        start = m.end()
    tail = text[start:].strip(" ,;:-.!?")
    if tail:
        parts.append(tail)
    parts = _rejoin_dislocated(parts)
    out: list[str] = []
    for part in parts or [text]:
        out.extend(
            p for piece in _chat_pieces(part) for p in _run_on_pieces(piece)
        ) if language == "en" else out.append(part)
    return out


_AUX = frozenset(
    lx.words(
        "is was are were has have hasn hasnt isn isnt doesn doesnt didn didnt won wont keeps keep got never still not cant wasn wasnt"
    )
)
_SUBORDINATORS = frozenset(lx.words("how what when where why if whether that which because since about"))
_OBJECT_STARTS = frozenset(lx.words("my the a an your it this that our"))
_NOT_BEFORE_SPLIT = (
    lx.STOPWORDS
    | lx.GENERIC_VERBS
    | lx.NEGATORS
    | lx.words("really just still also i we you to for on in at of with from about")
)


def _run_on_pieces(piece: str) -> list[str]:
    """Two requests run together without a joiner or a stop ("my login doesnt work my order is late",
    "change email address track my parcel", "wrong item received want refund"): a new subject with its
    verb, an imperative with its object, or "want"/"need" after a content word starts a clause."""
    raw = piece.split()
    words = [_APOSTROPHE.sub("", w).strip('.,!?;:()"').lower() for w in raw]
    cuts: list[int] = []
    start = 0
    for j in range(1, len(words)):
        w, prev = words[j], words[j - 1]
        if j - start < 2 or prev in _NOT_BEFORE_SPLIT or not prev.isalpha():
            continue
        new_subject = (
            w == "my"
            and j - start >= 3
            and any(x in _AUX or (x.endswith("ed") and len(x) > 4) for x in words[j + 2 : j + 5])
            and not any(x in _SUBORDINATORS for x in words[start:j])  # "how long my refund is taking"
        )
        imperative = w in lx.GENERIC_VERBS and j + 1 < len(words) and words[j + 1] in _OBJECT_STARTS
        wish = w in ("want", "need", "wanna")
        if new_subject or imperative or wish:
            cuts.append(j)
            start = j
    if not cuts:
        return [piece]
    bounds = [0, *cuts, len(raw)]
    return [" ".join(raw[a:b]) for a, b in itertools.pairwise(bounds) if a < b]


def _joiners_before(text: str, pieces: Sequence[str]) -> list[list[str]]:
    """The words the splitter took out before each piece ("but" in "I love it but ..."), lower case."""
    out: list[list[str]] = []
    pos = 0
    lowered = text.lower()
    for piece in pieces:
        at = lowered.find(piece.lower(), pos)
        if at < 0:
            out.append([])
            continue
        out.append(_TOKEN.findall(lowered[pos:at]))
        pos = at + len(piece)
    return out


def _chat_pieces(part: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    for m in _CHAT_OPENER.finditer(part):
        if len(part[start : m.start()].split()) >= 3:
            pieces.append(part[start : m.start()].strip())
            start = m.end()
    pieces.append(part[start:].strip())
    return [p for p in pieces if p]


# ------------------------------------------------------------------ scoring


@dataclass
class _Clause:
    text: str
    stems: list[str]
    words: list[str] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    pred: dict[str, float] = field(default_factory=dict)
    oos: float = 0.0
    evidence: list[str] = field(default_factory=list)
    selected: list[str] = field(default_factory=list)
    out_of_scope: bool = False
    aside: bool = False  # said in passing: routed to only when nothing else is asked
    disclaimed: bool = False  # every cue of it was disclaimed ("it's not about that")
    points_back: bool = False  # a disclaimer of a pronoun with nothing before it: the previous clause
    masked: int = 0  # words a disclaimer took out


def _match(stems: Sequence[str], start: int, phrase: _Phrase) -> bool:
    pos = start
    for slot in phrase.slots[1:]:
        found = -1
        for j in range(pos + 1, min(len(stems), pos + 2 + phrase.gap)):
            if stems[j] in slot:
                found = j
                break
        if found < 0:
            return False
        pos = found
    return True


def _phrase_hits(stems: Sequence[str], index: dict[str, list[_Phrase]]) -> list[_Phrase]:
    hits: list[_Phrase] = []
    seen: set[int] = set()
    for i, s in enumerate(stems):
        for phrase in index.get(s, ()):
            if id(phrase) not in seen and _match(stems, i, phrase):
                seen.add(id(phrase))
                hits.append(phrase)
    return hits


def _resolve_in(token: str, language: str, proper: bool = False) -> tuple[str, ...]:
    """English resolution; in another language only placeholders and known English words (no typo fixing:
    "oder" is German for "or", not a misspelt "order"). A proper noun (capitalised inside the clause:
    "Paris", "Rotterdam") is never corrected into a cue word."""
    if proper and not _is_known(token) and token.isalpha():
        return (f"_{token}",)
    if language == "en":
        return _resolve(token)
    if token in lx.PLACEHOLDER_TOKENS or not token.isalpha():
        return (token,)
    if fold(token) in _FUNCTION_FOLDED.get(language, ()):
        return (f"_{token}",)
    s = stem(token)
    return (s,) if token in _KNOWN_RAW or s in _KNOWN_STEMS else (f"_{token}",)


def _variant_weights(table: dict[str, dict[str, float]], variants: Iterable[str]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in variants:
        for d, w in table.get(v, {}).items():
            out[d] = max(out.get(d, 0.0), w)
    return out


@lru_cache(maxsize=65_536)
def _compound_weights(language: str, word: str) -> tuple[dict[str, float], dict[str, float]]:
    """A German or Dutch compound no table lists ("Rücksendeetikett", "Rechnungsadresse",
    "Expressversand") takes the weights of the longest cue stem it starts with, else of the longest it
    ends with (the head), a little lower than the word itself."""
    if language not in lx.COMPOUNDING:
        return {}, {}
    w = fold(word)
    if len(w) < lx.COMPOUND_MIN_WORD:
        return {}, {}
    keys = [
        k
        for k in itertools.chain(_FOREIGN[language], _FOREIGN_OBJ[language])
        if lx.COMPOUND_MIN_PART <= len(k) <= len(w) - 3
    ]
    starts = [k for k in keys if w.startswith(k)]
    # A head needs a modifier of four letters or more before it: "Österreich" is no "erreich(en)".
    ends = [k for k in keys if w.endswith(k) and len(w) - len(k) >= 4]
    if not starts and not ends:
        return {}, {}
    key = max(starts or ends, key=len)
    pred = {d: round(v * lx.COMPOUND_SHARE, 3) for d, v in _FOREIGN[language].get(key, {}).items()}
    obj = {d: round(v * lx.COMPOUND_SHARE, 3) for d, v in _FOREIGN_OBJ[language].get(key, {}).items()}
    return pred, obj


_MODIFIER_PREPS = {
    lang: frozenset(stem_in(lang, w) for w in words) for lang, words in lx.MODIFIER_PREPOSITIONS.items()
}


_QUALIFIERS = {
    lang: frozenset(stem_in(lang, w) for w in words) for lang, words in lx.FOREIGN_QUALIFIERS.items()
}


def _modifiers(foreign: list[str], language: str) -> tuple[set[str], set[str]]:
    """Cue stems that only say which thing another domain's cue is about.

    - after "für", "de", "du", "van"... that follow such a cue closely ("Erstattung für die Rücksendung",
      "reembolso de la devolución", "mijn geld terug voor de geretourneerde schoenen");
    - a qualifier ("falsch", "incorrecto", "mauvais", "verkeerd") right before or after another
      domain's cue ("ein falscher Betrag", "importe incorrecto"): it says what is wrong with that thing,
      and counts for nothing.

    Returns the modifiers (objects) and the qualifiers (dropped).
    """
    preps = _MODIFIER_PREPS.get(language, frozenset())
    table, objects = _FOREIGN[language], _FOREIGN_OBJ[language]
    weights = [_variant_weights(table, (f,)) for f in foreign]
    cues = [set(w) | set(_variant_weights(objects, (f,))) for w, f in zip(weights, foreign, strict=True)]
    out: set[str] = set()
    qualifiers: set[str] = set()
    for i, f in enumerate(foreign):
        if f not in preps:
            continue
        heads = {
            d
            for k in range(max(0, i - lx.MODIFIER_LOOK_BACK), i)
            for d, v in weights[k].items()
            if v >= lx.MODIFIER_HEAD_WEIGHT
        }
        if not heads:
            continue
        for k in range(i + 1, min(len(foreign), i + 1 + lx.MODIFIER_WINDOW)):
            if weights[k] and not heads & set(weights[k]):
                out.add(foreign[k])
                break
            if cues[k]:
                break
    for i, w in enumerate(weights):
        if not w or foreign[i] not in _QUALIFIERS.get(language, frozenset()):
            continue
        for k in (i - 1, i + 1):
            if 0 <= k < len(foreign) and cues[k] and not cues[k] & set(w):
                qualifiers.add(foreign[i])
    return out, qualifiers


def _proper_nouns(text: str) -> frozenset[str]:
    """Words capitalised where a sentence does not start ("Paris", "Rotterdam"), lower-cased; in a text
    that is not shouted, a word in capitals is a code or a name too ("the promo code FREESHIP")."""
    out = set()
    letters = [c for c in text if c.isalpha()]
    shouted = sum(c.isupper() for c in letters) > len(letters) / 2
    for m in _TOKEN.finditer(text):
        w = m.group()
        if w.isupper():
            if not shouted and len(w) >= 4 and w.isalpha():
                out.add(w.lower())
        elif m.start() and w[:1].isupper() and not _SENTENCE_END.search(text, 0, m.start()):
            out.add(w.lower())
    return frozenset(out)


_SENTENCE_END = re.compile(r"(?:^|[.!?:;\n¿¡])\W*$")


def _score_clause(
    text: str,
    normalised: str,
    language: str = "en",
    read_disclaimers: bool = True,
    proper: frozenset[str] = frozenset(),
    topical: bool = True,
) -> _Clause:
    words = _TOKEN.findall(normalised)
    masked, points_back = discourse.disclaimed(words) if read_disclaimers else (set(), False)
    # what a complaint is about ("a complaint about the lost parcel") counts half: only a plain problem
    # in it ("about the double charge on my card") is a request of its own too
    topic = discourse.complaint_topic(words) if topical else set()
    source = discourse.reported_source(words)  # "the agent on the chat said ...": who said it
    source |= discourse.written_source(words)  # "it's written in my review": where it was said
    source |= discourse.described_deed(words)  # "charged for an order I cancelled": what it is
    stems: list[str] = []
    foreign: list[str] = []
    written: dict[str, str] = {}  # stem -> the word as written, for the rationale
    for i, tok in enumerate(words):
        if i in masked or i in topic or i in source:
            continue
        for s in _resolve_in(tok, language, tok in proper):
            stems.append(s)
            written.setdefault(s, tok)
        if language != "en" and tok.isalpha():
            f = stem_in(language, tok)
            foreign.append(f)
            written.setdefault(f, tok)
    clause = _Clause(text=text, stems=stems, words=words, masked=len(masked))
    clause.points_back = points_back
    clause.aside = not (len(words) > 2 and words[0] in ("did", "has", "have", "was", "were")) and (
        # "did my summer order arrive ok?": a question, never said in passing
        discourse.is_aside(words)
        or discourse.is_reason(words)
        or discourse.is_narrative(words)
        or discourse.has_none(words)
    )
    pred: dict[str, float] = {}
    obj: dict[str, float] = {}
    obj_words: dict[str, list[str]] = {}
    bound: set[str] = set()
    ev = clause.evidence
    for s in dict.fromkeys(stems):  # each stem once per clause
        for d, w in _PRED.get(s, {}).items():
            pred[d] = pred.get(d, 0.0) + w
            ev.append(f"{written[s]}->{d}")
        for d, w in _OBJ.get(s, {}).items():
            obj[d] = obj.get(d, 0.0) + w
            obj_words.setdefault(d, []).append(written[s])
        if s in _OOS:
            clause.oos += _OOS[s]
            ev.append(f"{written[s]}->out_of_scope")
    for phrase in _phrase_hits(stems, _PHRASES):
        for d, w in phrase.weights:
            pred[d] = pred.get(d, 0.0) + w
        ev.append(f"'{phrase.label}'->{'+'.join(d for d, _ in phrase.weights)}")
    for phrase in _phrase_hits(stems, _OBJ_PHRASES):
        for d, w in phrase.weights:
            obj[d] = obj.get(d, 0.0) + w
            obj_words.setdefault(d, []).append(f"'{phrase.label}'")
    for phrase in _phrase_hits(stems, _OOS_PHRASES):
        clause.oos += sum(w for _, w in phrase.weights)
        ev.append(f"'{phrase.label}'->out_of_scope")
    if language != "en":
        modifiers, qualifiers = _modifiers(foreign, language)
        for f in dict.fromkeys(foreign):
            variants = stems_in(language, written[f])
            as_pred = _variant_weights(_FOREIGN[language], variants)
            as_obj = _variant_weights(_FOREIGN_OBJ[language], variants)
            if not as_pred and not as_obj:
                as_pred, as_obj = _compound_weights(language, written[f])
            if f in qualifiers:  # "ein falscher Betrag": what is wrong with the amount
                continue
            if f in modifiers:  # "Erstattung für die Rücksendung": the refund is asked for, not the return
                for d, w in as_pred.items():
                    as_obj[d] = max(as_obj.get(d, 0.0), w)
                as_pred = {}
            for d, w in as_pred.items():
                pred[d] = pred.get(d, 0.0) + w
                ev.append(f"{written[f]}->{d}")
            for d, w in as_obj.items():
                obj[d] = obj.get(d, 0.0) + w
                obj_words.setdefault(d, []).append(written[f])
            oos = max((_FOREIGN_OOS[language].get(v, 0.0) for v in variants), default=0.0)
            if oos:
                clause.oos += oos
                ev.append(f"{written[f]}->out_of_scope")
        consumed: set[str] = set()
        for phrase in _phrase_hits(foreign, _FOREIGN_PHRASES[language]):
            for d, w in phrase.weights:
                pred[d] = pred.get(d, 0.0) + w
            ev.append(f"'{phrase.label}'->{'+'.join(d for d, _ in phrase.weights)}")
            # a word of the phrase says what the phrase says: "devolver el dinero" is a refund, not a
            # return; "was kostet der Versand" is delivery, not a charge
            mine = {d for d, w in phrase.weights if w > 0}
            for f in dict.fromkeys(foreign):
                if (
                    f in consumed
                    or f in qualifiers
                    or f in modifiers
                    or not any(f in slot for slot in phrase.slots)
                ):
                    continue
                others = {
                    d: w
                    for d, w in _variant_weights(_FOREIGN[language], stems_in(language, written[f])).items()
                    if d not in mine
                }
                if mine and others:
                    consumed.add(f)
                    for d, w in others.items():
                        pred[d] = pred.get(d, 0.0) - w
                    ev.append(f"{written[f]} (in '{phrase.label}')")
    company = discourse.other_company(words)
    if company is not None:
        clause.oos += 4.0
        clause.out_of_scope = True
        ev.append(f"{company}->out_of_scope (another company's service)")
    # generic verbs lend weight to the nearest cue noun they bind to (forward first)
    for i, s in enumerate(stems):
        if s not in _GENERIC or written[s] in _NOUN_NOT_VERB:
            continue
        target: str | None = None
        for j in range(i + 1, min(len(stems), i + 1 + lx.BIND_WINDOW_FORWARD)):
            if written.get(stems[j]) in _NOUN_NOT_VERB:
                break  # "get the tracking for the blender order": the verb's object is the tracking
            if stems[j] in _BIND_TARGETS and stems[j] not in _GENERIC:
                target = stems[j]
                break
        if target is None:
            for j in range(i - 1, max(-1, i - 1 - lx.BIND_WINDOW_BACKWARD), -1):
                if stems[j] in _BIND_TARGETS and stems[j] not in _GENERIC:
                    target = stems[j]
                    break
        if target is not None and (target in _OBJ or target in _BIND_OVERRIDDEN):  # predicates need no help
            for d in _BIND_TARGETS[target]:
                if d not in bound:
                    pred[d] = pred.get(d, 0.0) + lx.BIND_BONUS
                    bound.add(d)
                    ev.append(f"{written[s]}+{written[target]}->{d}")
    for d in _DOMAIN_ORDER:
        p = pred.get(d, 0.0)
        o = obj.get(d, 0.0)
        if o:
            rival = max((v for k, v in pred.items() if k != d), default=0.0)
            if p > 0 or rival < ABSORB_THRESHOLD:
                p += o
                ev.append(f"{'/'.join(obj_words.get(d, []))}->{d}")
        if p > 0:
            clause.scores[d] = round(p, 3)
            clause.pred[d] = round(pred.get(d, 0.0), 3)
    if topic:
        about = " ".join(words[i] for i in sorted(topic - masked))
        sub = _score_clause(about, about, language, read_disclaimers, proper, topical=False)
        for d, v in sub.scores.items():
            clause.scores[d] = round(clause.scores.get(d, 0.0) + TOPIC_SHARE * v, 3)
            clause.pred[d] = round(clause.pred.get(d, 0.0) + TOPIC_SHARE * sub.pred.get(d, 0.0), 3)
        clause.oos += TOPIC_SHARE * sub.oos
        ev.extend(f"{e} (what the complaint is about)" for e in sub.evidence)
    return clause


_PRONOUN_OBJECTS = frozenset({"it", "them", "this", "that"})


def _bind_back(clause: _Clause, previous: _Clause) -> None:
    """A generic verb whose object is a pronoun ("could I still cancel it?") binds to the last cue noun
    of the clause before ("... for the french press order"), as it would to a noun of its own."""
    words = clause.words
    if any(s in _BIND_TARGETS and s not in _GENERIC for s in clause.stems):
        return
    for i, w in enumerate(words):
        if stem(w) in _GENERIC and any(x in _PRONOUN_OBJECTS for x in words[i + 1 : i + 3]):
            break
    else:
        return
    target = next(
        (s for s in reversed(previous.stems) if s in _BIND_TARGETS and s not in _GENERIC and s in _OBJ), None
    )
    if target is None:
        return
    for d in _BIND_TARGETS[target]:
        clause.scores[d] = round(clause.scores.get(d, 0.0) + lx.BIND_BONUS, 3)
        clause.pred[d] = round(clause.pred.get(d, 0.0) + lx.BIND_BONUS, 3)
        clause.evidence.append(f"{w}+{target} (before)->{d}")


_MONEY_ARRIVES = (  # stems of money that arrives
    *("refund", "money", "reimburse", "credit", "geld"),
    *("reembols", "erstatt", "rembours", "terugbeta"),
)
_IT_ARRIVES = re.compile(
    r"\b(?:it|they|that|this)\s+(?:\w+\s+){0,2}?(?:arrive|arrives|arrived|come|comes|land|lands|show up|shows up"
    r"|turn up|turns up|get here|be here|reach me|hit my)\b",
    re.IGNORECASE,
)


def _arrival_of_money(clause: _Clause, previous: _Clause) -> None:
    """ "... still haven't seen the refund. When will it arrive?": what arrives is the money the clause
    before was about, so the arrival words count for billing, not for a parcel (arrival words are objects:
    they take the domain of what arrives)."""
    if (
        not clause.scores
        or not set(clause.scores) <= _role("locates")
        or any(clause.pred.get(d) for d in clause.scores)
        or not _IT_ARRIVES.search(clause.text)
    ):
        return
    before = previous.scores
    payer = max(before, key=before.__getitem__) if before else None
    if payer is None or any(d in before for d in _role("locates")) or payer not in _role("pays"):
        return
    if not any(w.startswith(_MONEY_ARRIVES) for w in previous.words):
        return  # "I was charged twice for the lamp. When will it arrive?": the lamp arrives
    clause.scores = {payer: sum(clause.scores.values())}
    clause.evidence.append(f"arrival of it (the money before)->{payer}")


_THEIRS = frozenset(lx.words("they it them those these that"))
_OURS = frozenset(lx.words("you your yours we our us"))


_KNOWING = frozenset(lx.words("know understand realise realize"))
_SETTLED = frozenset(
    lx.words("closed cancelled canceled deleted done sorted finished refunded returned delivered")
)


def _granted_before_but(clause: _Clause, after: Sequence[str]) -> bool:
    """ "I know my account is closed, but ...", "My account was closed, but I still need the invoices": a
    settled fact granted before "but" is the story of what follows (nothing in it is asked or wrong)."""
    words = clause.words
    if not after or after[0] != "but" or len(words) < 2:
        return False
    if any(w in lx.ASIDE_BREAKERS and w not in ("but", "cancel") for w in words):
        return False
    knowing = words[0] == "i" and (words[1] in _KNOWING or "aware" in words[1:4])  # "I know", "I'm aware"
    settled = words[-1] in _SETTLED and any(w in ("is", "was", "has", "been", "are", "were") for w in words)
    return knowing or settled


def _of_the_other_company(clause: _Clause, previous: _Clause) -> None:
    """ "I ordered shoes from Zalando and they haven't arrived": what "they" are came from another company,
    so the clause about them is out of scope too (unless it names this store or one of its orders)."""
    if not previous.out_of_scope or not any("another company" in e for e in previous.evidence):
        return
    words = clause.words
    about_it = (  # "... can you track it for me?": "it" is their parcel, no thing of ours named
        bool(words)
        and any(w in ("it", "them", "they") for w in words)
        and not any(s in _OBJ for s in clause.stems)
        and not any(w in ("your", "yours", "our") for w in words)
    )
    if not about_it and (not words or words[0] not in _THEIRS or any(w in _OURS for w in words[:6])):
        return
    if any(s in (lx.T_ORDER_ID, lx.T_TRACKING) for s in clause.stems):
        return
    clause.oos += 4.0
    clause.out_of_scope = True
    clause.evidence.append("about the other company's order before->out_of_scope")


def _best(scores: dict[str, float]) -> tuple[str | None, float]:
    best: str | None = None
    value = 0.0
    for d in _DOMAIN_ORDER:  # fixed order: ties go to the earlier domain
        v = scores.get(d, 0.0)
        if v > value:
            best, value = d, v
    return best, value


def _content_words(stems: Iterable[str]) -> list[str]:
    return [s for s in stems if s not in _STOP and s not in _VAGUE and s not in _GREETING and not s.isdigit()]


_EMOJI_WORDS = {"👋": " hi ", "🙏": " thanks ", "🙂": " ", "😊": " ", "👍": " ok "}


# The question words that ask for something (not "is", "can": "is that all? thanks").
_WH_WORDS = frozenset(
    fold(w)
    for w in lx.words(
        "where when why what which dónde donde cuándo cuando qué que wo wann warum was welche "
        "waar wanneer waarom wat welke où quand pourquoi quoi quel quelle"
    )
)


def _greeting_only(text: str, strict: bool = False) -> bool:
    """A greeting, thanks, farewell or small talk in any of the router's languages, asking for nothing.

    ``strict``: every word is a greeting, polite filler or function word (checked before any cue word).
    """
    for emoji, word in _EMOJI_WORDS.items():
        text = text.replace(emoji, word)
    t = " " + " ".join(fold(w) for w in _TOKEN.findall(_APOSTROPHE.sub("", text.lower()))) + " "
    found = False
    for phrase in _GREETING_PHRASES:
        if phrase in t:
            t = t.replace(phrase, " ")
            found = True
    words = t.split()
    if not words and found:
        return True
    if any(w in lx.NEGATORS for w in words[1:]):
        return False  # "thanks, but it is still not fixed"
    if "?" in text and any(w in _WH_WORDS for w in words):
        return False  # "ok fine. then where is it right now?": an acknowledgement, then a question
    if len(words) > 12 or not (
        found or any(w in _GREETING_CORE or _ABBREVIATIONS.get(w) == "thanks" for w in words)
    ):
        return False
    thanked = any(w in lx.THANKS_WORDS or _ABBREVIATIONS.get(w) == "thanks" for w in words)
    rest = [
        w
        for w in words
        if w not in _GREETING_ANY
        and w not in _POLITE
        and w not in lx.STOPWORDS
        and w not in _ABBREVIATIONS
        and not any(w in table for table in _FUNCTION_FOLDED.values())
        and not (thanked and w in lx.THANKS_FOR)
    ]
    if strict:
        return not rest
    return len(rest) <= 1 and not any(stem(w) in _VAGUE or w in lx.VAGUE_WORDS for w in rest)


def _confidence(top: float, rival: float) -> float:
    strength = 1.0 - math.exp(-top / 2.0)
    margin = max(0.0, min(1.0, (top - rival) / top)) if top > 0 else 0.0
    return round(max(0.05, min(0.99, strength * (0.5 + 0.5 * margin))), 3)


def _greeting() -> RouteDecision:
    return RouteDecision(
        domains=[],
        greeting=True,
        confidence=0.8,
        rationale="a greeting or small talk with no request: greet and say what Switchboard can do",
    )


def _clarify(rationale: str, confidence: float) -> RouteDecision:
    return RouteDecision(
        domains=[],
        needs_clarification=True,
        clarifying_question=_CLARIFYING_QUESTION,
        confidence=confidence,
        rationale=rationale,
    )


def _select(clauses: list[_Clause], include_asides: bool) -> tuple[set[str], dict[str, float]]:
    totals: dict[str, float] = {}
    for c in clauses:
        c.selected = []
    for c in clauses:
        if c.disclaimed or (c.aside and not include_asides):
            continue
        _, top = _best(c.scores)
        if c.out_of_scope or (c.oos >= OOS_THRESHOLD and c.oos > top):
            c.out_of_scope = True
            continue
        for d, v in c.scores.items():
            totals[d] = totals.get(d, 0.0) + v
        for d, v in sorted(c.scores.items(), key=lambda kv: (-kv[1], _DOMAIN_ORDER.index(kv[0]))):
            first = not c.selected and v >= CLAUSE_THRESHOLD
            if first or (c.selected and c.pred.get(d, 0.0) >= SECOND_THRESHOLD):
                c.selected.append(d)
    selected: set[str] = {d for c in clauses for d in c.selected}
    if selected:
        for c in clauses:
            # "what did I buy in April and what card do you have on file?": a question of its own, weak
            # beside a strong one, is still asked
            asked, value = _best(c.scores)
            if (
                asked is not None
                and not c.selected
                and not (c.disclaimed or c.aside or c.out_of_scope)
                and len(c.scores) == 1
                and value >= MIN_THRESHOLD
                and c.pred.get(asked, 0.0) > 0
                and len(c.words) > 2
                and c.words[0] in ("what", "which", "where", "when", "how", "who")
                and c.words[1] not in ("i", "we", "you", "they", "he", "she", "it")  # "..., which I forgot"
                and not all("(before)" in e for e in c.evidence)  # "how do I fix this?": no word of its own
            ):
                c.selected.append(asked)
                selected.add(asked)
    opening = next((c for c in clauses if not c.aside), None)
    if (
        selected
        and opening is not None
        and opening.out_of_scope
        and max(c.scores[d] for c in clauses for d in c.selected) < AFTER_OOS_THRESHOLD
        and not any(w in lx.STORE_REFERENCES for c in clauses for w in c.words)
    ):
        # "my flight got cancelled, can I get compensation?": what follows a request about something
        # else, with no strong cue and no word of this store, is about the same thing
        for c in clauses:
            c.selected = []
        return set(), {}
    best, best_total = _best(totals)
    if not selected and best is not None and best_total >= MIN_THRESHOLD:
        first_oos = next((i for i, c in enumerate(clauses) if c.out_of_scope), len(clauses))
        first_weak = next(
            (i for i, c in enumerate(clauses) if best in c.scores and not c.out_of_scope), len(clauses)
        )
        if first_oos < first_weak:
            # a clause plainly about something else comes first ("a parcel from an eBay seller, can you
            # track it?"): weak evidence after it is about the same thing, no reason to route
            return set(), {}
        rival = max((v for d, v in totals.items() if d != best), default=0.0)
        scored = [c for c in clauses if c.scores and not c.out_of_scope and not c.disclaimed and not c.aside]
        tops = [(c, *_best(c.scores)) for c in scored]
        own = [(c, d) for c, d, v in tops if d is not None and v >= MIN_THRESHOLD and len(c.scores) == 1]
        if len(scored) >= 2 and len(own) == len(scored) and len({d for _, d in own}) == len(own):
            # "what did I buy in April and what card do you have on file?": two questions, each with its
            # own domain; weak each, but they do not contradict each other
            for c, d in own:
                c.selected.append(d)
            return {d for _, d in own}, totals
        if rival >= CONTRADICTION_RATIO * best_total:
            return set(), {}  # weak and contradictory: a question, not a guess
        selected = {best}
        for c in clauses:
            if (
                best in c.scores
                and not c.out_of_scope
                and not c.disclaimed
                and (include_asides or not c.aside)
            ):
                c.selected.append(best)
    return selected, totals


_CONCESSION = re.compile(
    r"^\W*(?:\w+[,.!]\s+)?(?P<given>(?:aunque|a pesar de que|obwohl|obgleich|auch wenn|bien que|quoique|même si|"
    r"hoewel|ofschoon|ook al)\b[^,;.?!]*)[,;]\s*(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)


# "Ma commande est annulée, d'accord, mais est-ce que j'ai été débité ?": what is granted is the story
_GRANTED = re.compile(
    r"^(?P<given>[^.;?!]*\S)\s*,\s*(?:d'accord|ok|okay|vale|bueno|gut|schön|na gut|oké|goed|prima)\s*,?\s+"
    r"(?:mais|pero|aber|maar)\s+(?P<rest>\S.*)$",
    re.IGNORECASE | re.DOTALL,
)
# "warum wurde meine Karte belastet, obwohl ich storniert habe?": the concession closes the sentence
_CONCEDED_AFTER = re.compile(
    r"^(?P<rest>[^.;?!]*\S)\s*,?\s+(?P<given>(?:aunque|a pesar de que|obwohl|obgleich|bien que|quoique|alors que|"
    r"hoewel|ofschoon|terwijl)\b[^.;?!]*)[.?!]*\s*$",
    re.IGNORECASE | re.DOTALL,
)


# "thanks for sorting out my refund so quickly last month!": thanks for what was done, nothing asked
_THANKS_FOR_DONE = re.compile(
    r"^\W*(?:(?:many|big|huge)\s+)?(?:thanks|thank you|thx|cheers)(?:\s+(?:so|very)\s+much|\s+a lot)?\s+for\s+"
    r"(?:sorting|handling|processing|fixing|dealing|getting|helping|the quick|the fast|your help|all your help|"
    r"taking care|looking into|resolving|the help)\b[^?]*$",
    re.IGNORECASE | re.DOTALL,
)
_ASKS_MORE = re.compile(
    r"\b(?:but|still|please|pls|can|could|would|need|want|not|never|again|also|another|however|now)\b",
    re.IGNORECASE,
)


def _decide(text: str) -> RouteDecision:
    if _THANKS_FOR_DONE.match(text) and not _ASKS_MORE.search(text):
        return _greeting()
    if _greeting_only(text, strict=True):
        # small talk through and through ("are you a bot?", "who am I talking to"): no cue word decides it
        return _greeting()
    language = detect(_TOKEN.findall(_normalise(text)), _FOREIGN_CUES, _ENGLISH_WORDS)
    conceded = (
        (_CONCESSION.match(text) or _CONCEDED_AFTER.match(text) or _GRANTED.match(text))
        if language != "en"
        else None
    )
    if conceded:
        # "Aunque cerré mi cuenta, necesito la factura...": what is conceded is the story, not the request
        # (English clauses are split and "although" marks its clause an aside; these are read whole)
        rest = _decide_in(conceded.group("rest"), language, read_disclaimers=True)
        if rest.domains:
            return rest.model_copy(
                update={"rationale": f"{rest.rationale} (aside: {conceded.group('given')})"}
            )
    decision = _decide_in(text, language, read_disclaimers=True)
    if not decision.domains and "disclaimed" in decision.rationale:
        # nothing else was asked: the disclaimer is the request ("I don't want these e-mails any more")
        plain = _decide_in(text, language, read_disclaimers=False)
        if plain.domains:
            return plain
    return decision


def _only_outbursts(clauses: Sequence[_Clause], domain: str) -> bool:
    """Does `domain`'s evidence consist of anger words only ("ridiculous", "inadmissible")?"""
    words: list[str] = []
    for c in clauses:
        for e in c.evidence:
            left, _, right = e.rpartition("->")
            if domain not in right.split("+"):
                continue
            if "'" in left:  # a phrase ("'talk … human'"): more than anger
                return False
            words += left.split("/")
    return bool(words) and all(fold(w) in _OUTBURST_WORDS or stem(w) in _OUTBURSTS for w in words)


_SEASONS_GREETINGS = re.compile(
    r"\b(?:happy new year|merry christmas|happy holidays|season'?s greetings|festive season|happy easter"
    r"|frohe weihnachten|frohes neues|feliz navidad|feliz año|joyeux no[ëe]l|bonne ann[ée]e|prettige feestdagen"
    r"|gelukkig nieuwjaar|vrolijk kerstfeest)\b",
    re.IGNORECASE,
)


_HEDGES = lx.words("think believe hope guess assume probably hopefully presumably suppose")
_ARRIVED = lx.words(
    "arrived came delivered llegaron llegó llego entregaron kam kamen angekommen geliefert kwam kwamen aangekomen"
    " geleverd bezorgd"
)


def _arrival_told(clause: _Clause) -> bool:
    """ "The shoes arrived but they're too small", "me llegaron las zapatillas", "the parcel came yesterday,
    all fine": that it came is the story of what another clause asks (a return, an exchange, an invoice),
    not a delivery problem (only a positive past arrival, with no complaint word and no question in it)."""
    words = clause.words
    return (
        bool(clause.scores)
        and set(clause.scores) <= _role("locates")
        and "?" not in clause.text
        and not (words and words[0] in _ASKS_FIRST)  # "was my last order delivered to Faro?" asks
        and any(w in _ARRIVED for w in words)
        and not any(
            w in lx.NEGATORS or w in lx.ASIDE_BREAKERS or w in lx.FOREIGN_BREAKERS or w in _ARRIVAL_TROUBLE
            for w in words
        )
    )


_PARCEL_WORDS = frozenset(
    lx.words(
        "parcel parcels package packages box packaging packed packing delivery courier driver carrier postman "
        "paquete paquetes caja envío envio embalaje repartidor paket pakete karton verpackung lieferung bote "
        "colis paquet carton emballage livraison livreur pakket pakketje doos verpakking bezorging bezorger"
    )
)


def _arrived_damaged(clause: _Clause, others: Sequence[_Clause]) -> None:
    """ "The lamp arrived broken, I want to return it", "me llegó el producto roto, quiero devolverlo": the
    product's arrival is the story of the return asked for, not a delivery problem. Only when the arrival
    word is the delivery's only evidence (no parcel, box, courier or packing named: "el paquete llegó roto"
    is the parcel's damage) and a return or exchange is asked for, here or in another clause."""
    carriers = _role("locates")
    located = _role("located")
    if not any(d in clause.scores for d in carriers) or any(w in _PARCEL_WORDS for w in clause.words):
        return
    arrival = [e for e in clause.evidence if any(e.endswith(f"->{d}") for d in carriers)]
    if not arrival or not all(e.split("->")[0] in _ARRIVED for e in arrival):
        return
    if not any(w in _DAMAGED for w in clause.words):
        return
    if any(clause.pred.get(d) for d in located) and not set(clause.scores) <= carriers:
        for d in carriers:
            clause.scores.pop(d, None)
            clause.pred.pop(d, None)
        clause.evidence.append("a product that arrived damaged, returned (not a delivery problem)")
    elif any(o.pred.get(d) for o in others for d in located) and not any(clause.pred.get(d) for d in located):
        clause.aside = True


_DAMAGED = frozenset(
    lx.words(
        "broken damaged cracked smashed dented scratched faulty defective shattered torn stained ripped "
        "roto rota rotos rotas dañado dañada defectuoso defectuosa kaputt beschädigt defekt zerbrochen "
        "cassé cassée abîmé abîmée endommagé défectueux kapot beschadigd defect stuk"
    )
)
_ASKS_FIRST = frozenset(lx.words("was were did has have had is are does do"))
_ARRIVAL_TROUBLE = lx.words(
    "says say said shows showed marked claims supposedly apparently tracking app "
    "yet get gets got will did does do crushed open opened wet soaked tarde nunca roto rota dañado spät kaputt beschädigt"
    " retard cassé abîmé laat kapot"
)


_ROLES: dict[tuple[str, int], frozenset[str]] = {}


def _role(flag: str) -> frozenset[str]:
    """The registered domains with a role (`DomainSpec.located`, `locates`, `pays`): the router's rules
    name roles, not domains, so a domain added to the registry takes part by declaring one. Read once per
    registry generation, not on every clause."""
    key = (flag, registry.generation())
    if key not in _ROLES:
        _ROLES[key] = frozenset(d.name for d in registry.domains() if getattr(d, flag))
    return _ROLES[key]


def _order_only_named(clause: _Clause, language: str) -> bool:
    """The clause names an order and says nothing to do with the order itself: no word of the orders
    domain but the order (no predicate), and either another domain's word beside it ("mein Paket zur
    Bestellung ORD-1") or a plain statement ("On 29 October I ordered the espresso machine (ORD-1)"), not a
    question or a complaint about the order ("where is my order?", "I can't see my orders")."""
    if any(clause.pred.get(d) for d in _role("located")):
        return False
    if _OF_ORDER.search(clause.text):
        return True
    words = [fold(w) for w in clause.words]
    asks = _ASKS_EN if language == "en" else _WH_WORDS | _FOREIGN_NOT
    return not any(w in asks or w in lx.NEGATORS for w in words)


_ASKS_EN = lx.words("where when why what which how")  # German "was" is English "was"

_FOREIGN_NOT = frozenset(
    fold(w)
    for w in lx.words(
        "no nicht kein keine keinen nie nichts ne pas jamais rien niet geen nooit niets nunca nada"
    )
)
# Something of an order: "the parcel for order ORD-1", "mein Paket zur Bestellung", "el paquete del pedido"
_OF_ORDER = re.compile(
    r"\b\w+\s+(?:of|for|from|on|zur|zu|von|der|del|de la|de|du|van|voor)\s+(?:(?:all|every|each|alle[ns]?|todos|tous"
    r"|my|the|this|that|mein\w*|der|die|la|los|las|el|mi|mis|ma|mes|mon|les|mijn|de|het)\s+){0,2}"
    r"(?:orders?|bestellung(?:en)?|pedidos?|commandes?|bestelling(?:en)?)\b",
    re.IGNORECASE,
)


# Verbs that make a clause a statement ("the packaging was nice"), in the router's languages.
_STATES = lx.words(
    "was were is are been be came arrived went got worked looks looked seems seemed "
    "ist war waren sind kam kamen est était etait sont étaient etaient fut es era eran son fue fueron está esta "
    "estaba llegó llego vino waren kwam kwamen é foi são sao chegou è sono erano stato stata "
    "arrivato arrivata"
)


def _thank_you_note(text: str) -> bool:
    """A note of thanks with no word of any domain, no question and no complaint ("Just a quick note to
    say thanks for sorting everything out so fast. Have a lovely weekend!", "Solo quería daros las
    gracias, todo perfecto"): the customer asks for nothing, so it gets a greeting (two blind writers)."""
    words = _TOKEN.findall(_normalise(text))
    return (
        "?" not in text
        and any(w in lx.THANKS_WORDS for w in words)
        and not any(
            (w in lx.ASIDE_BREAKERS and w != "help") or w in lx.FOREIGN_BREAKERS or w in lx.NEGATORS
            for w in words
        )  # "thanks for the help" is no request for help
    )


def _decide_in(text: str, language: str, read_disclaimers: bool) -> RouteDecision:
    if (
        _SEASONS_GREETINGS.search(text)
        and "?" not in text
        and not any(
            w in lx.ASIDE_BREAKERS or w in lx.FOREIGN_BREAKERS for w in _TOKEN.findall(_normalise(text))
        )
    ):
        return _greeting()  # a card wishing the team well asks for nothing
    proper = _proper_nouns(text)
    pieces = _clauses(text, language)
    clauses = [
        _score_clause(piece, _normalise(piece), language, read_disclaimers, proper) for piece in pieces
    ]
    joiners = _joiners_before(text, pieces)
    for pattern, label in ((_CODE, "code"), (_MATH, "arithmetic")):
        if pattern.search(text):
            for c in clauses:
                c.oos += 3.0
                c.evidence.append(f"{label}->out_of_scope")
    for i, c in enumerate(clauses):
        if c.points_back and i > 0:
            clauses[i - 1].disclaimed = True
        if i + 1 < len(clauses) and discourse.corrected(c.words, clauses[i + 1].words):
            c.disclaimed = True
        if i > 0 and discourse.ends_asides(c.words):
            for earlier in clauses[:i]:
                earlier.aside = True
        if (
            i > 0
            and discourse.is_thanks(c.words)
            and not any(w in lx.ASIDE_BREAKERS or w in lx.FOREIGN_BREAKERS for w in clauses[i - 1].words)
            # "reset my password and the invoice, thanks": no statement of its own ("... and the packaging
            # was nice, thanks" is one), but a request's second half, joined to it
            and not (
                i > 1
                and joiners[i - 1]
                and clauses[i - 2].scores
                and not clauses[i - 2].aside
                and not any(w in _STATES for w in clauses[i - 1].words)
            )
        ):
            clauses[i - 1].aside = True  # "delivery was quick, thanks!"
    for i, c in enumerate(clauses):
        if i + 1 < len(clauses) and discourse.prefaces(c.words, joiners[i + 1] + clauses[i + 1].words):
            c.aside = True
        if i + 1 < len(clauses) and _granted_before_but(c, joiners[i + 1] + clauses[i + 1].words):
            c.aside = True  # "I know my account is closed, but can you still tell me ...": what is granted
        if i > 0:
            _bind_back(c, clauses[i - 1])
            _arrival_of_money(c, clauses[i - 1])
            _of_the_other_company(c, clauses[i - 1])
        if i > 0 and not c.scores and discourse.asks_about_it(c.words) and clauses[i - 1].scores:
            # "... because the parcel took three weeks, and where is it now?": what the question asks
            # about was not said in passing
            clauses[i - 1].aside = False
    for c in clauses:
        others = [o for o in clauses if o is not c]
        carriers = _role("locates")
        if (
            c.scores
            and _best(c.scores)[0] in _role("located")
            and any(w in _HEDGES for w in c.words)
            and any(w in ("shipped", "dispatched", "sent") for w in c.words)
            and any(v for o in others for d, v in o.pred.items() if d not in _role("located"))
        ):
            c.aside = True  # "Can you send it to my office instead? I think it hasn't shipped yet."
        if (
            "anyway" in c.words
            and c.scores
            and set(c.scores) <= carriers
            and any(o.pred for o in others if o.scores)
        ):
            c.aside = True  # "please cancel the order, the delivery date is too late for me anyway": a reason
        _arrived_damaged(c, others)
        if (
            _arrival_told(c)
            and any(v for o in others for d, v in o.pred.items() if d not in carriers)
            and not any(
                o.scores.get(d, 0.0) >= 1.0 for o in others for d in carriers
            )  # "expect" (0.3): no parcel
        ):
            c.aside = True
    selected, totals = _select(clauses, include_asides=False)
    contradicted = not selected and not totals and any(c.scores for c in clauses if not c.aside)
    if not selected and not contradicted:
        selected, totals = _select(clauses, include_asides=True)
        contradicted = not selected and not totals and any(c.scores for c in clauses)
    notes = []
    if any(c.masked or c.disclaimed for c in clauses):
        notes.append("disclaimed: " + "; ".join(c.text for c in clauses if c.masked or c.disclaimed))
    if any(c.aside for c in clauses):
        notes.append("aside: " + "; ".join(c.text for c in clauses if c.aside))
    if language != "en":
        notes.append(f"language {language}")
    note = (" (" + " | ".join(notes) + ")") if notes else ""

    all_stems = [s for c in clauses for s in c.stems]
    if not selected:
        oos_total = sum(c.oos for c in clauses)
        evidence = sorted({e for c in clauses for e in c.evidence})
        if any(c.out_of_scope for c in clauses) or oos_total >= OOS_THRESHOLD:
            return RouteDecision(
                domains=[],
                out_of_scope=True,
                confidence=round(min(0.95, 0.6 + 0.05 * oos_total), 3),
                rationale="out of scope: " + ", ".join(e for e in evidence if "out_of_scope" in e) + note,
            )
        if contradicted and not any(c.out_of_scope for c in clauses):
            return _clarify("weak and contradictory evidence: " + ", ".join(evidence) + note, 0.4)
        if _greeting_only(text) or (not evidence and oos_total == 0 and _thank_you_note(text)):
            return _greeting()
        function = _FUNCTION_FOLDED.get(language, frozenset())
        content = [
            s
            for s in _content_words(all_stems)
            if not (
                language != "en"
                and (s.startswith("_") or s in _FOREIGN_VAGUE.get(language, ()))
                and (
                    fold(s.lstrip("_")) in function
                    or fold(s.lstrip("_")) in _GREETING_ANY  # "Hallo, ich hätte da mal eine Frage"
                    or stem_in(language, s.lstrip("_")) in _FOREIGN_VAGUE.get(language, ())
                )
            )
        ]
        vague = any(s in _VAGUE for s in all_stems) or any(
            s.startswith("_")
            and language != "en"
            and stem_in(language, s[1:]) in _FOREIGN_VAGUE.get(language, ())
            for s in all_stems
        )
        specific = [  # "_name": a proper noun ("Barcelona")
            s
            for s in content
            if (s.isalpha() and len(s) >= 3 and s not in _EVERYDAY and s not in _KNOWN_STEMS)
            or s.startswith("_")
        ]
        if specific and language == "en":
            # a word no domain knows and no everyday or shop word either ("plumber", "inflation", "CV"):
            # the request is about something else, not too vague to route
            return RouteDecision(
                domains=[],
                out_of_scope=True,
                confidence=0.6,
                rationale="about something no domain covers: " + " ".join(specific[:6]) + note,
            )
        if len(content) <= 1 or (vague and len(content) <= 2):
            return _clarify(
                "too vague to route: no domain cue"
                + (f" (weak: {', '.join(evidence)})" if evidence else "")
                + note,
                0.7 if not evidence else 0.55,
            )
        return RouteDecision(
            domains=[],
            out_of_scope=True,
            confidence=0.55 if evidence else 0.65,
            rationale="no domain evidence in a request with content: " + " ".join(content[:8]) + note,
        )

    domains = sorted(selected)
    content = _content_words(all_stems)
    if len(domains) == 1 and content and all(s in _OUTBURSTS for s in content):
        return _clarify("anger with nothing it is about: " + " ".join(content) + note, 0.55)
    if len(domains) > 1:
        # "my order is late and I was charged twice, c'est inadmissible": the anger is emphasis, not a
        # request of its own, when the domain it points to has no other evidence (two blind writers)
        emphasis = [d for d in domains if _only_outbursts(clauses, d)]
        if emphasis and len(emphasis) < len(domains):
            domains = [d for d in domains if d not in emphasis]
            selected = set(domains)
            note += " (emphasis, no request: " + ", ".join(emphasis) + ")"
    named = [
        d
        for d in domains
        if d in _role("located") and all(_order_only_named(c, language) for c in clauses if d in c.selected)
    ]
    if len(domains) > 1 and named and len(named) < len(domains):
        # "My order ORD-1 was due on 27 October and still hasn't arrived": the order is named to say which
        # parcel or payment is meant (only the order itself, no word of what to do with it)
        domains = [d for d in domains if d not in named]
        selected = set(domains)
        note += " (an order named, not asked about)"
    rival = max((v for d, v in totals.items() if d not in selected), default=0.0)
    weakest = min(max((c.scores.get(d, 0.0) for c in clauses), default=0.0) for d in domains)
    confidence = _confidence(max(weakest, min(totals.get(d, 0.0) for d in domains)), rival)

    requests: dict[str, list[str]] = {d: [] for d in domains}
    last: list[str] = []
    for c in clauses:
        owners = [d for d in c.selected if d in requests]
        if not owners and _content_words(c.stems) and not c.out_of_scope:
            owners = last  # a clause with no evidence of its own continues the previous one
        for d in owners:
            requests[d].append(_LEADING_JOINER.sub("", c.text) or c.text)
        if owners:
            last = owners
    domain_requests: dict[str, str] = {}
    for d in domains:
        parts = requests[d] if len(domains) > 1 else [text]
        domain_requests[d] = ("; ".join(parts) if parts else text)[:2000]
    evidence = []
    for c in clauses:
        if c.selected:
            evidence.append(f"[{'+'.join(c.selected)}] {', '.join(c.evidence[:8])}")
    return RouteDecision(
        domains=domains,
        confidence=confidence,
        rationale=("; ".join(evidence) + note)[:1000],
        domain_requests=domain_requests,
    )


FOLLOW_UP_CONFIDENCE = 0.68


_SEND_BACK = re.compile(r"\b(?:send|bring|take|post|ship)\s+(?:it|them|this|that|those|these)\s+back\b", re.I)


# "and the other order?", "what about my last order?", "und die andere Bestellung?", "et l'autre commande ?"
_THE_OTHER_ORDER = re.compile(
    r"^\W*(?:(?:and|what about|how about|same for|und|et|y|en|e)\s+)?(?:(?:for|about|with|für|pour|para|voor|per)\s+)?"
    r"(?:(?:the|my|die|das|meine|la|ma|mon|l'|el|mi|de|het|mijn|il|mio|o|a)\s*)?"
    r"(?:other|another|andere[nr]?|autre|otro|otra|ander|altro|altra|outro|outra|first|second|last|previous|older"
    r"|erste|letzte|vorherige|premi[eè]re|derni[eè]re|primer|[uú]ltimo|eerste|laatste|vorige|primo|ultimo)\s+"
    r"(?:orders?|bestellung(?:en)?|commandes?|pedidos?|bestellingen|bestelling|ordine|ordini|encomenda)\W*$",
    re.IGNORECASE,
)


def _weak_follow_up(text: str, decision: RouteDecision) -> bool:
    """A short message whose domains rest only on a turn of phrase, no word of theirs ("still nothing",
    "it still doesn't come"): weak evidence, read in the thread. A word of a domain ("can I cancel
    it?", "how much did I pay?") is a new subject."""
    words = _TOKEN.findall(_normalise(text))
    if len(words) > 10 or decision.confidence >= FOLLOW_UP_CONFIDENCE:
        return False
    if _SEND_BACK.search(text):
        return False  # "can I still send them back?": a return asked for, whatever the thread was about
    if detect(words, _FOREIGN_CUES, _ENGLISH_WORDS) != "en":
        return False  # the other languages' cue words are not in the English tables read below
    stems = tokens_for(text)
    return not any(
        d in _PRED.get(s, {}) or d in _OBJ.get(s, {}) or d in _BIND_TARGETS.get(s, ())
        for s in stems
        for d in decision.domains
    )


_PLACE_TOKEN = re.compile(rf"\s*\b{lx.T_PLACE}\b\s*")


def _restore_places(decision: RouteDecision, texts: Sequence[str]) -> RouteDecision:
    """The briefs get the addresses back: routing read each as a place (``_clean``), a specialist needs
    it as written. ``texts``: what the domain requests were cut from, in order (earlier request, this)."""
    raw = [unicodedata.normalize("NFKC", t[:MAX_ROUTE_TEXT]) for t in texts]
    addresses = [a for t in raw for a in postal_addresses(_CONTROL.sub(" ", t))]
    if not addresses or not any(lx.T_PLACE in r for r in decision.domain_requests.values()):
        return decision
    joined = " / ".join(_clean(t) for t in texts)

    def restore(request: str) -> str:
        at = joined.find(request)
        index = iter(range(joined[:at].count(lx.T_PLACE) if at >= 0 else 0, 10_000))
        return _PLACE_TOKEN.sub(
            lambda _: f" {addresses[min(next(index), len(addresses) - 1)]} ", request
        ).strip()

    requests = {d: restore(r) for d, r in decision.domain_requests.items()}
    return decision.model_copy(update={"domain_requests": requests})


def route_deterministic(request: str | RouteRequest, history: Sequence[str] | None = None) -> RouteDecision:
    """Route a request to domains without a model.

    ``request`` is the text (or a :class:`RouteRequest`). ``history`` (earlier requests of the
    thread, oldest first) is used only when the text alone is too vague: "yes, cancel it" after a
    request about an order is routed like that request.

    Raises ``ValueError`` for an empty or blank text and ``TypeError`` for a non-string.
    """
    if isinstance(request, RouteRequest):
        text, past = request.text, list(request.history)
    else:
        text, past = request, list(history or [])
    if not isinstance(text, str):
        raise TypeError(f"request text must be a string, got {type(text).__name__}")
    decision = _route(text, past)
    return _restore_places(decision, [str(past[-1]), text] if past else [text])


_ACT_ON_IT_VERBS = frozenset(lx.GENERIC_VERBS | lx.words("drop stop unsubscribe send do return refund"))


def _acts_on_it(text: str) -> bool:
    """A short message with a verb and a pronoun object ("drop that one", "do it", "send it")."""
    words = _TOKEN.findall(_normalise(text))
    return (
        len(words) <= 8
        and any(w in _ACT_ON_IT_VERBS for w in words)
        and any(w in lx.ANAPHORS or w in lx.FOLLOW_UP_PRONOUNS for w in words)
    )


_CORRECTED_ONE = re.compile(
    r"^\W*(?:no,?\s+)?(?:wait,?\s+|sorry,?\s+|actually,?\s+)*i\s+meant?\s+(?:which|the|that)\s+one\b",
    re.IGNORECASE,
)


def _carried_over(earlier: RouteDecision, previous: str, cleaned: str, why: str) -> RouteDecision:
    """The thread's earlier request decides the domains of a message that follows it; each domain reads
    the two together ("previous / new")."""
    return RouteDecision(
        domains=earlier.domains,
        confidence=round(earlier.confidence * 0.8, 3),
        rationale=f"{why} ({earlier.rationale})"[:1000],
        domain_requests={d: f"{previous}{FOLLOWS}{cleaned}"[:2000] for d in earlier.domains},
    )


def _route(text: str, past: list[str]) -> RouteDecision:
    cleaned = _clean(text)
    if not cleaned:
        raise ValueError("request text is empty: nothing to route")
    _ensure_compiled()
    decision = _decide(cleaned)
    if (
        past
        and decision.out_of_scope
        and decision.confidence <= 0.6
        and discourse.asks_about_it(_TOKEN.findall(_normalise(cleaned)))
    ):
        # "where exactly is it stuck?" after a request about a parcel: a word no domain knows in a
        # follow-up about "it" is no reason to leave the thread's subject
        decision = _clarify("a follow-up about something said before", 0.5)
    if decision.domains and past and _weak_follow_up(cleaned, decision):
        # "still nothing" after "my password reset isn't working": a weak cue in a short follow-up is
        # about what the thread is about, not a new subject
        previous = _clean(str(past[-1]))
        earlier = _decide(previous) if previous else None
        if earlier is not None and earlier.domains and set(earlier.domains) != set(decision.domains):
            return _carried_over(
                earlier, previous, cleaned, f"a weak follow-up ({decision.rationale}) to the previous request"
            )
    if (
        decision.domains
        and past
        and discourse.asks_when_it_comes(cleaned)
        and discourse.only_locating(decision.domains)
    ):
        # "where is my refund?" / "and when will it arrive?": the money, not a parcel; after a request
        # about something that has a place (an order, a parcel) the domains that locate things answer
        previous = _clean(str(past[-1]))
        earlier = _decide(previous) if previous else None
        if earlier is not None and earlier.domains and not discourse.names_goods(previous):
            kept = discourse.whereabouts_domains(earlier.domains, cleaned, previous)
            if set(kept) != set(decision.domains):
                earlier = earlier.model_copy(update={"domains": sorted(kept)})
                return _carried_over(
                    earlier, previous, cleaned, "a question when it comes, about the previous request"
                )
    if decision.domains and past and _THE_OTHER_ORDER.match(cleaned):
        # "and the other order?" after "did my transfer for the foam roller order arrive?": the same
        # question about another order; "order" names which, not what is asked
        previous = _clean(str(past[-1]))
        earlier = _decide(previous) if previous else None
        if earlier is not None and earlier.domains and set(earlier.domains) != set(decision.domains):
            return _carried_over(earlier, previous, cleaned, "the same question about another order")
    if decision.domains and past and _CORRECTED_ONE.search(cleaned):
        # "which card do you have on file?" / "no wait, I meant which one got used for the order I placed":
        # "one" is still the thing asked about before; the rest narrows it down
        previous = _clean(str(past[-1]))
        earlier = _decide(previous) if previous else None
        if earlier is not None and earlier.domains and not set(earlier.domains) & set(decision.domains):
            return _carried_over(earlier, previous, cleaned, "a correction of the previous request")
    if decision.greeting and past and _acts_on_it(cleaned):
        # "ok drop that one please" after "which newsletters do I get?": not small talk, a request about
        # what the thread is about
        decision = _clarify("a request about something said before", 0.5)
    if decision.needs_clarification and past:
        # the last request of the thread that named a subject ("und die davor?" after "and the one before
        # that?" after "what's the status of my last order?"), at most three back
        for previous in (_clean(str(p)) for p in reversed(past[-3:])):
            if not previous:
                continue
            earlier = _decide(previous)
            if earlier.domains:
                if discourse.asks_whereabouts(cleaned):
                    earlier = earlier.model_copy(
                        update={"domains": discourse.whereabouts_domains(earlier.domains, cleaned, previous)}
                    )
                return _carried_over(earlier, previous, cleaned, "follow-up to the previous request")
    return decision
