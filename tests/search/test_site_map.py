"""The map of the public site, as markup: the results and offer pages list their offers' points
in a JSON block (names and links escaped, no inline script), Leaflet is served by us from the
pinned npm package, the pages may load images from the tile host and no other, and without
Leaflet's files or a tile source the pages are the list alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shared.config import ConfigError
from shared.web import CONTENT_SECURITY_POLICY
from tests.search.conftest import MAP_TRICKY_NAME as TRICKY
from tests.search.conftest import make_search_app
from tests.search.html import Element, get_page

LEAFLET_DIST = Path(__file__).resolve().parents[2] / "tools/leaflet/node_modules/leaflet/dist"
# Written out by hand: the pages' policy with Kartverket's tile host added to img-src only.
KARTVERKET_POLICY = (
    "default-src 'self'; img-src 'self' data: https://cache.kartverket.no; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

needs_leaflet = pytest.mark.skipif(
    not (LEAFLET_DIST / "leaflet.js").is_file(),
    reason="Leaflet is not installed (npm ci --prefix tools/leaflet)",
)


def _points(page: Element) -> list[dict[str, Any]]:
    block = page.find("script", class_="map-data")
    assert block["type"] == "application/json"
    return json.loads(block._raw_text())


def _scripts(page: Element) -> list[str]:
    return [s.get("src") or s["type"] for s in page.find_all("script")]


@needs_leaflet
def test_the_results_page_lists_the_points_of_its_offers_for_the_map(mapped):
    app, ids = mapped
    client = app().test_client()
    response, page = get_page(client, "/sok")
    assert response.headers["Content-Security-Policy"] == KARTVERKET_POLICY
    assert _scripts(page) == ["/kart/leaflet.js", "/assets/site_map.js", "application/json"]
    stylesheets = [s["href"] for s in page.find_all("link", rel="stylesheet")]
    assert stylesheets == ["/assets/nettungen.css", "/kart/leaflet.css"]
    block = page.find("script", class_="map-data")
    assert block["data-tiles"] == (
        "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png"
    )
    assert block["data-attribution"] == "© Kartverket"
    assert block["data-heading"] == "Kart over resultatene"
    # In the list's (alphabetical) order; the offer without a point is not on the map.
    assert _points(page) == [
        {
            "name": "Familiesenter i to byer",
            "url": f"/tilbud/{ids['two']}",
            "place": "Oslo",
            "lat": 59.9133,
            "lon": 10.7389,
        },
        {
            "name": "Familiesenter i to byer",
            "url": f"/tilbud/{ids['two']}",
            "place": "Hokksund",
            "lat": 59.7706,
            "lon": 9.9106,
        },
        {
            "name": "Helsestasjon i Drammen",
            "url": f"/tilbud/{ids['drammen']}",
            "place": "Bragernes",
            "lat": 59.7441,
            "lon": 10.2045,
        },
        {
            "name": TRICKY,
            "url": f"/tilbud/{ids['tricky']}",
            "place": "<b>Torget</b>",
            "lat": 59.75,
            "lon": 10.2,
        },
    ]
    # The name cannot end the block: <, > and & are JSON escapes inside it.
    html = response.get_data(as_text=True)
    assert "</script><script>alert" not in html and "<b>Torget" not in html
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert" in html
    # The use-my-location button's words wait on the point field for the script.
    near = page.find("input", id="f-near")
    assert near["data-locate"] == "Bruk posisjonen min"


@needs_leaflet
def test_a_search_from_a_municipality_links_to_the_offer_seen_from_there(mapped):
    app, ids = mapped
    _, page = get_page(app().test_client(), "/sok?municipality=3301")
    links = {(p["name"], p["url"]) for p in _points(page)}
    assert links == {
        ("Familiesenter i to byer", f"/tilbud/{ids['two']}?municipality=3301"),
        ("Helsestasjon i Drammen", f"/tilbud/{ids['drammen']}?municipality=3301"),
        (TRICKY, f"/tilbud/{ids['tricky']}?municipality=3301"),
    }


@needs_leaflet
def test_no_map_when_no_offer_on_the_page_has_a_point(mapped):
    app, _ = mapped
    response, page = get_page(app().test_client(), "/sok?q=punkt")
    assert [li.find("h3").text() for li in page.find_all("li", class_="result")] == [
        "Tilbud uten punkt"
    ]
    assert page.find_all("script", class_="map-data") == []
    assert _scripts(page) == ["/assets/site_map.js"]
    assert [s["href"] for s in page.find_all("link", rel="stylesheet")] == ["/assets/nettungen.css"]
    # Nothing found at all: no map either.
    _, page = get_page(app().test_client(), "/sok?q=finnesikke")
    assert page.find_all("script", class_="map-data") == []


@needs_leaflet
def test_the_offer_page_maps_its_own_places(mapped):
    app, ids = mapped
    client = app().test_client()
    response, page = get_page(client, f"/tilbud/{ids['two']}")
    assert response.headers["Content-Security-Policy"] == KARTVERKET_POLICY
    assert [(p["place"], p["lat"], p["lon"], p["url"]) for p in _points(page)] == [
        ("Oslo", 59.9133, 10.7389, f"/tilbud/{ids['two']}"),
        ("Hokksund", 59.7706, 9.9106, f"/tilbud/{ids['two']}"),
    ]
    assert page.find("script", class_="map-data")["data-heading"] == "Kart"
    # Right after the list of places, in the "Where?" section.
    assert page.find("script", class_="map-data").ancestor("section")["aria-labelledby"] == "where"

    _, page = get_page(client, f"/tilbud/{ids['no_point']}")
    assert page.find_all("script", class_="map-data") == []
    assert page.find_all("script") == []


@needs_leaflet
def test_the_map_speaks_english_and_nynorsk(mapped):
    app, _ = mapped
    client = app().test_client()
    _, page = get_page(client, "/sok?lang=en")
    block = page.find("script", class_="map-data")
    assert (block["data-heading"], block["data-zoom-in"]) == ("Map of the results", "Zoom in")
    assert page.find("input", id="f-near")["data-locate"] == "Use my location"
    _, page = get_page(client, "/sok?lang=nn")
    block = page.find("script", class_="map-data")
    assert (block["data-heading"], block["data-zoom-in"]) == ("Kart over resultata", "Zoom inn")


@needs_leaflet
def test_leaflet_is_served_by_us_and_nothing_else_of_its_folder(mapped):
    app, _ = mapped
    client = app().test_client()
    with client.get("/kart/leaflet.js") as script:
        assert script.status_code == 200
        assert script.get_data() == (LEAFLET_DIST / "leaflet.js").read_bytes()
        assert b"Leaflet 1.9.4" in script.get_data()
    with client.get("/kart/leaflet.css") as css:
        assert css.status_code == 200 and css.mimetype == "text/css"
    with client.get("/kart/images/marker-icon.png") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/png"
    for path in ("/kart/leaflet-src.js", "/kart/../package.json", "/kart/images/../leaflet.js"):
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 404, path
        assert answer.get_json()["code"] == 404


def test_without_leaflet_files_the_pages_are_the_list_alone(mapped, tmp_path):
    app, ids = mapped
    client = app(MAP_ASSETS_DIR=str(tmp_path / "not-installed")).test_client()
    response, page = get_page(client, "/sok")
    assert len(page.find_all("li", class_="result")) == 4
    assert page.find_all("script", class_="map-data") == []
    assert _scripts(page) == ["/assets/site_map.js"]
    assert client.get("/kart/leaflet.js").status_code == 404
    _, page = get_page(client, f"/tilbud/{ids['two']}")
    assert page.find_all("script") == []


def test_an_empty_tile_setting_turns_the_map_off_and_the_policy_back(mapped):
    app, ids = mapped
    client = app(MAP_TILE_URL="").test_client()
    response, page = get_page(client, "/sok")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert page.find_all("script", class_="map-data") == []
    response, _ = get_page(client, f"/tilbud/{ids['two']}")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@needs_leaflet
def test_another_tile_source_is_the_one_image_host_allowed(mapped):
    app, _ = mapped
    client = app(
        MAP_TILE_URL="https://tiles.example.no:8443/osm/{z}/{x}/{y}.png",
        MAP_TILE_ATTRIBUTION="© OpenStreetMap <bidragsytere>",
    ).test_client()
    response, page = get_page(client, "/sok")
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.no:8443;" in policy
    assert "cache.kartverket.no" not in policy
    block = page.find("script", class_="map-data")
    assert block["data-attribution"] == "© OpenStreetMap <bidragsytere>"
    assert "<bidragsytere>" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)//{z}{x}{y}",
        "https://tiles.example.no/osm.png",
        'https://tiles.example.no/{z}/{x}/{y}.png" onerror="x',
        "ftp://tiles.example.no/{z}/{x}/{y}.png",
    ],
)
def test_a_tile_setting_that_is_no_tile_address_stops_the_start(url, tmp_path):
    with pytest.raises(ConfigError, match="MAP_TILE_URL"):
        make_search_app("sqlite://", tmp_path, MAP_TILE_URL=url)
