"""National search gives the same answers as before it was made fast.

A synthetic national federation (:mod:`bench.national`, fixed seed) is bulk-loaded into a
fresh index, and a fixed set of searches, every shape a person can build (municipality,
county, region, the country; words; each filter; facets; first and deep pages), is asked of
the API. The offers, in their order, the totals and every facet count must be what the code
answered before the query plans, counts and answers were reworked: the expectations in
``fixed_answers/<database>.json`` were written by that code (commit d31c693, by running this
test with ``NETTUNGEN_WRITE_FIXED_ANSWERS=1``) and are not to be regenerated to make a change
pass. Every count here is below the exact-count threshold, so every one must be exact and say
so.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from bench import bulk, national
from services.search.index import query
from shared.db import create_engine
from tests.search.conftest import make_search_app

OFFERS = 1_500
SEED = 21
EXPECTED = Path(__file__).parent / "fixed_answers"
OSLO, UTSIRA, BERGEN, DRAMMEN = "0301", "1151", "4601", "3301"
SEARCHES = (
    "",
    "?per_page=100",
    "?page=3&per_page=50",
    f"?municipality={OSLO}",
    f"?municipality={OSLO}&page=4",
    f"?municipality={UTSIRA}",
    f"?municipality={BERGEN}&per_page=100",
    f"?municipality={DRAMMEN}&level=2&level=3",
    "?county=33",
    "?county=46&page=2",
    "?region=bufetat-sor",
    "?region=helse-vest&per_page=50&page=2",
    "?q=foreldre",
    "?q=barn&per_page=100",
    "?q=barn&page=5",
    "?q=mestring&risk_group=bullying",
    "?q=helsestasjon",
    "?q=foreldreveiledning",
    "?q=psykisk+helse",
    "?q=idrett+musikk",
    f"?municipality={OSLO}&q=foreldre&level=2&level=3&free=true",
    f"?municipality={UTSIRA}&q=barn&level=1",
    f"?municipality={UTSIRA}&q=barn",
    f"?municipality={OSLO}&q=samtale",
    "?county=33&q=kurs",
    "?region=bufetat-sor&q=sorg",
    "?level=1",
    "?level=3&statutory=true",
    "?category=parent_support",
    "?category=group&category=guidance",
    "?provider_kind=voluntary",
    "?provider_kind=state&provider_kind=region",
    "?risk_group=bullying&risk_group=trauma",
    "?diagnosis_group=adhd",
    "?audience=parents",
    "?language=sme",
    "?age=4",
    f"?age=16&municipality={OSLO}",
    "?free=false",
    "?statutory=false&level=2",
    f"?municipality={BERGEN}&audience=youth&language=eng&free=true",
    "?q=zzzingenting",
    f"?municipality={UTSIRA}&diagnosis_group=adhd&level=3",
    "?facets=false&q=skole",
    "?lang=en&category=public",
)


# A point in Oslo; national offers lie at made-up points of their providers' home areas.
NEAR = "59.91,10.75"


def _brute_force_within(radius_km: float) -> list[tuple[float, str]]:
    """(distance, offer id) of the offers with a place within ``radius_km`` of ``NEAR``, nearest
    first: the haversine formula over the generated offers, not the index's SQL."""
    latitude, longitude = (math.radians(float(part)) for part in NEAR.split(","))
    found = []
    for spec in national.generate(OFFERS, seed=SEED).offers():
        nearest = math.inf
        for place in spec.content["locations"]:
            lat, lon = math.radians(place["latitude"]), math.radians(place["longitude"])
            term = (
                math.sin((lat - latitude) / 2) ** 2
                + math.cos(latitude) * math.cos(lat) * math.sin((lon - longitude) / 2) ** 2
            )
            nearest = min(nearest, 2 * 6371.0088 * math.asin(math.sqrt(term)))
        if nearest <= radius_km:
            found.append((nearest, national.offer_id(spec)))
    return sorted(found)


def _organisation_search() -> str:
    """One provider's offers (the first voluntary organisation the generator draws)."""
    drawn = national.generate(OFFERS, seed=SEED)
    orgnr = next(p.organisation_number for p in drawn.providers.values() if p.kind == "voluntary")
    return f"?organisation={orgnr}"


@pytest.fixture(scope="module")
def national_app(search_database_factory, tmp_path_factory) -> Iterator[Flask]:
    url = search_database_factory()
    engine = create_engine(url)
    try:
        bulk.load(national.published_events(national.generate(OFFERS, seed=SEED)), engine)
    finally:
        engine.dispose()
    app = make_search_app(url, tmp_path_factory.mktemp("fixed"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


def answer(app: Flask, search: str) -> dict[str, Any]:
    """What the API says to ``search``: the offers in order, the total, the facet counts."""
    response = app.test_client().get(f"/api/v1/offers{search}")
    assert response.status_code == 200, (search, response.get_json())
    body = response.get_json()
    return {
        **({"exact": [body["total_exact"], body["facets_exact"]]} if "total_exact" in body else {}),
        "total": body["total"],
        "pages": body["pages"],
        "ids": [item["id"] for item in body["items"]],
        "facets": {
            facet: {value["code"]: value["count"] for value in values}
            for facet, values in body["facets"].items()
        },
    }


def test_the_same_offers_in_the_same_order_with_the_same_counts(national_app: Flask) -> None:
    dialect = national_app.extensions["nettungen.db"].engine.dialect.name
    path = EXPECTED / f"{dialect}.json"
    searches = (*SEARCHES, _organisation_search())
    answers = {search: answer(national_app, search) for search in searches}
    if os.environ.get("NETTUNGEN_WRITE_FIXED_ANSWERS") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
        pytest.skip(f"wrote {path}")
    expected = json.loads(path.read_text())
    assert list(expected) == list(searches)
    # Below the exact-count limit every answer says its counts are exact.
    assert all(a.pop("exact") == [True, True] for a in answers.values())
    # The data is rich enough to prove something: offers found, facets counted, pages deep.
    assert expected[""]["total"] == OFFERS
    assert sum(1 for a in expected.values() if a["total"] > 100) > 10
    for search in searches:
        assert answers[search] == expected[search], search


def test_words_within_a_place_without_facets_give_the_pinned_offers_and_totals(
    national_app: Flask,
) -> None:
    """Words within a place or organisation without facets are ranked and counted in one pass
    (``query._ranked_page``): the same offers in the same order and the same totals as the
    pinned answers with facets."""
    dialect = national_app.extensions["nettungen.db"].engine.dialect.name
    expected = json.loads((EXPECTED / f"{dialect}.json").read_text())
    placed = [
        s
        for s in expected
        if "q=" in s and any(p in s for p in ("municipality=", "county=", "region="))
    ]
    assert len(placed) >= 5
    for search in placed:
        answer = national_app.test_client().get(f"/api/v1/offers{search}&facets=false").get_json()
        assert answer["total"] == expected[search]["total"], search
        assert answer["total_exact"] is True
        assert [item["id"] for item in answer["items"]] == expected[search]["ids"], search


def test_cursors_reach_the_same_deep_pages(national_app: Flask) -> None:
    """Keyset pagination: walking a search's cursors from its first page gives its deep pages
    with the same offers in the same order as the pinned numbered pages."""
    dialect = national_app.extensions["nettungen.db"].engine.dialect.name
    expected = json.loads((EXPECTED / f"{dialect}.json").read_text())
    client = national_app.test_client()
    deep = {
        "?page=3&per_page=50": ("?per_page=50", 3),
        f"?municipality={OSLO}&page=4": (f"?municipality={OSLO}", 4),
        "?county=46&page=2": ("?county=46", 2),
        "?region=helse-vest&per_page=50&page=2": ("?region=helse-vest&per_page=50", 2),
        "?q=barn&page=5": ("?q=barn", 5),
    }
    for search, (first, number) in deep.items():
        answer = client.get(f"/api/v1/offers{first}").get_json()
        for _ in range(number - 1):
            answer = client.get(f"/api/v1/offers{first}&cursor={answer['next_cursor']}").get_json()
        assert answer["page"] == number, search
        assert [item["id"] for item in answer["items"]] == expected[search]["ids"], search


def test_counts_above_the_limit_are_lower_bounds_and_say_so(
    national_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the limit at 100, a search with more matches counts 100 and says "more"; its
    facet counts are counts among 100 of its offers; a search with fewer is still exact."""
    dialect = national_app.extensions["nettungen.db"].engine.dialect.name
    expected = json.loads((EXPECTED / f"{dialect}.json").read_text())
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 100)
    for search in ("", f"?municipality={OSLO}", "?q=barn&page=5", "?level=1&q=foreldre"):
        response = national_app.test_client().get(f"/api/v1/offers{search}")
        body = response.get_json()
        assert (body["total"], body["total_exact"], body["facets_exact"]) == (100, False, False)
        assert body["pages"] == 5
        if search in expected:
            # Still the same offers in the same order: only the counting is bounded.
            assert [item["id"] for item in body["items"]] == expected[search]["ids"]
        for facet in ("level", "free_of_charge", "provider_kind", "category"):
            assert sum(value["count"] for value in body["facets"][facet]) == 100, facet
        if search in expected:
            for facet, values in body["facets"].items():
                for value in values:
                    assert value["count"] <= expected[search]["facets"][facet][value["code"]]
    # Searches by distance and by opening hours are counted the same way.
    for search in (f"?near={NEAR}", f"?near={NEAR}&radius=300", f"?near={NEAR}&radius=300&level=1"):
        body = national_app.test_client().get(f"/api/v1/offers{search}").get_json()
        assert (body["total"], body["total_exact"], body["facets_exact"]) == (100, False, False)
        for facet in ("level", "free_of_charge", "provider_kind", "category"):
            assert sum(value["count"] for value in body["facets"][facet]) == 100, (search, facet)
    # 13 offers lie within 145 km of the point (and none within 10 km of that edge, so no
    # formula of the Earth's shape puts one on the other side): exact, nearest first.
    within = _brute_force_within(155)
    assert [round(d) for d, _ in within if d > 135] == [] and len(within) == 13
    near = national_app.test_client().get(f"/api/v1/offers?near={NEAR}&radius=145").get_json()
    assert (near["total"], near["total_exact"], near["facets_exact"]) == (13, True, True)
    # (The node's own offer ids, which end the offers' URIs.)
    assert [item["links"]["source"].rsplit("/", 1)[1] for item in near["items"]] == [
        offer for _, offer in within
    ]
    for item, (km, _) in zip(near["items"], within, strict=True):
        assert abs(item["distance_km"] - km) < 0.5
    assert sum(value["count"] for value in near["facets"]["level"]) == 13
    # The generated offers give their hours in words only: no search by hours finds one, and
    # saying so is exact.
    for search in ("?open_on=mon", "?open_on=tue&open_at=18:00", f"?open_on=sat&near={NEAR}"):
        body = national_app.test_client().get(f"/api/v1/offers{search}").get_json()
        assert (body["total"], body["total_exact"], body["facets_exact"]) == (0, True, True)
        assert body["items"] == []
    # 49 match: exact, as before.
    exact = answer(national_app, "?q=mestring&risk_group=bullying")
    assert exact.pop("exact") == [True, False]  # risk_group lifted: more than 100 offers
    assert exact["total"] == expected["?q=mestring&risk_group=bullying"]["total"] == 49
    assert exact["ids"] == expected["?q=mestring&risk_group=bullying"]["ids"]
    # The site says so too, in the reader's language.
    page = national_app.test_client().get("/sok?municipality=0301").get_data(as_text=True)
    assert "Mer enn 100 tilbud funnet." in page
    assert "Tallene ved filtrene er talt blant de første 100 tilbudene som ble funnet." in page
    page = national_app.test_client().get("/sok?q=foreldreveiledning").get_data(as_text=True)
    assert "43 tilbud funnet." in page and "Mer enn" not in page and "Tallene ved" not in page
    # Thousands grouped as the reader's language writes them.
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 1000)
    for lang, said in (
        ("nb", "Mer enn 1\N{NO-BREAK SPACE}000 tilbud funnet."),
        ("nn", "Meir enn 1\N{NO-BREAK SPACE}000 tilbod funne."),
        ("en", "More than 1,000 offers found."),
    ):
        page = national_app.test_client().get(f"/sok?lang={lang}").get_data(as_text=True)
        assert said in page, lang
    small = answer(national_app, "?q=foreldreveiledning")  # 43 offers, no facet chosen
    assert small.pop("exact") == [True, True]
    assert small == expected["?q=foreldreveiledning"]
