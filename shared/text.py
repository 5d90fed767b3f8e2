"""Norwegian text for searching and sorting: folding, stop words, stemming, collation.

Search on PostgreSQL uses the database's own ``norwegian`` Snowball stemmer behind ``unaccent``
(see the search service's migration). The embedded default (SQLite FTS5) has no Norwegian
analysis, so the same steps run here, in the same order, before text is indexed or queried:
lower-case, fold accents (``unaccent``'s rules for the letters Norwegians meet: é → e, å → a,
ø → o, æ → ae), drop Snowball's Norwegian stop words, stem with Snowball's Norwegian stemmer.
Both backends therefore find "barna", "barnet" and "barn" alike, and "ostersund" finds
"Østersund".
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

# The Snowball project's Norwegian stop-word list (bokmål and nynorsk), which PostgreSQL's
# ``norwegian`` configuration also uses.
STOP_WORDS = frozenset(
    """
    og i jeg det at en et den til er som på de med han av ikke ikkje der så var meg seg men ett
    har om vi min mitt ha hadde hun nå over da ved fra du ut sin dem oss opp man kan hans hvor
    eller hva skal selv sjøl her alle vil bli ble blei blitt kunne inn når være kom noen noe
    ville dere deres kun ja etter ned skulle denne for deg si sine sitt mot å meget hvorfor
    dette disse uten hvordan ingen din ditt blir samme hvilken hvilke sånn inni mellom vår hver
    hvem vors hvis både bare enn fordi før mange også slik vært båe begge siden dykk dykkar dei
    deira deires deim di då eg ein eit eitt elles honom hjå ho hoe henne hennar hennes hoss
    hossen ingi inkje korleis korso kva kvar kvarhelst kven kvi kvifor me medan mi mine mykje
    no nokon noka nokor noko nokre sia sidan so somt somme um upp vere vore verte vort varte
    vart
    """.split()
)
# unaccent's rules for letters that do not decompose into a base letter and a mark.
_SPECIAL_FOLDS = str.maketrans(
    {"æ": "ae", "ø": "o", "ð": "d", "þ": "th", "ß": "ss", "đ": "d", "ł": "l", "œ": "oe"}
)
_WORD = re.compile(r"\w+", re.UNICODE)
# Norwegian alphabetical order: æ, ø and å are the letters after z ("{|}" follow "z" in ASCII).
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def fold(text: str) -> str:
    """Lower-case without accents: what unaccent makes of Norwegian text."""
    lowered = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL_FOLDS))
    return "".join(c for c in lowered if not unicodedata.combining(c))


# A Snowball stemmer keeps the word it is working on in its own fields, so two threads sharing
# one corrupt each other's words (wrong stems, or IndexError): each thread gets its own.
_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("norwegian")
    return stemmer


@lru_cache(maxsize=65536)
def _term(word: str) -> str | None:
    folded = fold(word)
    if not folded or folded in STOP_WORDS:
        return None
    return str(_stemmer().stemWord(folded))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def terms(text: str) -> list[str]:
    """The index terms of ``text``, in order (repeats kept, stop words gone)."""
    return [term for term in map(_term, words(text)) if term]


def query_terms(text: str, limit: int = 16) -> list[str]:
    """The distinct terms of a user's query, at most ``limit`` of them, in order."""
    return list(dict.fromkeys(terms(text)))[:limit]


def sort_key(name: str) -> str:
    """A name as a Norwegian reader orders it: case ignored, æ ø å last, é with e."""
    folded = unicodedata.normalize("NFC", name).casefold().translate(_NORWEGIAN_ORDER)
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
