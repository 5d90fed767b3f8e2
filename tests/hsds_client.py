"""Reading an HSDS API in tests, a node's or the national one: pages, NDJSON and our error
payload, every body checked against the official HSDS schemas on the way."""

from __future__ import annotations

import json
from typing import Any

from tests.hsds_schemas import assert_hsds, assert_hsds_page

SERVICE_LIST = "compiled/service_list.json"
# Bad /hsds/services queries, each with the parameter the 422 must name.
BAD_SERVICE_QUERIES = [
    ("per_page=101", "per_page"),
    ("per_page=0", "per_page"),
    ("minimal=true&per_page=1001", "per_page"),
    ("page=0", "page"),
    ("page=two", "page"),
    ("format=xml", "format"),
    ("taxonomy_term_id=level-1", "taxonomy_term_id"),
    ("organization_id=910000012", "organization_id"),
    ("modified_after=yesterday", "modified_after"),
    ("minimal=true&full=true", "minimal"),
    ("full=maybe", "full"),
]


def get_page(client: Any, path: str, item_schema: str = SERVICE_LIST) -> dict[str, Any]:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "application/json"
    body = response.get_json()
    assert_hsds_page(body, item_schema)
    return body


def names(client: Any, query: str) -> list[str]:
    return [s["name"] for s in get_page(client, f"/hsds/services?{query}")["contents"]]


def get_ndjson(client: Any, path: str, item_schema: str) -> list[dict[str, Any]]:
    """Every line of an NDJSON answer, each a valid ``item_schema``."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    text = response.get_data(as_text=True)
    assert text == "" or text.endswith("\n")
    items = [json.loads(line) for line in text.splitlines()]
    for item in items:
        assert_hsds(item, item_schema)
    return items


def assert_error(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    """Our single error format; ``field`` names the query parameter at fault."""
    assert response.status_code == status
    body = response.get_json()
    assert body["code"] == status and body["status"] and body["message"]
    if field:
        assert field in body["errors"]["query"], body
    return body
