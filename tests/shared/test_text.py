"""Norwegian text analysis: the same terms from any number of threads at once."""

from __future__ import annotations

import itertools
import sys
import threading

import pytest

from shared import text

# Words of many shapes and lengths, so that the stemmer's internal buffers are resized while
# another thread is inside them (the crash seen was "IndexError: string index out of range").
_STEMS = ["barn", "foreldre", "veiledning", "helsestasjon", "ungdom", "skole", "familie", "tilbud"]
_ENDINGS = ["", "a", "ene", "ets", "ende", "hetene", "elsene", "ast", "erte", "slov"]


def _corpus() -> list[str]:
    words = ["".join(parts) for parts in itertools.product(_STEMS, _ENDINGS, _STEMS, _ENDINGS)]
    return [" ".join(words[i : i + 7]) for i in range(0, len(words), 7)]


def test_terms_from_many_threads_equal_the_serial_terms() -> None:
    corpus = _corpus()
    text._term.cache_clear()
    expected = [text.terms(document) for document in corpus]
    text._term.cache_clear()
    results: dict[int, list[list[str]]] = {}
    failures: list[BaseException] = []
    start = threading.Barrier(8)
    old_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter allows

    def analyse(worker: int) -> None:
        try:
            start.wait()
            # Each worker walks the corpus from another place, so the threads stem different
            # words at the same moment rather than meeting in the cache.
            order = corpus[worker * 97 :] + corpus[: worker * 97]
            got = [text.terms(document) for document in order]
            results[worker] = got[len(corpus) - worker * 97 :] + got[: len(corpus) - worker * 97]
        except BaseException as error:  # noqa: BLE001 - the test reports any failure
            failures.append(error)

    threads = [threading.Thread(target=analyse, args=(n,)) for n in range(8)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(old_interval)
    assert failures == []
    for worker, got in results.items():
        assert got == expected, f"worker {worker} stemmed differently"
    assert len(results) == 8


@pytest.mark.parametrize(
    ("word", "term"),
    [("barna", "barn"), ("barnet", "barn"), ("Østersund", "ostersund"), ("og", None)],
)
def test_known_terms(word: str, term: str | None) -> None:
    assert text._term(word) == term
