"""Search by distance at the edges of the box the database first narrows places by (on SQLite a
box of latitudes and longitudes, on PostgreSQL earthdistance's cube): a place just inside the
radius due north, south, east and west, in the southern hemisphere, across the date line and
across the pole is found, and just outside it is not (found by mutation testing,
docs/testing.md).

The distances are great circles on a sphere of radius 6371.0088 km, worked out by hand with the
spherical law of cosines: 0.1 degree of latitude is 11.1195 km; at 60 degrees north or south
0.2 degree of longitude is 11.1195 km too (cos 60 = 1/2); from 89.5 degrees north, the point
on the other side of the pole is 1 degree away (111.1951 km) and the one a quarter round
78.6263 km.
"""

from __future__ import annotations

import pytest

from tests.publisher.node import ORGANISATIONS
from tests.search.conftest import make_search_app

PLACES = {
    "north": (60.1, 9.0),
    "south": (59.9, 9.0),
    "east": (60.0, 9.2),
    "west": (60.0, 8.8),
    "south_east": (-60.0, 9.2),
    "south_west": (-60.0, 8.8),
    "over_the_date_line": (60.0, -179.9),
    "before_the_date_line": (60.0, 179.9),
    "over_the_pole": (89.5, 180.0),
    "round_the_pole": (89.5, 90.0),
}


@pytest.fixture
def edges(federation, index, tmp_path):
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    with node.builder() as b:
        ids = {
            name: b.publish(
                name=f"Tilbud {name}",
                locations=[{"name": name, "latitude": point[0], "longitude": point[1]}],
            )
            for name, point in PLACES.items()
        }
    index.trust_and_harvest(federation)
    app = make_search_app(index.url, tmp_path / "search")
    by_id = {node.public_id(offer): name for name, offer in ids.items()}

    def found(near: str, radius: float) -> dict[str, float]:
        answer = app.test_client().get(f"/api/v1/offers?per_page=100&near={near}&radius={radius}")
        assert answer.status_code == 200, answer.get_json()
        return {by_id[i["id"]]: i["distance_km"] for i in answer.get_json()["items"]}

    yield found
    app.extensions["nettungen.db"].engine.dispose()


def test_just_inside_the_radius_in_every_direction(edges):
    found = edges("60.0,9.0", 11.13)
    assert set(found) == {"north", "south", "east", "west"}
    for km in found.values():
        assert km == pytest.approx(11.1195, abs=0.005)
    assert edges("60.0,9.0", 11.11) == {}


def test_just_inside_the_radius_in_the_southern_hemisphere(edges):
    found = edges("-60.0,9.0", 11.13)
    assert set(found) == {"south_east", "south_west"}
    assert edges("-60.0,9.0", 11.11) == {}


def test_across_the_date_line(edges):
    # Each place is 0.2 degree of longitude from the other, over the 180th meridian.
    assert edges("60.0,179.9", 11.13) == {
        "before_the_date_line": 0.0,
        "over_the_date_line": pytest.approx(11.1195, abs=0.005),
    }
    assert edges("60.0,-179.9", 11.13) == {
        "over_the_date_line": 0.0,
        "before_the_date_line": pytest.approx(11.1195, abs=0.005),
    }
    assert set(edges("60.0,179.9", 11.11)) == {"before_the_date_line"}


def test_across_the_pole(edges):
    found = edges("89.5,0.0", 111.2)
    assert found == {
        "round_the_pole": pytest.approx(78.6263, abs=0.005),
        "over_the_pole": pytest.approx(111.1951, abs=0.005),
    }
    assert set(edges("89.5,0.0", 111.19)) == {"round_the_pole"}
