"""Places in Debian's Chromium: Drammen's demo node with its registry, the address search
answered by a real local server with the recorded format examples of Kartverket's API
(tests/registry/geonorge/), and national search harvesting the node.

* a registrar finds the address, chooses it, saves and sends the offer; the publisher
  publishes it; national search finds it 18.8 km from Vestfossen, in Øvre Eiker (from the
  town centre's point 59.7333,9.8667 to the address point 59.74366,10.20183, worked out by
  hand with the spherical law of cosines), shows it on the map of the results, and, with
  JavaScript off, finds it 32.0 km from an address typed on the site, Storgata 1 in
  Kongsberg (59.66914,9.65121 in the recorded answer; 31.98 km by hand);
* the same form, with JavaScript off: search, choose, save; the coverage ticked from the
  classification (found by name with JavaScript, a whole county without).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from shared.db import create_engine
from tests.browser import assert_accessible, chromium_page, require_browser, serve
from tests.federation import Federation, national_app
from tests.registry.address_api import address_api
from tests.registry.test_browser_national import _demo_node, _registry, log_in
from tests.search.federation import SearchIndex

DRAMMEN = "910000012"
VESTFOSSEN = "59.7333,9.8667"


@pytest.fixture(scope="module")
def country(database_factory, node_database_factory, tmp_path_factory) -> Iterator[dict[str, Any]]:
    require_browser()
    from services.search import create_app as create_search
    from services.search import db as search_db
    from services.search.index.sink import SearchSink

    federation = Federation(node_database_factory, tmp_path_factory.mktemp("places"))
    node = _demo_node(federation, "drammen")
    url = database_factory()
    search_db.upgrade(url)
    index = SearchIndex(
        url, create_engine(url, sqlite_begin="IMMEDIATE"), federation.client(), SearchSink
    )
    index.trust_and_harvest(federation)
    search = national_app(create_search, url, tmp_path_factory.mktemp("search"), "https://sok.test")
    with address_api() as addresses, serve(search) as search_url:
        registry = _registry(node, search_url, tmp_path_factory.mktemp("registry"))
        registry.config["ADDRESS_SEARCH_URL"] = addresses.url
        search.config["ADDRESS_SEARCH_URL"] = addresses.url
        with serve(registry) as base:
            yield {"index": index, "search": search_url, "registry": base}
        registry.extensions["nettungen.db"].engine.dispose()
    search.extensions["nettungen.db"].engine.dispose()
    index.engine.dispose()
    federation.close()


def _fill_offer(page: Any, name: str) -> None:
    page.get_by_role("combobox", name="Etat").select_option(label="Familiens hus")
    page.get_by_label("Navn på tilbudet").fill(name)
    page.get_by_label("Beskrivelse").fill("Åpen møteplass for foreldre med små barn.")
    page.get_by_label("Foreldrestøttende arbeid").check()
    page.get_by_label("Tilbud til alle", exact=True).check()
    page.get_by_label("Foreldre", exact=True).check()
    page.get_by_label("Laveste alder").fill("0")
    page.get_by_label("Høyeste alder").fill("5")
    page.get_by_label("Åpent for alle").check()
    page.get_by_label("Telefon").fill("555 00 120")  # the desk's: a way to get in touch


def _first_place(page: Any) -> Any:
    """The first row of the places (the form has other repeated rows, the opening hours)."""
    rows = page.locator("fieldset.row-group")
    return rows.filter(has=page.get_by_label("Navn på stedet")).first


def _find_and_choose_the_address(page: Any) -> None:
    place = _first_place(page)
    place.get_by_label("Navn på stedet").fill("Familiens hus Bragernes")
    place.get_by_label("Gateadresse").fill("Engene 1")
    place.get_by_label("Poststed").fill("Drammen")
    place.get_by_role("button", name="Søk etter adressen").click()
    choice = page.get_by_role("button", name="Engene 1, 3015 Drammen")
    choice.wait_for()
    choice.click()
    place = _first_place(page)
    place.get_by_label("Breddegrad").wait_for()
    assert place.get_by_label("Postnummer").input_value() == "3015"
    assert place.get_by_label("Kommunenummer").input_value() == "3301"
    assert place.get_by_label("Breddegrad").input_value() == "59.74366"
    assert place.get_by_label("Lengdegrad").input_value() == "10.20183"


def _publish(page: Any, base: str, name: str) -> None:
    page.get_by_role("button", name="Logg ut").click()
    log_in(page, base, "publisher@drammen.example.org")
    page.goto(f"{base}/o/{DRAMMEN}/review")
    page.get_by_role("link", name=name).click()
    page.get_by_role("button", name="Publiser", exact=True).click()
    page.get_by_text("Publisert som versjon 1.").wait_for()


def test_an_address_found_saved_and_searched_by_distance(country):
    base, name = country["registry"], "Babytreff på Bragernes"
    with chromium_page() as page:
        log_in(page, base, "registrar@drammen.example.org")
        page.goto(f"{base}/o/{DRAMMEN}/offers/new")
        _fill_offer(page, name)
        # The coverage: found by part of its name, among counties closed until then.
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        page.get_by_label("Finn kommune eller fylke").fill("kong")
        # Enter in the filter field filters; it does not save the offer.
        page.get_by_label("Finn kommune eller fylke").press("Enter")
        page.get_by_label("Finn kommune eller fylke").fill("kongsb")
        page.get_by_text("Kommuner funnet: 1").wait_for()
        assert posts == []
        assert page.get_by_label("Navn på tilbudet").input_value() == name
        assert not page.get_by_label("Bergen", exact=True).is_visible()
        page.get_by_label("Kongsberg", exact=True).check()
        _find_and_choose_the_address(page)
        assert_accessible(page)
        assert page.get_by_label("Kongsberg", exact=True).is_checked()
        # What was typed before the search is kept.
        assert page.get_by_label("Navn på tilbudet").input_value() == name
        page.get_by_role("button", name="Lagre og send til kvalitetssjekk").click()
        page.get_by_text("Lagret og sendt til publiseringsansvarlig").wait_for()
        _publish(page, base, name)

        country["index"].harvester().harvest_all()
        page.goto(f"{country['search']}/sok?near={VESTFOSSEN}&radius=25")
        result = page.locator("li.result", has=page.get_by_role("link", name=name))
        assert result.locator("p.distance").inner_text() == "18,8 km unna"
        assert_accessible(page)
        # On the map of the results, its marker named by the offer and the place.
        page.route("https://cache.kartverket.no/**", lambda route: route.abort())
        page.goto(f"{country['search']}/sok?near={VESTFOSSEN}&radius=25")
        page.get_by_role("region", name="Kart over resultatene").wait_for()
        marker = page.locator(f".leaflet-marker-icon[title='{name} – Familiens hus Bragernes']")
        assert marker.count() == 1
        assert_accessible(page)
        # 18.8 km away: not within 15 km.
        page.goto(f"{country['search']}/sok?near={VESTFOSSEN}&radius=15")
        assert page.get_by_role("link", name=name).count() == 0
    with chromium_page(javascript=False) as page:
        # Without JavaScript: an address typed as the point, looked up on the server.
        page.goto(f"{country['search']}/sok")
        if not page.get_by_label("Adresse, sted eller punkt").is_visible():
            page.locator("summary", has_text="Filtrer").click()  # the panel, closed on a phone
        page.get_by_label("Adresse, sted eller punkt").fill("Storgata 1")
        page.get_by_label("Innen", exact=True).select_option("50")
        page.get_by_role("button", name="Bruk filtrene").click()
        page.get_by_text("Avstandene er fra Storgata 1, 3611 Kongsberg").wait_for()
        result = page.locator("li.result", has=page.get_by_role("link", name=name))
        assert result.locator("p.distance").inner_text() == "32 km unna"
        assert page.locator(".leaflet-container").count() == 0  # the list, no map
        typed = page.url
    with chromium_page() as page:
        page.route("https://cache.kartverket.no/**", lambda route: route.abort())
        page.goto(typed)  # axe needs JavaScript: the same page, checked with it on
        page.get_by_text("Avstandene er fra Storgata 1, 3611 Kongsberg").wait_for()
        assert_accessible(page)


def test_the_address_search_works_without_javascript(country):
    base, name = country["registry"], "Foreldrekafé på Bragernes"
    with chromium_page(javascript=False) as page:
        log_in(page, base, "registrar@drammen.example.org")
        page.goto(f"{base}/o/{DRAMMEN}/offers/new")
        # Enter in a field saves (here: the form's messages), never searches for an address.
        page.get_by_label("Navn på tilbudet").fill(name)
        page.get_by_label("Navn på tilbudet").press("Enter")
        page.get_by_role("heading", name=re.compile("Rett .* feil i skjemaet")).wait_for()
        _fill_offer(page, name)
        assert not page.get_by_label("Finn kommune eller fylke").is_visible()
        page.get_by_label("Hele Buskerud (hele fylket)").check()
        _find_and_choose_the_address(page)
        page.get_by_role("button", name="Lagre som utkast").click()
        # The fragment of the last step stays on the address through the redirect.
        page.wait_for_url(re.compile(r"/offers/[0-9a-f-]+(#.*)?$"))
        main = page.locator("main").inner_text()
        assert "Tilbudet er lagret som utkast." in main
        assert "Engene 1" in main
        assert "Buskerud" in main
