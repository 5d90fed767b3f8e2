"""A cursor's key and page at the edges of what is taken (found by mutation testing,
docs/testing.md): anyone can rebuild a cursor with the search's digest, so every value a key
may hold is taken up to its limit and refused one step beyond it, and a key's number comes
back as the float it was (JSON writes 2.0 as 2.0, but a hand-made cursor may hold 2).

Limits by hand from the module's text: a page number from 1 to 10,000,000; a name sort key of
at most 200 characters; a row id from 0 to 2^63 - 1; a rank or distance of 0 or of a
magnitude from 1e-30 to 1e30; whether an offer has no distance, a JSON boolean.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from services.search.index import keyset
from services.search.index.conditions import OfferQuery

BY_NAME = OfferQuery()
BY_WORDS = OfferQuery(text="barn")
NEAR = OfferQuery(near=(59.74, 10.2))


def cursor(query: OfferQuery, page: Any, key: list[Any], order: str | None = None) -> str:
    """A cursor as anyone could write it: the form of the module's text, this search's
    digest."""
    order = order or {BY_NAME: "name", BY_WORDS: "words", NEAR: "near"}[query]
    body = [1, page, keyset.digest(query), order, key]
    text = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def refused(query: OfferQuery, text: str) -> bool:
    try:
        keyset.decode(query, text)
    except keyset.BadCursor:
        return True
    return False


@pytest.mark.parametrize(
    ("page", "taken"),
    [(1, True), (10_000_000, True), (10_000_001, False), (0, False), (True, False), (2.0, False)],
)
def test_a_cursors_page_is_a_whole_number_from_1_to_ten_million(page, taken):
    assert refused(BY_NAME, cursor(BY_NAME, page, ["anna", 7])) is not taken


@pytest.mark.parametrize(
    ("key", "taken"),
    [
        (["a" * 200, 7], True),
        (["a" * 201, 7], False),
        (["", 0], True),
        (["anna", 2**63 - 1], True),
        (["anna", 2**63], False),
        (["anna", True], False),
        (["anna", "7"], False),
        ([7, 7], False),
        (["anna", 7, 8], False),
        (["anna"], False),
    ],
)
def test_a_name_keys_sort_key_and_id_within_their_limits(key, taken):
    assert refused(BY_NAME, cursor(BY_NAME, 2, key)) is not taken


@pytest.mark.parametrize(
    ("rank", "taken"),
    [
        (0, True),
        (0.0, True),
        (1e-30, True),
        (-1e-30, True),
        (1e30, True),
        (-1e30, True),
        (9.99e-31, False),
        (1.01e30, False),
        (-1.01e30, False),
        (True, False),
        ("1.5", False),
    ],
)
def test_a_rank_is_zero_or_within_a_reals_range(rank, taken):
    assert refused(BY_WORDS, cursor(BY_WORDS, 2, [rank, "anna", 7])) is not taken


@pytest.mark.parametrize(
    ("key", "taken"),
    [
        ([False, 1e30, "anna", 7], True),
        ([True, -1, "anna", 7], True),
        ([0, 2.5, "anna", 7], False),
        (["false", 2.5, "anna", 7], False),
        ([False, True, "anna", 7], False),
        ([False, 2.5, "anna"], False),
    ],
)
def test_a_distance_key_says_with_a_boolean_whether_there_is_no_distance(key, taken):
    assert refused(NEAR, cursor(NEAR, 2, key)) is not taken


def test_a_keys_number_comes_back_as_a_float_and_nothing_else_changes():
    by_name = keyset.decode(BY_NAME, cursor(BY_NAME, 4, ["anna", 7]))
    assert by_name == keyset.Cursor(4, ("anna", 7))
    assert type(by_name.key[1]) is int

    by_words = keyset.decode(BY_WORDS, cursor(BY_WORDS, 3, [-2, "anna", 7]))
    assert by_words == keyset.Cursor(3, (-2.0, "anna", 7))
    assert [type(v) for v in by_words.key] == [float, str, int]

    near = keyset.decode(NEAR, cursor(NEAR, 2, [False, 12, "anna", 7]))
    assert near == keyset.Cursor(2, (False, 12.0, "anna", 7))
    assert [type(v) for v in near.key] == [bool, float, str, int]


def test_a_cursor_is_refused_by_another_search_order_or_version():
    # The same order, another search: a place added, or other words.
    assert refused(OfferQuery(municipality="0301"), cursor(BY_NAME, 2, ["anna", 7]))
    assert refused(OfferQuery(text="kurs"), cursor(BY_WORDS, 2, [1.5, "anna", 7], "words"))
    assert refused(BY_NAME, cursor(BY_NAME, 2, ["anna", 7], order="words"))
    assert refused(BY_WORDS, cursor(BY_WORDS, 2, [1.5, "anna", 7], order="name"))
    text = cursor(BY_NAME, 2, ["anna", 7])
    body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    body[0] = 2
    again = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
    assert refused(BY_NAME, again)


@pytest.mark.parametrize(
    ("query", "key", "order"),
    [
        (BY_NAME, ("Bjørn", 7), "name"),
        (OfferQuery(text="og i"), ("anna", 0), "name"),  # stop words only: no words
        (BY_WORDS, (-2.5, "bjørn", 7), "words"),
        (NEAR, (True, -1.0, "å", 12), "near"),
        (OfferQuery(text="barn", near=(59.74, 10.2)), (False, 2.5, "anna", 7), "near"),
    ],
)
def test_a_cursor_is_its_search_order_page_and_key_in_unpadded_base64url(query, key, order):
    text = keyset.encode(query, keyset.Cursor(3, key))
    assert "=" not in text and "+" not in text and "/" not in text
    body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    assert body == [1, 3, keyset.digest(query), order, list(key)]
    assert keyset.decode(query, text) == keyset.Cursor(3, key)


@pytest.mark.parametrize(("size", "taken"), [(750, True), (753, False)])
def test_a_cursor_of_up_to_a_thousand_characters_is_read(size, taken):
    """JSON may hold spaces: a well-formed cursor padded with them to 750 bytes is 1,000
    characters of base64url and read; at 753 bytes (1,004 characters) it is refused unread."""
    compact = json.dumps([1, 2, keyset.digest(BY_NAME), "name", ["anna", 7]])
    body = ("[" + " " * (size - len(compact)) + compact[1:]).encode()
    text = base64.urlsafe_b64encode(body).decode()
    assert len(text) == size // 3 * 4 and "=" not in text
    assert refused(BY_NAME, text) is not taken
