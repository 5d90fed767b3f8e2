"""Canonical JSON: the form every signature in the federation is computed over.

:func:`canonical_json` defines it (the standard library's encoder, keys sorted, no white space,
characters as themselves, whole floats as integers). :func:`canonical_bytes` is the same text
encoded as UTF-8, byte for byte, built with orjson when the value is made of what orjson writes
exactly as the standard library does (objects, arrays, strings, integers, booleans, ``null``,
and floats between 1e-4 and 1e16 that are not whole); anything else (a whole or a tiny float,
NaN, a tuple, a subclass, an integer past 64 bits, a lone surrogate, a deep or cyclic value)
takes the defining path, so its result, or the error it raises, is exactly what it always was.
``tests/shared/test_canonical.py`` proves the two equal on generated values.
"""

from __future__ import annotations

import json
import math
from typing import Any

import orjson

_SORTED = orjson.OPT_SORT_KEYS
# How deep the fast path looks before it leaves a value to the defining path.
_DEPTH = 64


def canonical_json(document: Any) -> str:
    """Sorted keys, no insignificant white space, UTF-8 characters as themselves.

    For our value domain (strings, integers, booleans and short decimals) this is the JSON
    Canonicalization Scheme (RFC 8785) form, so signatures over it are reproducible anywhere.
    RFC 8785 writes numbers as ECMAScript does, so a whole float such as 2.0 becomes 2.
    """
    return json.dumps(
        whole_floats_as_ints(document), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )


def canonical_bytes(document: Any) -> bytes:
    """``canonical_json(document).encode("utf-8")``, faster (see the module)."""
    if is_plain(document, _DEPTH):
        encoded = encode_plain(document)
        if encoded is not None:
            return encoded
    return canonical_json(document).encode("utf-8")


def encode_plain(document: Any) -> bytes | None:
    """The canonical bytes of a value :func:`is_plain` has accepted; ``None`` for one orjson
    cannot write (a lone surrogate, an integer past 64 bits), which
    :func:`canonical_json` then writes (or refuses) as it always has."""
    try:
        return orjson.dumps(document, option=_SORTED)
    except orjson.JSONEncodeError:
        return None


def encode_plain_with_member(document: dict[str, Any], key: str) -> tuple[bytes, bytes] | None:
    """The canonical bytes of a dict :func:`is_plain` has accepted, and those of its member
    ``key``, from one encoding of the member (a consumer stores the event's ``data`` as it
    verified it); ``None`` as for :func:`encode_plain`."""
    try:
        member = orjson.dumps(document[key], option=_SORTED)
        whole = orjson.dumps({**document, key: orjson.Fragment(member)}, option=_SORTED)
    except orjson.JSONEncodeError:
        return None
    return whole, member


def whole_floats_as_ints(value: Any) -> Any:
    # By exact type, most common first: every published or ingested version passes here.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {k: whole_floats_as_ints(v) for k, v in value.items()}
    if kind is list:
        return [whole_floats_as_ints(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: whole_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_floats_as_ints(v) for v in value]
    return value


def is_plain(value: Any, depth: int) -> bool:
    """Whether orjson writes ``value`` byte for byte as :func:`canonical_json` does, with no
    object or array that has members deeper than ``depth`` (the value itself is at depth 1)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        if not value:
            return True
        if depth < 1:
            return False
        for item in value.values():
            if not is_plain(item, depth - 1):
                return False
        return True
    if kind is list:
        if not value:
            return True
        if depth < 1:
            return False
        for item in value:
            if not is_plain(item, depth - 1):
                return False
        return True
    if kind is float:
        # The standard library writes repr(): exponents below 1e-4 and from 1e16 on (orjson
        # writes 1e-05 as 0.00001); whole floats are integers in canonical JSON.
        return math.isfinite(value) and not value.is_integer() and 1e-4 <= abs(value) < 1e16
    return False
