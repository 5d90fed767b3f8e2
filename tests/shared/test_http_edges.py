"""Fetching from other nodes (shared.ingest.http) at its edges: what is asked for, what answer
is taken, the byte limit at exactly its size and one byte over (plain and gzip), each refusal by
what the operator reads, long integers, and a JWKS.

The node is an `httpx.MockTransport` handing out answers written here, so each expectation is
written by hand. The 32-byte public key is RFC 8037's (appendix A.2) and its thumbprint that of
appendix A.3.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from shared.ingest import http
from shared.ingest.http import Fetched, FetchError, Limits, fetch_keys, get_json

URL = "https://kommune.node.test/feed"
DEFAULT = Limits()
RFC8037_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC8037_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def client(answer: Callable[[httpx.Request], httpx.Response], seen: list | None = None):
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return answer(request)

    return http.new_client(transport=httpx.MockTransport(handler))


def answer(body: bytes | Iterator[bytes], status: int = 200, **headers: str):
    headers = {"Content-Type": "application/json", **headers}
    return lambda request: httpx.Response(status, headers=headers, content=body)


def fetched(body: bytes | Iterator[bytes], limits: Limits = DEFAULT, **headers: Any) -> Fetched:
    return get_json(client(answer(body, **headers)), URL, limits)


def refusal(body: bytes | Iterator[bytes], limits: Limits = DEFAULT, **headers: Any) -> str:
    with pytest.raises(FetchError) as refused:
        fetched(body, limits, **headers)
    return str(refused.value)


def test_what_is_asked_for():
    seen: list[httpx.Request] = []
    get_json(client(answer(b"{}"), seen), URL, Limits())
    other = answer(b"{}", **{"Content-Type": "c/d"})
    get_json(client(other, seen), URL, Limits(), etag='"v7"', accepted=("a/b", "c/d"))
    plain, conditional = seen
    assert plain.headers["Accept"] == "application/json"
    assert plain.headers["Accept-Encoding"] == "gzip"
    assert plain.headers["User-Agent"] == "Nettungen-harvester/1.0 (+https://nettungen.no)"
    assert "If-None-Match" not in plain.headers
    assert conditional.headers["Accept"] == "a/b, c/d"
    assert conditional.headers["If-None-Match"] == '"v7"'


def test_an_answer_and_its_etag_or_the_etag_still_matching():
    assert fetched(b'{"a": 1}', ETag='"v8"') == Fetched(200, {"a": 1}, '"v8"')
    assert fetched(b"[]") == Fetched(200, [], None)
    not_modified = client(lambda request: httpx.Response(304))
    assert get_json(not_modified, URL, Limits(), etag='"v7"') == Fetched(304, None, '"v7"')


def test_each_fetch_has_its_connect_and_read_timeouts():
    seen: list[httpx.Request] = []
    get_json(client(answer(b"{}"), seen), URL, Limits(timeout=7.5, connect_timeout=1.5))
    assert seen[0].extensions["timeout"] == {
        "connect": 1.5,
        "read": 7.5,
        "write": 7.5,
        "pool": 7.5,
    }


def test_a_body_read_past_the_deadline_is_refused():
    assert refusal(iter([b"[1]"]), Limits(timeout=0.0)) == f"{URL} took longer than 0.0 s"


def test_a_body_that_is_not_json_is_refused_naming_the_url():
    assert refusal(b"{") == f"{URL} is not usable JSON: JSONDecodeError"


def test_redirects_are_not_followed():
    moved = client(lambda request: httpx.Response(302, headers={"Location": "https://x.test/"}))
    with pytest.raises(FetchError) as refused:
        get_json(moved, URL, Limits())
    assert str(refused.value) == f"{URL} answered 302"


@pytest.mark.parametrize(
    "content_type", ["application/json", "Application/JSON; charset=utf-8", " application/json "]
)
def test_json_in_any_spelling_of_its_media_type_is_read(content_type):
    assert fetched(b"{}", **{"Content-Type": content_type}).document == {}


def test_other_answers_are_refused_saying_what_they_were():
    assert refusal(b"{}", status=500) == f"{URL} answered 500"
    assert refusal(b"<html>", **{"Content-Type": "text/html"}) == (
        f"{URL} is text/html, not application/json"
    )
    assert refusal(b"{}", **{"Content-Type": ""}) == (
        f"{URL} is of no media type, not application/json"
    )
    jwks_types = ("application/jwk-set+json", "application/json")
    turtle = client(answer(b"", **{"Content-Type": "text/turtle"}))
    with pytest.raises(FetchError) as refused:
        get_json(turtle, URL, Limits(), accepted=jwks_types)
    assert str(refused.value) == (
        f"{URL} is text/turtle, not application/jwk-set+json or application/json"
    )


def raising(exc: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def test_a_node_that_times_out_or_fails_is_a_fetch_error():
    with pytest.raises(FetchError) as slow:
        get_json(client(raising(httpx.ReadTimeout("no answer"))), URL, Limits())
    assert str(slow.value) == f"{URL} took too long (ReadTimeout: no answer)"
    with pytest.raises(FetchError) as failed:
        get_json(client(raising(httpx.ConnectError("refused"))), URL, Limits())
    assert str(failed.value) == f"{URL}: ConnectError: refused"


SMALL = Limits(max_bytes=10)


def test_the_byte_limit_holds_at_exactly_its_size():
    assert fetched(b'"12345678"', SMALL).document == "12345678"  # 10 bytes
    assert refusal(b'"123456789"', SMALL) == f"{URL} is 11 bytes; the limit is 10"
    # Without a length declared, the body itself is counted.
    assert fetched(iter([b'"1234', b'5678"']), SMALL).document == "12345678"
    assert refusal(iter([b'"1234', b'56789"']), SMALL) == f"{URL} is larger than 10 bytes"


def test_a_declared_length_that_is_not_a_number_is_not_trusted_either_way():
    body = iter([b'"12345678"'])
    assert fetched(body, SMALL, **{"Content-Length": "lots"}).document == "12345678"


def test_the_byte_limit_counts_the_inflated_gzip_body():
    assert fetched(
        iter([gzip.compress(b'"12345678"')]), SMALL, **{"Content-Encoding": "gzip"}
    ).document
    assert refusal(
        iter([gzip.compress(b'"123456789"')]), SMALL, **{"Content-Encoding": "gzip"}
    ) == (f"{URL} is larger than 10 bytes")
    # The declared length is that of the compressed body.
    assert refusal(gzip.compress(b'"1"'), SMALL, **{"Content-Encoding": "gzip"}) == (
        f"{URL} is 23 bytes; the limit is 10"
    )
    # A body far larger inflated is cut at the limit, never inflated whole.
    bomb = iter([gzip.compress(b"[" + b"0," * 5_000_000 + b"0]")])
    assert refusal(bomb, SMALL, **{"Content-Encoding": "gzip"}) == (
        f"{URL} is larger than 10 bytes"
    )
    spelled = fetched(iter([gzip.compress(b"[1]")]), **{"Content-Encoding": " GZIP "})
    assert spelled.document == [1]
    assert fetched(b"[2]", **{"Content-Encoding": "identity"}).document == [2]


def test_compression_not_asked_for_or_broken_is_refused():
    assert refusal(b"{}", **{"Content-Encoding": "br"}) == (
        f"{URL} is compressed as 'br', which was not asked for"
    )
    assert refusal(iter([b"not gzip at all"]), **{"Content-Encoding": "gzip"}) == (
        f"{URL} is not usable gzip"
    )
    assert refusal(iter([gzip.compress(b'{"a": 1}')[:-4]]), **{"Content-Encoding": "gzip"}) == (
        f"{URL} ends before its compressed body does"
    )


@pytest.mark.parametrize(
    ("body", "long"),
    [
        (b"1234567890123456789", True),  # 19 digits, the whole text
        (b"123456789012345678", False),  # 18
        (b"[1234567890123456789]", True),
        (b'{"n": -1234567890123456789}', True),
        (b'{"n":\n\t 1000000000000000000}', True),
        (b'{"n": "1234567890123456789"}', False),  # inside a string
        (b'{"n": "x1234567890123456789"}', False),
        (b'{"s": "12345678901234567890123456789012345678", "n": 1}', False),
        (b'{"s": "12345678901234567890123456789012345678", "n": 1234567890123456789}', True),
        (b'["a", 1234567890123456789]', True),
        (b"1.1234567890123456789", False),  # a fraction's digits, exact as a float anyway
        (b" 1234567890123456789", True),  # spaces before, at the start of the text
        (b"-1234567890123456789", True),
        (b'"1234567890123456789"', False),  # a string at the start of the text
        (b"X1234567890123456789", False),
        # Three runs: the integer between two strings is found.
        (b'["1234567890123456789", 1234567890123456789, "1234567890123456789"]', True),
    ],
)
def test_a_long_integer_is_told_from_a_long_run_of_digits_in_a_string(body, long):
    assert http._long_integer(body) is long


def test_long_integers_are_read_exactly():
    assert http.parse_json(b"[12345678901234567890123]", "x") == [12345678901234567890123]
    assert http.parse_json(b'{"n": -9223372036854775809}', "x") == {"n": -9223372036854775809}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"[NaN]", "ValueError"),
        (b"[Infinity]", "ValueError"),
        (b"[-Infinity, 1234567890123456789]", "ValueError"),
        (b"{", "JSONDecodeError"),
        (b"\xff", "UnicodeDecodeError"),
        (b"[" * 100_000 + b"]" * 100_000, "RecursionError"),
    ],
)
def test_text_that_is_not_json_is_refused_saying_why(body, reason):
    with pytest.raises(FetchError) as refused:
        http.parse_json(body, "the page")
    assert str(refused.value) == f"the page is not usable JSON: {reason}"


def jwks(document: object, content_type: str = "application/jwk-set+json") -> httpx.Client:
    return client(
        answer(httpx.Response(200, json=document).content, **{"Content-Type": content_type})
    )


OURS = {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": RFC8037_KID, "last_sequence": 9}


def test_a_jwks_is_read_at_its_well_known_path_skipping_keys_not_ours():
    seen: list[httpx.Request] = []
    listed = [
        "not a key",
        {"kty": "EC", "crv": "P-256", "x": "a", "y": "b"},
        {"kty": "OKP", "crv": "Ed25519", "x": RFC8037_X, "kid": "another"},
        OURS,
    ]
    document = httpx.Response(200, json={"keys": listed}).content
    fetching = client(answer(document, **{"Content-Type": "application/jwk-set+json"}), seen)
    [key] = fetch_keys(fetching, "https://kommune.node.test", Limits())
    assert (key.key_id, len(key.public), key.last_sequence) == (RFC8037_KID, 32, 9)
    [request] = seen
    assert str(request.url) == "https://kommune.node.test/.well-known/jwks.json"
    assert request.headers["Accept"] == "application/jwk-set+json, application/json"
    plain = fetch_keys(jwks({"keys": [OURS]}, "application/json"), "https://k.test", Limits())
    assert [k.key_id for k in plain] == [RFC8037_KID]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([OURS], "is not a JSON Web Key Set"),
        ({"keys": OURS}, "is not a JSON Web Key Set"),
        ({"key": [OURS]}, "is not a JSON Web Key Set"),
        ({"keys": []}, "lists no Ed25519 key"),
        ({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}]}, "lists no Ed25519 key"),
    ],
)
def test_a_jwks_without_a_key_of_ours_is_refused(document, reason):
    with pytest.raises(FetchError) as refused:
        fetch_keys(jwks(document), "https://k.test", Limits())
    assert str(refused.value) == f"https://k.test/.well-known/jwks.json {reason}"
