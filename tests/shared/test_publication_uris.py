"""The offer URI rule: one builder, the inverse of ``source_of``, deaf to a trailing slash."""

import pytest

from shared.publication.uris import offer_uri, source_of


@pytest.mark.parametrize(
    "base_url",
    ["https://node.test", "https://node.test/", "https://node.test//"],
)
def test_a_trailing_slash_on_the_base_url_makes_no_difference(base_url: str) -> None:
    assert offer_uri(base_url, "abc") == "https://node.test/offers/abc"


def test_a_base_url_with_a_path_keeps_it() -> None:
    assert offer_uri("https://kommune.no/tilbud/", "abc") == "https://kommune.no/tilbud/offers/abc"


@pytest.mark.parametrize("base_url", ["https://node.test", "https://kommune.no/tilbud"])
def test_source_of_gives_back_the_base_url(base_url: str) -> None:
    assert source_of(offer_uri(base_url + "/", "abc")) == base_url


@pytest.mark.parametrize("uri", ["https://node.test/abc", "/offers/abc"])
def test_source_of_refuses_what_is_not_an_offer_uri(uri: str) -> None:
    with pytest.raises(ValueError, match="not an offer URI"):
        source_of(uri)
