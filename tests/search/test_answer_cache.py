"""Public search answers are cacheable: an ETag from the index's count of changes, a 304 to a
client that has the answer already, and a new ETag after every publication, withdrawal and
redaction the index applies (so no client keeps an answer the index no longer gives)."""

from __future__ import annotations

from typing import Any

from tests.publisher.node import ORGANISATIONS

SEARCH = "/api/v1/offers?q=helsestasjon"


def _fresh(api: Any, etag: str) -> tuple[int, str]:
    response = api.get(SEARCH, headers={"If-None-Match": f'"{etag}"'})
    assert response.headers["Cache-Control"] == "public, max-age=60"
    return response.status_code, response.headers["ETag"].strip('"')


def test_an_unchanged_index_answers_304_and_every_change_a_new_answer(
    federation, index, index_api
) -> None:
    node = federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon for ungdom", risk_groups=["bullying"])
    index.harvester().harvest_all()
    first = index_api.get(SEARCH)
    assert first.status_code == 200 and first.get_json()["total"] == 1
    etag = first.headers["ETag"].strip('"')
    assert _fresh(index_api, etag) == (304, etag)
    assert index_api.get(SEARCH, headers={"If-None-Match": '"0-1"'}).status_code == 200

    seen = {etag}
    for change in ("revise", "redact", "withdraw"):
        with node.builder() as b:
            if change == "revise":
                b.revise(offer, description="Nå også på lørdager.", risk_groups=["trauma"])
            else:
                getattr(b, change)(offer)
        index.harvester().harvest_all()
        status, etag = _fresh(index_api, etag)
        assert status == 200 and etag not in seen, change
        if change == "revise":  # the facet counts follow the new version's values
            facets = index_api.get(SEARCH).get_json()["facets"]
            assert {v["code"]: v["count"] for v in facets["risk_group"]} == {"trauma": 1}
        seen.add(etag)
        assert _fresh(index_api, etag) == (304, etag)
    assert index_api.get(SEARCH).get_json()["total"] == 0
    # A harvest that brings nothing changes nothing.
    index.harvester().harvest_all()
    assert _fresh(index_api, etag) == (304, etag)
