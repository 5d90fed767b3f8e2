"""Edges of the publication contract that mutation testing found untested (docs/testing.md)."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from marshmallow import ValidationError

from shared.publication.schema import canonical_json, load_offer_version
from shared.publication.uris import key_uri, offer_uri, source_of, source_of_key


class _Values(list):  # type: ignore[type-arg]
    """A list of another class than ``list``, as some libraries hand out."""


def test_canonical_json_writes_whole_floats_inside_dict_and_list_subclasses():
    # marshmallow's ordered dumps and other libraries hand out dict and list subclasses; their
    # members are written exactly as a plain dict's and list's would be (RFC 8785 numbers).
    document = OrderedDict([("staff_fte", 2.0), ("ages", _Values([6.0, 12.5]))])
    assert canonical_json(document) == '{"ages":[6,12.5],"staff_fte":2}'
    assert canonical_json(_Values([OrderedDict(a=1.0)])) == '[{"a":1}]'


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            "{nope",
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        (
            b"\xff",
            "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
    ],
)
def test_a_document_that_is_not_json_is_refused_with_the_parsers_reason(text, reason):
    # The reason is what a node's operator reads in the rejection log to find the broken byte.
    with pytest.raises(ValidationError) as refused:
        load_offer_version(text)
    (message,) = refused.value.messages
    assert message.code == "document.not_json"
    assert message.params == {"reason": reason}
    assert message == f"Not JSON: {reason}"


def test_a_base_url_keeps_its_last_character_unless_it_is_a_slash():
    assert offer_uri("https://kommune.no/BX", "abc") == "https://kommune.no/BX/offers/abc"
    assert key_uri("https://kommune.no/BX", "kid") == "https://kommune.no/BX/keys/kid"


def test_a_base_url_whose_path_holds_offers_or_keys_is_given_back_whole():
    # The node's own path may hold the same word: only the last "/offers/" starts the offer id.
    base = "https://kommune.no/offers/tilbud"
    assert offer_uri(base, "abc") == "https://kommune.no/offers/tilbud/offers/abc"
    assert source_of("https://kommune.no/offers/tilbud/offers/abc") == base
    keys_base = "https://kommune.no/keys/node"
    assert source_of_key("https://kommune.no/keys/node/keys/kid") == keys_base


@pytest.mark.parametrize(
    "base_url", ["https://node.test", "https://node.test/", "https://kommune.no/tilbud/"]
)
def test_a_key_uri_is_the_base_url_then_keys_then_the_key_id(base_url):
    uri = key_uri(base_url, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k")
    expected_base = base_url.removesuffix("/")
    assert uri == f"{expected_base}/keys/kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    assert source_of_key(uri) == expected_base


@pytest.mark.parametrize(
    "uri", ["https://node.test/kid", "/keys/kid", "https://node.test/offers/kid", ""]
)
def test_what_is_not_a_key_uri_is_refused(uri):
    with pytest.raises(ValueError):
        source_of_key(uri)
