"""The search site's point typed as an address or a place name: looked up in Kartverket's
address API (a stand-in serving recorded answers, tests/registry/geonorge/) on the server,
without JavaScript; when the API is not set, fails or finds nothing, the page says which.

Distances from Storgata 1, 3611 Kongsberg (59.66914, 9.65121), the first address the recorded
answer for "storgata 1" holds, worked out by hand with the spherical law of cosines (R =
6371.0088 km): to Kongsberg's centre 0.08 km, to Hokksund 18.41 km, to Drammen 32.13 km.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.registry.address_api import AddressApi, address_api
from tests.search.test_distance import places  # noqa: F401 - the offers searched

NAMES = re.compile(r'<h3[^>]*><a href="[^"]+">([^<]+)</a></h3>')


@pytest.fixture
def site(places) -> Iterator[tuple[object, dict[str, str], AddressApi]]:  # noqa: F811
    api, ids = places
    with address_api() as stand_in:
        api.application.config["ADDRESS_SEARCH_URL"] = stand_in.url
        yield api, ids, stand_in


def test_an_address_typed_as_the_point_searches_from_the_first_address_found(site):
    api, _ids, stand_in = site
    page = api.get("/sok?near=Storgata+1&radius=40")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert NAMES.findall(html) == [
        "Helsestasjon i Kongsberg",
        "Familiesenter i to byer",
        "Helsestasjon i Drammen",
    ]
    assert re.findall(r'<p class="distance">([^<]+)</p>', html) == [
        "0,1 km unna",
        "18,4 km unna",
        "32,1 km unna",
    ]
    assert "Avstandene er fra Storgata 1, 3611 Kongsberg" in html
    assert ">Nær: Storgata 1, 3611 Kongsberg " in html
    # The words stay in the field; the other addresses found are searches of their own.
    assert 'value="Storgata 1"' in html
    assert "2 andre adresser funnet" in html
    assert "Søk fra Storgata 1, 3300 Hokksund" in html
    assert 'href="/sok?near=59.77078%2C9.91073&amp;radius=40"' in html
    assert stand_in.asked[-1]["sok"] == ["Storgata 1"]


def test_a_point_typed_as_numbers_is_never_sent_to_the_address_api(site):
    api, _ids, stand_in = site
    assert api.get("/sok?near=59.7333,9.8667&radius=19").status_code == 200
    assert stand_in.asked == []


def test_the_site_says_when_no_address_is_found(site):
    api, _ids, _stand_in = site
    page = api.get("/sok?near=Ingensteds+vei+99&age=5")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Fant ingen adresse for «Ingensteds vei 99»" in html
    # The rest of the search still runs from the page's link.
    assert 'href="/sok?age=5"' in html


def test_the_site_says_when_the_address_api_fails(site):
    api, _ids, stand_in = site
    api.application.config["ADDRESS_SEARCH_URL"] = stand_in.broken_url
    page = api.get("/sok?near=Storgata+1")
    assert page.status_code == 400
    assert "Adressesøket (Kartverkets adresseregister) svarer ikke nå" in page.get_data(
        as_text=True
    )


def test_without_an_address_api_the_site_asks_for_a_point(places):  # noqa: F811
    api, _ids = places
    page = api.get("/sok?near=Storgata+1")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Denne siden har ikke adressesøk" in html
    # The form names the point as numbers when there is no address search.
    form = api.get("/sok").get_data(as_text=True)
    assert "Punkt (breddegrad,lengdegrad)" in form
    assert "Adresse, sted eller punkt" not in form


def test_with_an_address_api_the_form_asks_for_an_address_in_every_language(site):
    api, _ids, _stand_in = site
    assert "Adresse, sted eller punkt" in api.get("/sok").get_data(as_text=True)
    assert "Adresse, stad eller punkt" in api.get("/sok?lang=nn").get_data(as_text=True)
    assert "Address, place or point" in api.get("/sok?lang=en").get_data(as_text=True)


def test_an_address_found_is_not_called_missing_when_another_part_is_wrong(site):
    # The address is found; the age is not a number: the page names the age, and never says
    # that no address was found.
    api, _ids, _stand_in = site
    page = api.get("/sok?near=Storgata+1&age=abc")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Fant ingen adresse" not in html
    assert "svarer ikke nå" not in html
    assert "har ikke adressesøk" not in html


def test_the_same_words_ask_the_address_api_once(site):
    # A public page that sends a request out for every visitor is bounded: an answer is kept.
    api, _ids, stand_in = site
    for _ in range(3):
        assert api.get("/sok?near=Storgata+1&radius=40").status_code == 200
        assert api.get("/sok?near=storgata  1&radius=40").status_code == 200
    assert len(stand_in.asked) == 1


def test_while_the_address_api_fails_it_is_not_asked_again_at_once(site):
    # Each failing ask holds a worker up to the timeout: after a failure the site says so
    # for a while without asking, whatever the words.
    api, _ids, stand_in = site
    api.application.config["ADDRESS_SEARCH_URL"] = stand_in.broken_url
    for words in ("Storgata+1", "Kirkegata+2", "Torget"):
        page = api.get(f"/sok?near={words}")
        assert page.status_code == 400
        assert "svarer ikke nå" in page.get_data(as_text=True)
    assert len(stand_in.asked) <= 1
