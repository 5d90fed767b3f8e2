"""shared.publication.canonical: the fast encoder writes the canonical form byte for byte.

``canonical_json`` (the standard library's encoder) defines the bytes every signature covers;
``canonical_bytes`` and the consumers' one-pass signing input must give exactly its bytes, or
raise exactly its error, for any value: generated JSON values with odd unicode, nested keys,
whole, tiny, huge and special floats, integers past 64 bits, lone surrogates; and every
version document and event the contract tests use.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.publication.canonical import (
    canonical_bytes,
    canonical_json,
    is_plain,
)
from shared.publication.events import plain_signing_input, signing_input
from tests.properties import examples
from tests.shared.test_compiled_contract import mutated, wire_versions
from tests.shared.test_publication_schema import WIRE

# Every code point, lone surrogates included (a parsed JSON text can hold one: "\ud800").
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
FLOATS = st.floats() | st.sampled_from(
    [0.0, -0.0, 2.0, 1e-4, 9.99e-5, 1e-5, 1.5e-7, 0.1, 1e15 + 0.5, 1e16, 1e300, 5e-324]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(-(2**64), 2**64)
    | FLOATS
    | ANY_TEXT
    | st.sampled_from(["\x00", "\x1f", "\x7f", "\u2028", '"\\', "æøå", "😀", "e\u0301"])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(ANY_TEXT, children, max_size=4)
    ),
    max_leaves=30,
)


def old_form(value: Any) -> Any:
    """What signatures were computed over before: the standard library's text as UTF-8, or
    the error it raised."""
    try:
        return canonical_json(value).encode("utf-8")
    except Exception as exc:  # noqa: BLE001 - the error is the result compared
        return type(exc)


def new_form(value: Any) -> Any:
    try:
        return canonical_bytes(value)
    except Exception as exc:  # noqa: BLE001 - the error is the result compared
        return type(exc)


@examples(250)
@given(JSON_VALUES)
def test_any_json_value_is_written_byte_for_byte_as_before(value):
    assert new_form(value) == old_form(value)


@examples(250)
@given(st.dictionaries(ANY_TEXT, JSON_VALUES, max_size=5), JSON_VALUES)
def test_an_event_and_its_data_come_from_one_encoding_byte_for_byte(envelope, data):
    event = {**envelope, "data": data, "signature": "c2ln"}
    if not is_plain(event, 64):
        return  # the consumer takes the defining path (apply._signing_input)
    unsigned = {k: v for k, v in event.items() if k != "signature"}
    try:
        signed, stored = plain_signing_input(event)
    except Exception as exc:  # noqa: BLE001 - the error is the result compared
        signed, stored = type(exc), None
    assert signed == old_form(unsigned)
    if stored is not None:
        assert stored.encode("utf-8") == old_form(data)


@examples(100)
@given(wire_versions())
def test_versions_are_written_as_before(document):
    assert canonical_bytes(document) == canonical_json(document).encode("utf-8")


@examples(100)
@given(mutated(wire_versions()))
def test_mutated_versions_are_written_as_before(document):
    assert new_form(document) == old_form(document)


def event_of(data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "6f1c2d3e-0000-4000-8000-00000000000a",
        "source": "https://registry.drammen.example",
        "type": "no.nettungen.offer.published",
        "subject": WIRE["uri"],
        "time": "2024-03-01T12:00:00.000000Z",
        "datacontenttype": "application/json",
        "dataschema": "https://w3id.org/nettungen/schema/offer-version/1",
        "sequence": "00000000000000000001",
        "signingkey": "k1",
        "signature": "c2lnbmF0dXJl",
        "data": data,
    }


def test_a_signed_event_and_its_stored_data_are_the_canonical_bytes():
    event = event_of(WIRE)
    signed, stored = plain_signing_input(event)
    unsigned = {k: v for k, v in event.items() if k != "signature"}
    expected = json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert signed == expected.encode("utf-8") == signing_input(event)
    assert stored == canonical_json(WIRE)
    assert stored.startswith('{"access":"self_referral","age_max":5,"age_min":0,')
    assert '"staff_fte":1.5' in stored
    assert b'"data":{"access"' in signed and b'"signature"' not in signed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"b": 2.0, "a": [1.0, -0.0]}, b'{"a":[1,0],"b":2}'),  # whole floats as integers
        ({"x": 1e-5}, b'{"x":1e-05}'),
        ({"x": 1.5e-7, "y": 0.00012}, b'{"x":1.5e-07,"y":0.00012}'),
        ({"x": 2**64}, b'{"x":18446744073709551616}'),
        ({"x": float("nan")}, b'{"x":NaN}'),
        ({"x": float("-inf")}, b'{"x":-Infinity}'),
        ({"\uffff": 1, "😀": 2, "a": 3}, '{"a":3,"\uffff":1,"😀":2}'.encode()),  # code points
        (
            {"s": '\x00\x1f\x7f\u2028\b\f\n\r\t"\\é'},
            b'{"s":"\\u0000\\u001f\x7f\xe2\x80\xa8\\b\\f\\n\\r\\t\\"\\\\\xc3\xa9"}',
        ),
        (OrderedDict([("b", 1), ("a", [2.0, 3])]), b'{"a":[2,3],"b":1}'),
        ([[[[[]]]]], b"[[[[[]]]]]"),
    ],
)
def test_written_by_hand(value, expected):
    assert canonical_bytes(value) == expected


def test_what_the_standard_library_refuses_is_refused_alike():
    with pytest.raises(UnicodeEncodeError):
        canonical_bytes({"s": "\ud800"})
    with pytest.raises(TypeError):
        canonical_bytes({1: "a", "b": 2})
    deep: list[Any] = []
    for _ in range(100):
        deep = [deep]
    assert canonical_bytes(deep) == b"[" * 101 + b"]" * 101
