"""The open status of each node at national search (``/api/v1/status/...``, ``/status/nodes``):
what it received, what it refused and why, its keys; a refusal is open until the offer is
received, as after the missing grant is given."""

from __future__ import annotations

import pytest

from shared.ingest import directory
from tests.publisher.node import ORGANISATIONS

MUNICIPALITY = ORGANISATIONS["municipality"]
VOLUNTARY = ORGANISATIONS["voluntary"]


def _node(federation):
    node = federation.node("vert", {"municipality": MUNICIPALITY, "voluntary": VOLUNTARY})
    with node.builder() as build:
        own = build.publish("municipality", name="Helsestasjon for ungdom")
        theirs = build.publish("voluntary", name="Leksehjelp")
    return node, own, theirs


def test_a_refusal_is_open_until_the_grant_brings_the_offer(federation, index, index_api):
    node, own, theirs = _node(federation)
    index.trust(node, organisations=[MUNICIPALITY[0]])  # the voluntary organisation not granted
    index.harvester().harvest_all()
    own_uri, their_uri = f"{node.base_url}/offers/{own}", f"{node.base_url}/offers/{theirs}"

    listed = index_api.get("/api/v1/status/nodes").get_json()["nodes"]
    assert [(n["id"], n["received"]["published"], n["refusals"]) for n in listed] == [
        ("vert", 1, {"kept": 1, "open": 1})
    ]
    status = index_api.get("/api/v1/status/nodes/vert").get_json()
    assert status["organisations"] == [
        {"organisation_number": "910000012", "name": None, "kind": None}
    ]
    assert [k["state"] for k in status["keys"]] == ["trusted"]
    assert status["last_event"]["offer_uri"] == own_uri
    [refusal] = status["refused"]
    assert refusal["offer_uri"] == their_uri and refusal["open"] is True
    assert refusal["via"] == "feed"
    assert refusal["reason"] == (
        "node 'vert' may not publish for organisation 910000047 (not in its directory entry)"
    )
    asked = index_api.get(
        "/api/v1/status/offers", query_string=[("uri", own_uri), ("uri", their_uri)]
    ).get_json()["offers"]
    assert [(o["offer_uri"], o["received"] and o["received"]["version"]) for o in asked] == [
        (own_uri, 1),
        (their_uri, None),
    ]
    assert asked[0]["refused"] == [] and len(asked[1]["refused"]) == 1

    with index.sessions.begin() as session:
        directory.grant(session, "vert", [VOLUNTARY[0]])
    index.harvester().harvest_all()
    status = index_api.get("/api/v1/status/nodes/vert").get_json()
    assert status["refusals"] == {"kept": 1, "open": 0}
    assert status["received"]["published"] == 2
    assert [r["open"] for r in status["refused"]] == [False]
    answer = index_api.get("/api/v1/status/offers", query_string={"uri": their_uri})
    [theirs_now] = answer.get_json()["offers"]
    assert theirs_now["received"]["version"] == 1 and theirs_now["refused"] == []


def test_a_node_asks_for_itself_by_base_url_and_unknown_things_are_refused(
    federation, index, index_api
):
    node, _own, _theirs = _node(federation)
    index.trust(node)
    assert (
        index_api.get("/api/v1/status/nodes", query_string={"base_url": node.base_url}).get_json()[
            "nodes"
        ][0]["id"]
        == "vert"
    )
    assert index_api.get(
        "/api/v1/status/nodes", query_string={"base_url": "https://other.test"}
    ).get_json() == {"nodes": []}
    missing = index_api.get("/api/v1/status/nodes/nobody")
    assert missing.status_code == 404 and "nobody" in missing.get_json()["message"]
    assert index_api.get("/api/v1/status/offers").status_code == 400
    too_many = [("uri", f"https://x.test/offers/{i}") for i in range(101)]
    assert index_api.get("/api/v1/status/offers", query_string=too_many).status_code == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/status/nodes?base=https://x.test",
        "/api/v1/status/nodes/vert?lang=en",
        "/api/v1/status/offers?uri=https://x.test/offers/1&url=https://x.test/offers/2",
        "/api/v1/status/offers?uri=" + "x" * 501,
    ],
)
def test_a_malformed_or_unknown_parameter_is_refused_with_a_400(federation, index, index_api, path):
    node, _own, _theirs = _node(federation)
    index.trust(node)
    response = index_api.get(path)
    assert response.status_code == 400
    body = response.get_json()
    [name] = body["errors"]["query"]
    assert name in path and body["code"]


def test_the_status_pages_read_without_script(federation, index, index_api):
    node, _own, _theirs = _node(federation)
    index.trust(node, organisations=[MUNICIPALITY[0]])
    index.harvester().harvest_all()
    listing = index_api.get("/status/nodes?lang=nb", headers={"Accept": "text/html"})
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Status for nodene" in text and 'href="/status/nodes/vert"' in text
    page = index_api.get("/status/nodes/vert?lang=nn").get_data(as_text=True)
    assert "Avviste" in page and "may not publish for organisation 910000047" in page
    english = index_api.get("/status/nodes/vert?lang=en").get_data(as_text=True)
    assert "Keys in use" in english
    assert index_api.get("/status/nodes/nobody", headers={"Accept": "text/html"}).status_code == 404
