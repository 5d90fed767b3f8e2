"""HSDS locations with their points and ``/service_at_locations?proximity=lat,lon,km`` (the
HSDS API is shared by the node and national search; this runs it nationally), every body
checked against the HSDS 3.1 schemas. Distances are the hand-worked ones of test_distance."""

from __future__ import annotations

import pytest

from tests.hsds_client import assert_error, get_ndjson, get_page
from tests.search.test_distance import DRAMMEN, HOKKSUND, KONGSBERG, OSLO, VESTFOSSEN, places

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


def test_proximity_keeps_the_places_within_the_distance_nearest_first(places):
    api, ids = places
    body = get_page(api, f"/hsds/service_at_locations?proximity={VESTFOSSEN},15", LINKS)
    # Hokksund 4.82 km, Kongsberg 14.12 km; the same offer's Oslo place (52.70) is too far.
    assert [(link["service_id"], link["location"]["name"]) for link in body["contents"]] == [
        (ids["two_places"], "Hokksund"),
        (ids["kongsberg"], "B"),
    ]
    wider = get_page(api, f"/hsds/service_at_locations?proximity={VESTFOSSEN},19&full=true", LINKS)
    assert [link["location"]["name"] for link in wider["contents"]] == ["Hokksund", "B", "A"]
    assert wider["contents"][2]["service"]["id"] == ids["drammen"]
    lines = get_ndjson(
        api, f"/hsds/service_at_locations?proximity={VESTFOSSEN},15&format=ndjson", LINKS
    )
    assert {line["location"]["name"] for line in lines} == {"Hokksund", "B"}


@pytest.mark.parametrize(
    "proximity", ["59.7,9.8", "59.7,9.8,0", "91,9.8,10", "59.7,9.8,abc", "1500"]
)
def test_a_bad_proximity_is_a_400_naming_it(places, proximity):
    api, _ids = places
    assert_error(api.get(f"/hsds/service_at_locations?proximity={proximity}"), 400, "proximity")
