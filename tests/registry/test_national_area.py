"""The other providers' offers for the organisation's area, read from national search: a
region is one question (search's ``region=`` filter), as a municipality or county is."""

from __future__ import annotations

import httpx

from services.registry.national.services import AreaPicture, National, area_offers
from shared.ingest.http import Limits, new_client

SEARCH = "https://sok.test"


def _item(n: int, orgnr: str) -> dict:
    return {
        "id": f"id-{n}",
        "uri": f"https://node.test/offers/{n}",
        "name": f"Tilbud {n}",
        "provider": {
            "name": f"Tilbyder {orgnr}",
            "organisation_number": orgnr,
            "kind": "state",
            "kind_label": "Staten",
        },
        "level": {"code": 1 + n % 3},
        "age_min": 0,
        "age_max": 18,
        "risk_groups": [],
        "links": {"page": f"{SEARCH}/tilbud/id-{n}"},
    }


def _reading(home_area: str) -> tuple[AreaPicture, list[httpx.Request]]:
    asked: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        page = int(request.url.params["page"])
        items = [_item(n, "974760673" if n % 2 else "910000012") for n in range(page * 3)][-3:]
        return httpx.Response(200, json={"items": items, "pages": 2})

    national = National(SEARCH, "", new_client(httpx.MockTransport(answer)), Limits(timeout=5.0))
    picture = area_offers(national, home_area, "910000012")
    assert isinstance(picture, AreaPicture)
    return picture, asked


def test_a_region_is_one_question_with_its_page_on_the_search_site():
    picture, asked = _reading("bufetat-sor")
    assert [(r.url.path, r.url.params["region"], r.url.params["page"]) for r in asked] == [
        ("/api/v1/offers", "bufetat-sor", "1"),
        ("/api/v1/offers", "bufetat-sor", "2"),
    ]
    assert all("county" not in r.url.params for r in asked)
    assert picture.search_page == f"{SEARCH}/region/bufetat-sor"
    # The organisation's own (910000012) are left out; the others are listed once each.
    assert sorted(o.id for o in picture.offers) == ["id-1", "id-3", "id-5"]
    assert picture.complete


def test_a_county_and_a_municipality_are_asked_by_their_codes():
    _, asked = _reading("33")
    assert {r.url.params["county"] for r in asked} == {"33"}
    picture, asked = _reading("3301")
    assert {r.url.params["municipality"] for r in asked} == {"3301"}
    assert picture.search_page == f"{SEARCH}/kommune/3301"
