"""HSDS locations with their points and ``/service_at_locations?near=lat,lon&radius=km`` (the
HSDS API is shared by the node and national search; this runs it nationally), every body
checked against the HSDS 3.1 schemas. Distances are the hand-worked ones of test_distance."""

from __future__ import annotations

import pytest

from tests.hsds_client import assert_error, get_ndjson, get_page
from tests.publisher.node import ORGANISATIONS
from tests.search.conftest import make_search_app
from tests.search.test_distance import (
    DRAMMEN,
    HOKKSUND,
    KONGSBERG,
    OSLO,
    VESTFOSSEN,
    _place,
    places,
)

__all__ = ["places"]  # the fixture, shared with test_distance
LINKS = "compiled/service_at_location_list.json"


def test_locations_carry_their_points(places):
    api, _ids = places
    body = get_page(api, "/hsds/locations?per_page=50", "location.json")
    points = {c["name"]: (c.get("latitude"), c.get("longitude")) for c in body["contents"]}
    assert points == {
        "A": DRAMMEN,
        "B": KONGSBERG,
        "Oslo": OSLO,
        "Hokksund": HOKKSUND,
        "Et sted": (None, None),
    }


def test_near_and_radius_keep_the_places_within_the_distance_nearest_first(places):
    api, ids = places
    body = get_page(api, f"/hsds/service_at_locations?near={VESTFOSSEN}&radius=15", LINKS)
    # Hokksund 4.82 km, Kongsberg 14.12 km; the same offer's Oslo place (52.70) is too far.
    assert [(link["service_id"], link["location"]["name"]) for link in body["contents"]] == [
        (ids["two_places"], "Hokksund"),
        (ids["kongsberg"], "B"),
    ]
    assert body["total_items"] == 2
    wider = get_page(
        api, f"/hsds/service_at_locations?near={VESTFOSSEN}&radius=19&full=true", LINKS
    )
    assert [link["location"]["name"] for link in wider["contents"]] == ["Hokksund", "B", "A"]
    assert wider["contents"][2]["service"]["id"] == ids["drammen"]
    lines = get_ndjson(
        api, f"/hsds/service_at_locations?near={VESTFOSSEN}&radius=15&format=ndjson", LINKS
    )
    assert {line["location"]["name"] for line in lines} == {"Hokksund", "B"}


def test_near_alone_ranks_every_place_and_pages_through_them(places):
    api, _ids = places
    # Hokksund 4.82, Kongsberg 14.12, Drammen 18.97, Oslo 52.70; the place without a point last.
    order = ["Hokksund", "B", "A", "Oslo", "Et sted"]
    seen = []
    for number in (1, 2, 3):
        body = get_page(
            api, f"/hsds/service_at_locations?near={VESTFOSSEN}&per_page=2&page={number}", LINKS
        )
        assert body["total_items"] == 5
        seen.extend(link["location"]["name"] for link in body["contents"])
    assert seen == order


def test_a_decimal_comma_point_is_the_same_point(places):
    api, _ids = places
    typed = get_page(api, "/hsds/service_at_locations?near=59,7333, 9,8667&radius=15", LINKS)
    assert [link["location"]["name"] for link in typed["contents"]] == ["Hokksund", "B"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("near=59.7", "near"),
        ("near=91,9.8", "near"),
        ("near=59.7,9.8&radius=0", "radius"),
        ("near=59.7,9.8&radius=abc", "radius"),
        ("radius=10", "radius"),
    ],
)
def test_a_bad_point_or_radius_is_a_400_naming_it(places, query, field):
    api, _ids = places
    assert_error(api.get(f"/hsds/service_at_locations?{query}"), 400, field)


@pytest.mark.parametrize("proximity", ["1500", "59.7,9.8,10"])
def test_proximity_is_refused_saying_why(places, proximity):
    api, _ids = places
    answer = api.get(f"/hsds/service_at_locations?proximity={proximity}&postcode=3015")
    assert answer.status_code == 400
    assert "no postcode centroids" in answer.get_json()["errors"]["query"]["proximity"][0]
    assert_error(api.get(f"/hsds/service_at_locations?proximity={proximity}"), 400, "proximity")


def test_a_location_given_with_and_without_a_point_has_the_point(federation, index, tmp_path):
    # Two offers of one organisation give the same two places, each offer one with a point and
    # one without, so whichever offer is read first, one location first comes without one.
    def bare(name: str) -> dict[str, str]:
        return {"name": name}

    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        b.publish(name="Første", locations=[bare("Torget"), _place("Havna", KONGSBERG)])
        b.publish(name="Andre", locations=[_place("Torget", DRAMMEN), bare("Havna")])
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    api = app.test_client()
    body = get_page(api, "/hsds/locations?per_page=50", "location.json")
    points = {c["name"]: (c.get("latitude"), c.get("longitude")) for c in body["contents"]}
    assert points == {"Torget": DRAMMEN, "Havna": KONGSBERG}
    for location in body["contents"]:
        one = api.get(f"/hsds/locations/{location['id']}").get_json()
        assert (one["latitude"], one["longitude"]) == points[location["name"]]
    app.extensions["nettungen.db"].engine.dispose()


def test_near_pages_of_one_with_a_filter_are_measured_by_the_database(places):
    # Only "Familiesenter i to byer" matches: its Hokksund place (4.82 km), then Oslo (52.70).
    api, ids = places
    seen = []
    for number in (1, 2, 3):
        body = get_page(
            api,
            f"/hsds/service_at_locations?near={VESTFOSSEN}&search=familiesenter&per_page=1"
            f"&page={number}",
            LINKS,
        )
        assert body["total_items"] == 2
        seen += [(link["service_id"], link["location"]["name"]) for link in body["contents"]]
    assert seen == [(ids["two_places"], "Hokksund"), (ids["two_places"], "Oslo")]


def test_a_place_given_twice_with_points_is_one_link_counted_once(federation, index, tmp_path):
    # One HSDS location (same name, no address) given twice with two points: hsds.places keeps
    # the first, so /service_at_locations lists it once; the totals and the pages must agree
    # (2 links: "Torget" at Drammen 18.97 km, then "Havna" at Kongsberg 14.12 km... nearest
    # first: Havna, Torget).
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        b.publish(
            name="Dobbelt",
            locations=[
                _place("Torget", DRAMMEN),
                _place("Torget", HOKKSUND),
                _place("Havna", KONGSBERG),
            ],
        )
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    api = app.test_client()
    for query in (f"near={VESTFOSSEN}", f"near={VESTFOSSEN}&radius=100"):
        whole = get_page(api, f"/hsds/service_at_locations?{query}&per_page=10", LINKS)
        assert [link["location"]["name"] for link in whole["contents"]] == ["Havna", "Torget"]
        assert whole["total_items"] == 2
        seen = []
        for number in (1, 2):
            body = get_page(
                api, f"/hsds/service_at_locations?{query}&per_page=1&page={number}", LINKS
            )
            assert body["total_items"] == 2
            assert body["total_pages"] == 2
            assert len(body["contents"]) == 1
            seen += [link["location"]["name"] for link in body["contents"]]
        assert seen == ["Havna", "Torget"]
    app.extensions["nettungen.db"].engine.dispose()
