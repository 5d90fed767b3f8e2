"""The public site's map in Debian's Chromium, with axe-core's WCAG 2.1 A/AA checks: a marker
for every point of the results, reachable by keyboard and leading to the offer; the offer page's
own map; "use my location" where the browser offers it; and without JavaScript the list alone.
The tiles would come from Kartverket, which this machine cannot reach: they are refused at once.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.browser import assert_accessible as assert_no_serious_violations
from tests.browser import chromium_page, serve
from tests.publisher.node import ORGANISATIONS
from tests.search.conftest import MAP_TRICKY_NAME

LEAFLET = Path(__file__).resolve().parents[2] / "tools/leaflet/node_modules/leaflet/dist/leaflet.js"
pytestmark = pytest.mark.skipif(
    not LEAFLET.is_file(), reason="Leaflet is not installed (npm ci --prefix tools/leaflet)"
)
DESKTOP = {"width": 1280, "height": 900}
TILES = "https://cache.kartverket.no/**"


def _without_tiles(page: Any) -> list[str]:
    """Refuse the tiles; collect the page's script errors."""
    errors: list[str] = []
    page.route(TILES, lambda route: route.abort())
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(DESKTOP)
    return errors


def test_the_results_map_has_a_marker_per_point_usable_by_keyboard(mapped):
    app, ids = mapped
    with serve(app()) as base, chromium_page() as page:
        errors = _without_tiles(page)
        page.goto(f"{base}/sok")
        region = page.get_by_role("region", name="Kart over resultatene")
        region.wait_for()
        assert page.get_by_role("heading", name="Kart over resultatene").is_visible()
        markers = page.locator(".map .leaflet-marker-icon")
        assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == [
            "Familiesenter i to byer – Hokksund",
            "Familiesenter i to byer – Oslo",
            "Helsestasjon i Drammen – Bragernes",
            f"{MAP_TRICKY_NAME} – <b>Torget</b>",
        ]
        # The markers are in the tab order, each named by its offer.
        assert markers.evaluate_all("els => els.map(e => e.tabIndex)") == [0, 0, 0, 0]
        # The list stays whole beside the map.
        assert page.locator("li.result").count() == 4
        assert_no_serious_violations(page)

        marker = page.locator(".leaflet-marker-icon[title='Helsestasjon i Drammen – Bragernes']")
        marker.focus()
        page.keyboard.press("Enter")
        link = page.locator(".leaflet-popup-content a")
        assert link.inner_text() == "Helsestasjon i Drammen"
        assert page.evaluate("document.activeElement.textContent") == "Helsestasjon i Drammen"
        # Once faded in (axe would measure the contrast half-way).
        page.wait_for_function(
            "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        assert_no_serious_violations(page)
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(f"/tilbud/{ids['drammen']}$"))

        # The offer's own page maps its place.
        page.get_by_role("region", name="Kart").wait_for()
        assert page.locator(".map .leaflet-marker-icon").evaluate_all(
            "els => els.map(e => e.alt)"
        ) == ["Helsestasjon i Drammen – Bragernes"]
        assert_no_serious_violations(page)
        assert errors == []


def test_offers_at_one_point_share_a_marker_that_links_each(mapped, federation, index):
    # Two offers in one house: stacked markers would hide one of them from a pointer.
    app, ids = mapped
    node = federation.node("frivillig", {"voluntary": ORGANISATIONS["voluntary"]})
    with node.builder() as b:
        singing = b.publish(
            "voluntary",
            name="Babysang i Drammen",
            locations=[{"name": "Bragernes", "latitude": 59.7441, "longitude": 10.2045}],
        )
    index.trust(node)
    assert [r.rejected for r in index.harvester().harvest_all()] == [0, 0]
    with serve(app()) as base, chromium_page() as page:
        errors = _without_tiles(page)
        page.goto(f"{base}/sok")
        page.get_by_role("region", name="Kart over resultatene").wait_for()
        markers = page.locator(".map .leaflet-marker-icon")
        both = "Babysang i Drammen – Bragernes; Helsestasjon i Drammen – Bragernes"
        assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == [
            both,
            "Familiesenter i to byer – Hokksund",
            "Familiesenter i to byer – Oslo",
            f"{MAP_TRICKY_NAME} – <b>Torget</b>",
        ]
        page.locator(f".leaflet-marker-icon[title='{both}']").focus()
        page.keyboard.press("Enter")
        links = page.locator(".leaflet-popup-content a")
        assert links.all_inner_texts() == ["Babysang i Drammen", "Helsestasjon i Drammen"]
        assert page.evaluate("document.activeElement.textContent") == "Babysang i Drammen"
        page.wait_for_function(
            "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'"
        )
        assert_no_serious_violations(page)
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(f"/tilbud/{ids['drammen']}$"))
        assert singing and errors == []


def test_use_my_location_fills_the_point_and_searches(mapped):
    app, _ = mapped
    with serve(app()) as base, chromium_page() as page:
        _without_tiles(page)
        page.context.grant_permissions(["geolocation"])
        page.context.set_geolocation({"latitude": 59.73334, "longitude": 9.86671})
        page.goto(f"{base}/sok?lang=en")
        page.get_by_role("button", name="Use my location").click()
        page.wait_for_url(re.compile(r"near=59\.7333%2C9\.8667"))
        assert page.get_by_label("Point (latitude,longitude)").input_value() == "59.7333,9.8667"
        # Nearest first: Hokksund's offer, then Drammen's.
        assert page.locator("li.result h3").first.inner_text() == "Familiesenter i to byer"
        assert_no_serious_violations(page)


def test_a_location_refused_says_so_and_searches_nothing(mapped):
    app, _ = mapped
    with serve(app()) as base, chromium_page() as page:
        _without_tiles(page)
        page.add_init_script(
            "navigator.geolocation.getCurrentPosition = (ok, fail) => fail({code: 1})"
        )
        page.goto(f"{base}/sok?lang=nn")
        page.get_by_role("button", name="Bruk posisjonen min").click()
        status = page.get_by_text("Fann ikkje posisjonen din. Skriv inn eit punkt i staden.")
        status.wait_for()
        assert status.get_attribute("role") == "status"
        assert page.get_by_role("button", name="Bruk posisjonen min").is_enabled()
        assert page.url == f"{base}/sok?lang=nn"
        assert_no_serious_violations(page)


def test_no_location_button_where_the_browser_has_no_geolocation(mapped):
    app, _ = mapped
    with serve(app()) as base, chromium_page() as page:
        _without_tiles(page)
        page.add_init_script("delete Navigator.prototype.geolocation")
        page.goto(f"{base}/sok")
        page.get_by_role("region", name="Kart over resultatene").wait_for()
        assert page.get_by_role("button", name="Bruk posisjonen min").count() == 0


def test_without_javascript_there_is_the_list_and_no_map(mapped):
    app, ids = mapped
    with serve(app()) as base, chromium_page(javascript=False) as page:
        page.route(TILES, lambda route: route.abort())
        page.goto(f"{base}/sok")
        assert page.locator("li.result").count() == 4
        assert page.locator(".map, .map-area, .leaflet-container").count() == 0
        assert page.get_by_role("heading", name="Kart over resultatene").count() == 0
        assert page.get_by_role("button", name="Bruk posisjonen min").count() == 0
        page.goto(f"{base}/tilbud/{ids['two']}")
        assert page.locator(".map, .map-area, .leaflet-container").count() == 0
        assert page.get_by_text("Hokksund").is_visible()
