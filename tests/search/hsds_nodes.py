"""The federation's nodes as the oracle of the national HSDS API.

What the national API says about an offer or an organization must be what the node that
publishes it says through its own HSDS API; these helpers ask every node of a federation.
"""

from __future__ import annotations

from typing import Any

from shared import hsds
from tests.hsds_client import SERVICE_LIST, get_ndjson, get_page

ORGANIZATION_LIST = "compiled/organization_list.json"
ORGANIZATION = "compiled/organization.json"


def ids(client: Any, query: str) -> set[str]:
    """The ids of every service ``query`` finds (at most 100, all on one page)."""
    body = get_page(client, f"/hsds/services?per_page=100&{query}")
    assert body["total_items"] == body["size"]
    return {s["id"] for s in body["contents"]}


def node_clients(standard: Any) -> list[Any]:
    """A client of each node's publisher, whose HSDS API is the node's own."""
    return [node.app.test_client() for node in standard.federation.nodes.values()]


def node_items(nodes: list[Any], path: str, item_schema: str) -> dict[str, dict[str, Any]]:
    """What the nodes' own HSDS APIs list at ``path`` (as NDJSON: every match), by id; no
    two nodes list the same id."""
    found: dict[str, dict[str, Any]] = {}
    for node in nodes:
        for item in get_ndjson(node, path, item_schema):
            assert item["id"] not in found
            found[item["id"]] = item
    return found


def node_services(nodes: list[Any], query: str = "") -> dict[str, dict[str, Any]]:
    return node_items(nodes, f"/hsds/services?format=ndjson&{query}", SERVICE_LIST)


def node_organizations(nodes: list[Any], query: str = "") -> dict[str, dict[str, Any]]:
    return node_items(nodes, f"/hsds/organizations?format=ndjson&{query}", ORGANIZATION_LIST)


def classifications(nodes: list[Any]) -> dict[str, set[str]]:
    """Service id -> the taxonomy term ids its node classifies it with (its attributes)."""
    return {
        service_id: {a["taxonomy_term_id"] for a in service["attributes"]}
        for service_id, service in node_services(nodes, "full=true").items()
    }


def assert_taxonomy_filters_agree(client: Any, classified: dict[str, set[str]]) -> set[str]:
    """Every term and every taxonomy filters the national list to the services the nodes
    classify with it; returns the taxonomies that classify anything."""
    used: set[str] = set()
    for vocabulary in hsds.TAXONOMIES:
        term_ids = {hsds.taxonomy_term_id(vocabulary, c.code) for c in vocabulary}
        for term in sorted(term_ids):
            expected = {s for s, terms in classified.items() if term in terms}
            assert ids(client, f"taxonomy_term_id={term}") == expected, (vocabulary.id, term)
        expected = {s for s, terms in classified.items() if terms & term_ids}
        assert ids(client, f"taxonomy_id={hsds.taxonomy_id(vocabulary)}") == expected
        used.update([vocabulary.id] if expected else [])
    return used
