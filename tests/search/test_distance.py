"""Search by distance (``near``, ``radius``) on the database the suite runs on (SQLite, or
PostgreSQL with ``TEST_DATABASE_URL``): order, radius and the distance of each result against
distances worked out by hand.

The expected distances are great circles on a sphere of radius 6371.0088 km (the IUGG mean),
worked out with the spherical law of cosines from the town centres' coordinates below, and
along a meridian as R x delta-latitude in radians (0.1 degree = 11.1195 km).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.publisher.node import ORGANISATIONS
from tests.search.conftest import make_search_app

# Town centres (WGS84).
DRAMMEN = (59.7441, 10.2045)
KONGSBERG = (59.6686, 9.6502)
OSLO = (59.9133, 10.7389)
HOKKSUND = (59.7706, 9.9106)
# Searched from: Vestfossen, in Øvre Eiker, a municipality where none of the places lie.
VESTFOSSEN = "59.7333,9.8667"
# From Vestfossen, by hand (km): Hokksund 4.82, Kongsberg 14.12, Drammen 18.97, Oslo 52.70.
EXPECTED_KM = {"two_places": 4.82, "kongsberg": 14.12, "drammen": 18.97}


def _place(name: str, point: tuple[float, float]) -> dict[str, Any]:
    return {"name": name, "latitude": point[0], "longitude": point[1]}


@pytest.fixture
def places(federation, index, tmp_path):
    """Offers with places in Drammen, Kongsberg, Oslo and Hokksund (one offer with two), and
    one without a point; harvested; the search app's client and the offers' public ids."""
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        ids = {
            "drammen": b.publish(name="Helsestasjon i Drammen", locations=[_place("A", DRAMMEN)]),
            "kongsberg": b.publish(
                name="Helsestasjon i Kongsberg", locations=[_place("B", KONGSBERG)]
            ),
            "two_places": b.publish(
                name="Familiesenter i to byer",
                locations=[_place("Oslo", OSLO), _place("Hokksund", HOKKSUND)],
            ),
            "no_point": b.publish(name="Tilbud uten punkt", locations=[{"name": "Et sted"}]),
        }
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    yield app.test_client(), {name: node.public_id(i) for name, i in ids.items()}
    app.extensions["nettungen.db"].engine.dispose()


def _found(api, query: str) -> list[tuple[str, float | None]]:
    answer = api.get(f"/api/v1/offers?per_page=100&{query}")
    assert answer.status_code == 200, answer.get_json()
    return [(item["id"], item["distance_km"]) for item in answer.get_json()["items"]]


def test_offers_come_nearest_first_with_the_distance_to_their_nearest_place(places):
    api, ids = places
    found = _found(api, f"near={VESTFOSSEN}")
    assert [i for i, _ in found] == [
        ids["two_places"],
        ids["kongsberg"],
        ids["drammen"],
        ids["no_point"],
    ]
    distances = dict(found)
    for name, km in EXPECTED_KM.items():
        assert distances[ids[name]] == pytest.approx(km, abs=0.01), name
    # An offer without a point is listed last, without a distance.
    assert distances[ids["no_point"]] is None


def test_a_radius_keeps_the_offers_with_a_place_within_it(places):
    api, ids = places
    # Drammen lies 18.97 km away: just outside 18.9 km, just inside 19 km.
    assert [i for i, _ in _found(api, f"near={VESTFOSSEN}&radius=18.9")] == [
        ids["two_places"],
        ids["kongsberg"],
    ]
    assert [i for i, _ in _found(api, f"near={VESTFOSSEN}&radius=19")] == [
        ids["two_places"],
        ids["kongsberg"],
        ids["drammen"],
    ]
    # The offer with two places is found by its near one only.
    assert [i for i, _ in _found(api, f"near={VESTFOSSEN}&radius=5")] == [ids["two_places"]]
    body = api.get(f"/api/v1/offers?near={VESTFOSSEN}&radius=15").get_json()
    assert body["total"] == 2
    # Facets count within the radius too.
    assert sum(v["count"] for v in body["facets"]["level"]) == 2


def test_the_radius_edge_is_exact_to_the_metre_along_a_meridian(federation, index, tmp_path):
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        near = b.publish(name="Nær", locations=[_place("N", (60.1, 9.0))])
        far = b.publish(name="Fjern", locations=[_place("F", (60.2, 9.0))])
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    api = app.test_client()
    # From (60.0, 9.0): 0.1 degree north is 11.1195 km, 0.2 degree is 22.2390 km.
    inside = _found(api, "near=60.0,9.0&radius=22.24")
    assert [i for i, _ in inside] == [node.public_id(near), node.public_id(far)]
    assert [km for _, km in inside] == [pytest.approx(11.12, abs=0.005), pytest.approx(22.24)]
    assert [i for i, _ in _found(api, "near=60.0,9.0&radius=22.23")] == [node.public_id(near)]
    app.extensions["nettungen.db"].engine.dispose()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=91,10", "near"),
        ("near=59.7,181", "near"),
        ("near=59.7", "near"),
        ("near=abc,def", "near"),
        ("near=nan,10", "near"),
        ("near=59.7,10&radius=0", "radius"),
        ("near=59.7,10&radius=2001", "radius"),
        ("radius=10", "radius"),
    ],
)
def test_a_bad_point_or_radius_is_a_400_naming_it(api, query, field):
    answer = api.get(f"/api/v1/offers?{query}")
    assert answer.status_code == 400
    assert field in str(answer.get_json())


def test_the_site_lists_offers_nearest_first_with_their_distance(places):
    api, _ids = places
    page = api.get(f"/sok?near={VESTFOSSEN}&radius=19")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    names = re.findall(r'<h3[^>]*><a href="[^"]+">([^<]+)</a></h3>', html)
    assert names == [
        "Familiesenter i to byer",
        "Helsestasjon i Kongsberg",
        "Helsestasjon i Drammen",
    ]
    assert re.findall(r'<p class="distance">([^<]+)</p>', html) == [
        "4,8 km unna",
        "14,1 km unna",
        "19 km unna",
    ]
    # The form keeps the point and the radius (19 km is not one of its choices: kept too).
    assert 'name="near" aria-describedby="f-near-hint" value="59.7333,9.8667"' in html
    assert '<option value="19" selected>' in html
    # The count says the order, in sentences apart; the chosen point is named once.
    assert "3 tilbud funnet. Nærmeste først.</p>" in html
    assert ">Nær: 59.7333,9.8667 " in html


def test_the_site_names_a_bad_point(places):
    api, _ids = places
    page = api.get("/sok?near=Drammen")
    assert page.status_code == 400
    assert "Skriv punktet som breddegrad,lengdegrad" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "typed", ["59,7333, 9,8667", "59,7333;9,8667", "59.7333 9.8667", "59,7333 9,8667"]
)
def test_a_point_is_read_as_people_type_it(places, typed):
    api, ids = places
    assert [i for i, _ in _found(api, f"near={typed}&radius=15")] == [
        ids["two_places"],
        ids["kongsberg"],
    ]


def _search_links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="(/sok(?:\?[^"]*)?)"', html)]


def test_no_link_of_the_site_keeps_a_distance_without_its_point(places):
    api, _ids = places
    # Nothing within 1 km of a point in the sea: the page suggests widening the search.
    for query in (f"near={VESTFOSSEN}&radius=19", "near=58.0,4.0&radius=1"):
        page = api.get(f"/sok?{query}")
        assert page.status_code == 200
        links = _search_links(page.get_data(as_text=True))
        assert any("near=" not in link for link in links)
        for link in links:
            assert "radius=" not in link or "near=" in link, link
            assert api.get(link).status_code == 200, link


@pytest.mark.parametrize("query", ["radius=10", "near=&radius=10", "near=+&radius=25"])
def test_the_site_searches_without_a_distance_that_has_no_point(places, query):
    api, _ids = places
    page = api.get(f"/sok?{query}")
    assert page.status_code == 200
    names = re.findall(r'<h3[^>]*><a href="[^"]+">([^<]+)</a></h3>', page.get_data(as_text=True))
    assert len(names) == 4


def test_the_site_names_a_bad_point_sent_with_a_distance(places):
    api, _ids = places
    page = api.get("/sok?near=Drammen&radius=10")
    assert page.status_code == 400
    assert "Skriv punktet som breddegrad,lengdegrad" in page.get_data(as_text=True)


def test_the_sites_links_keep_every_digit_of_the_point_and_the_distance(places):
    api, _ids = places
    page = api.get("/sok?near=59.73331234,9.86671234&radius=12.3456789&age=5")
    html = page.get_data(as_text=True)
    assert 'value="59.73331234,9.86671234"' in html
    assert '<option value="12.3456789" selected>' in html
    without_age = [link for link in _search_links(html) if "age=" not in link and "near=" in link]
    assert without_age
    for link in without_age:
        assert "near=59.73331234%2C9.86671234" in link, link
        assert "radius=12.3456789" in link, link


def test_nearest_first_page_by_page_is_the_same_order(places):
    """Each page of one is found on its own (on PostgreSQL within the distance of the
    offers met nearest first through the index); together they are the whole order."""
    api, ids = places
    paged = []
    for number in range(1, 6):
        answer = api.get(f"/api/v1/offers?near={VESTFOSSEN}&per_page=1&page={number}")
        assert answer.status_code == 200
        paged += [(item["id"], item["distance_km"]) for item in answer.get_json()["items"]]
    assert [i for i, _ in paged] == [
        ids["two_places"],
        ids["kongsberg"],
        ids["drammen"],
        ids["no_point"],
    ]
    assert [km for _, km in paged[:3]] == [
        pytest.approx(EXPECTED_KM[name], abs=0.01)
        for name in ("two_places", "kongsberg", "drammen")
    ]


def test_nearest_first_with_words_skips_the_near_offers_that_do_not_match(places):
    # The nearest (the family centre at Hokksund) is not in Kongsberg: a page of one reaches
    # past it.
    api, ids = places
    answer = api.get(f"/api/v1/offers?near={VESTFOSSEN}&q=kongsberg&per_page=1")
    assert answer.get_json()["total"] == 1
    assert [(i["id"], i["distance_km"]) for i in answer.get_json()["items"]] == [
        (ids["kongsberg"], pytest.approx(14.12, abs=0.01))
    ]


def test_offers_at_one_point_keep_the_name_order(federation, index, tmp_path):
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        # Published in the reverse of the name order, all at Drammen's centre.
        published = [
            b.publish(name=name, locations=[_place("D", DRAMMEN)])
            for name in ("Cecilie", "Bjørn", "Anna")
        ]
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    api = app.test_client()
    expected = [node.public_id(i) for i in reversed(published)]
    for number, wanted in enumerate(expected, start=1):
        answer = api.get(f"/api/v1/offers?near=59.7441,10.2045&per_page=1&page={number}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert [item["id"] for item in answer.get_json()["items"]] == [wanted]
        assert answer.get_json()["items"][0]["distance_km"] == pytest.approx(0, abs=0.001)
    app.extensions["nettungen.db"].engine.dispose()


def test_nearest_first_reads_the_places_from_the_index_in_distance_order(places):
    """On PostgreSQL, the places nearest first come from the GiST index on ll_to_earth in
    distance order (an index scan with ``Order By``, no sort of every place)."""
    api, _ids = places
    app = api.application
    engine = app.extensions["nettungen.db"].engine
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite ranks every place (no index orders by distance)")
    from sqlalchemy import event, text

    sent: list[tuple[str, Any]] = []

    def keep(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        assert api.get(f"/api/v1/offers?near={VESTFOSSEN}&per_page=1").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    ordered = [(s, p) for s, p in sent if "<->" in s]
    assert len(ordered) == 1
    statement, parameters = ordered[0]
    with engine.connect() as connection:
        # A table of five places is read whole by choice; the index must be able to serve it.
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
        )
    assert "Index Scan using ix_offer_places_earth" in plan, plan
    assert "Order By" in plan, plan


def test_an_offer_with_many_near_places_does_not_hide_the_next_offer(federation, index, tmp_path):
    # Twelve places of one offer at Hokksund (4.82 km from Vestfossen) come first through the
    # index; a page of two still reaches Kongsberg (14.12 km), and page two Drammen (18.97).
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        many = b.publish(
            name="Mange steder", locations=[_place(f"H{i}", HOKKSUND) for i in range(12)]
        )
        kongsberg = b.publish(name="Kongsberg", locations=[_place("B", KONGSBERG)])
        drammen = b.publish(name="Drammen", locations=[_place("A", DRAMMEN)])
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    api = app.test_client()
    pages = []
    for number in (1, 2):
        answer = api.get(f"/api/v1/offers?near={VESTFOSSEN}&per_page=2&page={number}")
        assert answer.status_code == 200, answer.get_data(as_text=True)
        pages.append([(i["id"], i["distance_km"]) for i in answer.get_json()["items"]])
    assert pages == [
        [
            (node.public_id(many), pytest.approx(4.82, abs=0.01)),
            (node.public_id(kongsberg), pytest.approx(14.12, abs=0.01)),
        ],
        [(node.public_id(drammen), pytest.approx(18.97, abs=0.01))],
    ]
    app.extensions["nettungen.db"].engine.dispose()
