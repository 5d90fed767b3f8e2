"""shared.ingest.http.parse_json: read fast, and exactly as the standard library reads.

Every event from the bus and every feed page is parsed here. The fast reader must give the
same values (types included) for every text, and every text it cannot read must be accepted
or refused, with the same reason, as before: generated JSON texts in several layouts, the same
texts damaged, and the edges written by hand.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.ingest.http import FetchError, parse_json
from tests.properties import examples
from tests.shared.test_canonical import JSON_VALUES
from tests.shared.test_compiled_contract import typed


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def as_before(body: bytes) -> Any:
    """What parse_json returned (or the reason it refused) before the fast reader."""
    try:
        return typed(json.loads(body, parse_constant=_no_constant))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        return f"refused: {type(exc).__name__}"


def now(body: bytes) -> Any:
    try:
        return typed(parse_json(body, "the message"))
    except FetchError as exc:
        assert str(exc).startswith("the message is not usable JSON: ")  # noqa: PT017
        return f"refused: {str(exc).rsplit(': ', 1)[1]}"


def texts(value: Any) -> st.SearchStrategy[bytes]:
    def write(options: dict[str, Any]) -> bytes:
        try:
            return json.dumps(value, **options).encode("utf-8", "surrogatepass")
        except ValueError:
            return b"[]"

    return st.sampled_from(
        [{}, {"ensure_ascii": False}, {"indent": 2}, {"separators": (",", ":")}]
    ).map(write)


@examples(300)
@given(JSON_VALUES.flatmap(texts))
def test_any_json_text_is_read_as_before(body):
    assert now(body) == as_before(body)


@examples(300)
@given(
    JSON_VALUES.flatmap(texts),
    st.lists(st.tuples(st.integers(0, 400), st.binary(max_size=3)), min_size=1, max_size=3),
)
def test_damaged_texts_are_read_or_refused_as_before(body, damage):
    for at, inserted in damage:
        body = body[:at] + inserted + body[at + 1 :]
    assert now(body) == as_before(body)


@pytest.mark.parametrize(
    "body",
    [
        b"18446744073709551616",
        b"[18446744073709551615, -9223372036854775809]",
        b'{"a": 12345678901234567890123}',
        b'{"a":"12345678901234567890123","b":1}',
        b"1e400",
        b"-1e400",
        b"NaN",
        b"[Infinity]",
        b'"\\ud800"',
        b'{"b":1,"a":2,"b":3}',
        b"\xef\xbb\xbf{}",
        '{"a": "\u00e9"}'.encode("utf-16"),
        b"\xff",
        b'"\t"',
        b"[" * 5000 + b"]" * 5000,
        b"",
        b"[1.0, -0, -0.0, 1E2, 5e-324, 2.5e-324, 0.1]",
    ],
)
def test_edges_are_read_as_before(body):
    assert now(body) == as_before(body)
    if body == b'{"b":1,"a":2,"b":3}':
        assert list(parse_json(body, "x")) == ["b", "a"]  # the first place, the last value
    if body.startswith(b"[1844"):
        assert parse_json(body, "x") == [18446744073709551615, -9223372036854775809]
