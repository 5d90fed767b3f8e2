"""National search's lists run as many SQL statements for 30 offers as for 3: the offers API,
the site's search, front, municipality and county pages, and the national HSDS service list."""

from __future__ import annotations

from tests.queries import MANY, check_flat
from tests.search.conftest import COUNTY_NODE

KINDS = list(COUNTY_NODE)


def test_offer_lists(federation, index, search_app):
    # Four providers on one node, each offer covering Drammen and one more municipality.
    node = federation.node("fylke", COUNTY_NODE)
    index.trust(node)
    count_so_far = [0]

    def grow(count: int) -> None:
        with node.builder() as builder:
            for i in range(count_so_far[0], count_so_far[0] + count):
                builder.publish(
                    KINDS[i % len(KINDS)],
                    name=f"Tilbud {i}",
                    coverage=["3301", ("3303", "3312", "4601")[i % 3]],
                )
        count_so_far[0] += count
        reports = index.harvester().harvest_all()
        assert all(r.error is None and r.rejected == 0 for r in reports), reports

    client = search_app.test_client()
    drawn = check_flat(
        search_app.extensions["nettungen.db"].engine,
        grow,
        {
            "offers API": lambda: client.get("/api/v1/offers?municipality=3301&per_page=50"),
            "search page": lambda: client.get("/sok?municipality=3301"),
            "front page": lambda: client.get("/"),
            "municipality page": lambda: client.get("/kommune/3301"),
            "county page": lambda: client.get("/fylke/33"),
            "national HSDS services": lambda: client.get("/hsds/services?per_page=50"),
            "node status API": lambda: client.get("/api/v1/status/nodes/fylke"),
            "node status page": lambda: client.get("/status/nodes/fylke"),
        },
    )
    assert drawn["offers API"].get_json()["total"] == MANY
    assert drawn["national HSDS services"].get_json()["total_items"] == MANY
    assert "Tilbud " in drawn["search page"].get_data(as_text=True)
