"""The words a search sends to PostgreSQL's full text (found by mutation testing,
docs/testing.md): a SQLite run never reaches them, and the relevance tests
(``tests/search/test_relevance.py``) need ``TEST_DATABASE_URL``. Expectations by hand: the
query's words as typed, repeats and stop words dropped, at most 16; each matched as a prefix
(``'word':*``, PostgreSQL's tsquery syntax), all of them (``&``), analysed by the service's
own text search configuration.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql

from services.search.index.conditions import OfferQuery, text_words, tsquery

SIXTEEN = (
    "alfa bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november "
    "oscar papa"
)


def test_the_words_for_postgresql_drop_repeats_and_stop_words():
    # "og" and "i" are stop words; "Barn" and "barn" are two words as typed (PostgreSQL
    # folds the case itself).
    query = OfferQuery(text="Barn og unge, barn i Oslo! unge")
    assert text_words(query) == ["Barn", "unge", "barn", "Oslo"]


def test_the_words_for_postgresql_stop_at_sixteen():
    assert text_words(OfferQuery(text=SIXTEEN)) == SIXTEEN.split()
    assert text_words(OfferQuery(text=SIXTEEN + " quebec romeo")) == SIXTEEN.split()


def test_each_word_is_a_prefix_and_every_word_must_match():
    expression = tsquery(["barn", "unge"]).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    assert str(expression) == "to_tsquery('nettungen_norwegian', '''barn'':* & ''unge'':*')"
