"""Which language a request is in, and stemming in that language (Snowball, through PyStemmer).

The deterministic router reads English, German, Spanish, French, Dutch, Portuguese and Italian. A request is
taken to be in the language whose function words ("ich", "mijn", "quiero", "je") and declared cue words
it uses most; English wins ties, so an English request with a foreign place name stays English, and
Spanish wins a tie with Portuguese (the order of ``lexicon.LANGUAGES``). Detection
costs a few set look-ups per token; PyStemmer is a C extension that imports in about a millisecond.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache

from switchboard.agents.router import lexicon as lx

__all__ = ["LANGUAGES", "detect", "fold", "stem_in", "stems_in"]

LANGUAGES: tuple[str, ...] = ("en", *lx.LANGUAGES)


@lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """Lower case without accents ("Rücksendung" -> "rucksendung"): customers often type without them."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


@cache
def _stemmer(language: str):  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer(lx.LANGUAGES[language])


@lru_cache(maxsize=131_072)
def stem_in(language: str, word: str) -> str:
    """The Snowball stem of a word in one of the foreign languages, accents folded afterwards (the
    stemmers read accents: French "débitée" and "débité" are both "débit")."""
    return fold(str(_stemmer(language).stemWord(word.lower())))


@lru_cache(maxsize=131_072)
def stems_in(language: str, word: str) -> frozenset[str]:
    """``stem_in`` and the stem of the word typed without accents ("debitee"): a table holds both."""
    return frozenset({stem_in(language, word), str(_stemmer(language).stemWord(fold(word)))})


_FUNCTION = {lang: frozenset(fold(w) for w in words) for lang, words in lx.FUNCTION_WORDS.items()}


def detect(
    words: Iterable[str],
    cues: Mapping[str, frozenset[str]] | None = None,
    english: frozenset[str] = frozenset(),
) -> str:
    """The language of a request's words: ``en`` or a key of ``lexicon.LANGUAGES``.

    ``cues`` are each foreign language's declared cue stems (the domains' vocabularies), so that
    "uitschrijven nieuwsbrief" is Dutch although it has no function word; words in ``english`` (known
    English words such as "email") are no evidence of another language.
    """
    folded = [fold(w) for w in words]
    score = dict.fromkeys(LANGUAGES, 0.0)
    for w in folded:
        for lang, table in _FUNCTION.items():
            if w in table:
                score[lang] += 1.0
    if cues:
        for lang, stems in cues.items():
            score[lang] += sum(
                1.5
                for w in folded
                if len(w) > 3 and w not in english and not stems_in(lang, w).isdisjoint(stems)
            )
    best = max(LANGUAGES, key=lambda lang: (score[lang], lang == "en"))
    return best if score[best] > score["en"] else "en"
