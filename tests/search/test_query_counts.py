"""National search's lists run as many SQL statements for 30 offers as for 3: the offers API,
the site's search, front, municipality and county pages, and the national HSDS service list."""

from __future__ import annotations

import re

from tests.queries import MANY, add_directory_nodes, check_flat, statements_of
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


def test_node_lists_and_status(index, search_app):
    """The node lists (the open directory, its page, the catalogue) and the status of one
    node or all take as many statements for 30 nodes as for 3; one node's status reads only
    that node's rows."""
    client = search_app.test_client()
    added = [0]

    def grow(count: int) -> None:
        add_directory_nodes(index.sessions, added[0], count)
        added[0] += count

    drawn = check_flat(
        search_app.extensions["nettungen.db"].engine,
        grow,
        {
            "nodes API": lambda: client.get("/api/v1/nodes"),
            "nodes page": lambda: client.get("/noder"),
            "catalogue": lambda: client.get("/catalog", headers={"Accept": "text/turtle"}),
            "status of every node": lambda: client.get("/api/v1/status/nodes"),
            "status page": lambda: client.get("/status/nodes"),
            "status by base URL": lambda: client.get(
                "/api/v1/status/nodes?base_url=https://node01.test"
            ),
            "status of a node": lambda: client.get("/api/v1/status/nodes/n01"),
        },
    )
    assert len(drawn["nodes API"].get_json()["nodes"]) == MANY
    every = drawn["status of every node"].get_json()["nodes"]
    assert len(every) == MANY
    [one] = drawn["status by base URL"].get_json()["nodes"]
    assert one == every[1]
    assert one["received"]["published"] == 2 and one["received"]["withdrawn"] == 1
    assert one["refusals"] == {"kept": 2, "open": 2}
    full = drawn["status of a node"].get_json()
    assert {k: full[k] for k in one} == one
    assert len(full["organisations"]) == 2 and len(full["refused"]) == 2


def test_one_nodes_status_is_counted_for_that_node_only(index, search_app):
    add_directory_nodes(index.sessions, 0, 3)
    client = search_app.test_client()
    engine = search_app.extensions["nettungen.db"].engine
    for path in ("/api/v1/status/nodes/n01", "/api/v1/status/nodes?base_url=https://node01.test"):
        client.get(path)  # warm up
        statements = statements_of(engine, lambda path=path: client.get(path))
        tables = re.compile(r"FROM (ingested_offers|rejected_events|harvest_cursors)\b(\s*\w*)")
        read = [(sql, after) for sql in statements for _, after in tables.findall(sql)]
        assert len(read) >= 4, (path, statements)
        for sql, after in read:
            assert after.strip() == "WHERE", (path, sql)
