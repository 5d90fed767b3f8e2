"""A search at its edges, through the API: counts exact up to the counting limit and not one
offer beyond it, with and without a facet chosen; the number of pages; opening hours valid from
or until exactly today; the answer's ETag following the day in Oslo and the limit (found by
mutation testing, docs/testing.md).

Expectations by hand from tests.search.conftest: ten offers are indexed, four on level 1
(helsestasjon, vestland, leksehjelp, besøkshjem), four on level 2 (foreldrekurs, sorggruppe,
ungdomslos, familievern) and two on level 3 (kongsberg_ppt, bufetat).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from services.search.index import query
from shared import timetable
from tests.federation import OSLO


def levels(body: dict[str, Any]) -> dict[str, int]:
    return {v["code"]: v["count"] for v in body["facets"]["level"]}


def exactness(body: dict[str, Any]) -> tuple[int, bool, bool]:
    return body["total"], body["total_exact"], body["facets_exact"]


def test_counts_are_exact_up_to_the_limit_and_lower_bounds_one_beyond(api, monkeypatch):
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 10)
    body = api.get("/api/v1/offers").get_json()
    assert exactness(body) == (10, True, True)
    assert levels(body) == {"1": 4, "2": 4, "3": 2}
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 9)
    body = api.get("/api/v1/offers").get_json()
    assert exactness(body) == (9, False, False)
    assert sum(levels(body).values()) == 9
    # Only the counting is bounded: every offer is still listed.
    assert len(body["items"]) == 10


def test_a_chosen_facet_is_counted_without_its_filter_against_the_limit(api, monkeypatch):
    # Level 2 finds four offers; lifted, the level facet counts all ten.
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 10)
    body = api.get("/api/v1/offers?level=2").get_json()
    assert exactness(body) == (4, True, True)
    assert levels(body) == {"1": 4, "2": 4, "3": 2}
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 4)
    body = api.get("/api/v1/offers?level=2").get_json()
    assert exactness(body) == (4, True, False)
    assert sum(levels(body).values()) == 4
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 3)
    body = api.get("/api/v1/offers?level=2").get_json()
    assert exactness(body) == (3, False, False)
    assert len(body["items"]) == 4


@pytest.mark.parametrize(
    ("per_page", "pages"), [(1, 10), (3, 4), (5, 2), (9, 2), (10, 1), (11, 1), (100, 1)]
)
def test_the_number_of_pages_is_the_total_divided_rounded_up(api, per_page, pages):
    body = api.get(f"/api/v1/offers?per_page={per_page}").get_json()
    assert (body["total"], body["pages"]) == (10, pages)


def test_nothing_found_is_one_empty_page(api):
    body = api.get("/api/v1/offers?q=zzzyzzy").get_json()
    assert (body["total"], body["pages"], body["items"]) == (0, 1, [])


def test_pages_by_relevance_neither_repeat_nor_skip(api):
    whole = [i["id"] for i in api.get("/api/v1/offers?q=barn&per_page=100").get_json()["items"]]
    assert len(whole) >= 4
    paged: list[str] = []
    for page in range(1, len(whole) + 2):
        paged += [
            i["id"]
            for i in api.get(f"/api/v1/offers?q=barn&per_page=1&page={page}").get_json()["items"]
        ]
    assert paged == whole


def test_the_free_facet_counts_every_offer_once(api):
    body = api.get("/api/v1/offers?municipality=3301").get_json()
    counts = {v["code"]: v["count"] for v in body["facets"]["free_of_charge"]}
    assert sum(counts.values()) == body["total"] == 8


# 7 May 2030 is a Tuesday.
FIRST_DAY = dt.date(2030, 5, 7)


@pytest.fixture
def terms(federation, index, index_api):
    node = federation.node("oslo", {"oslo": OSLO})
    evenings = [{"day": "tue", "opens": "18:00", "closes": "20:00"}]
    with node.builder() as builder:
        made = {
            "from": builder.publish(
                "oslo",
                name="Fra",
                timetable={"weekly": evenings, "valid_from": "2030-05-07", "dates": []},
            ),
            "until": builder.publish(
                "oslo",
                name="Til",
                timetable={"weekly": evenings, "valid_to": "2030-05-07", "dates": []},
            ),
        }
    index.trust(node)
    assert all(r.error is None and r.rejected == 0 for r in index.harvester().harvest_all())
    by_id = {node.public_id(offer): key for key, offer in made.items()}

    def found(today: dt.date) -> set[str]:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timetable, "today", lambda: today)
            answer = index_api.get("/api/v1/offers?open_on=tue&open_at=19:00")
        assert answer.status_code == 200, answer.get_json()
        return {by_id[i["id"]] for i in answer.get_json()["items"]}

    return found


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (FIRST_DAY - dt.timedelta(days=1), {"until"}),
        (FIRST_DAY, {"from", "until"}),  # both edges are days included
        (FIRST_DAY + dt.timedelta(days=1), {"from"}),
    ],
)
def test_hours_hold_from_their_first_day_to_their_last_both_included(terms, today, expected):
    assert terms(today) == expected


def test_the_etag_follows_the_day_in_oslo_and_the_counting_limit(api, monkeypatch):
    def etag() -> str:
        answer = api.get("/api/v1/offers")
        assert answer.status_code == 200
        return answer.headers["ETag"]

    monkeypatch.setattr(timetable, "today", lambda: dt.date(2030, 5, 7))
    first = etag()
    assert etag() == first
    monkeypatch.setattr(timetable, "today", lambda: dt.date(2030, 5, 8))
    second = etag()
    assert second != first
    # The day is part of the tag (a digest of it, with the limit: shared.change_count), not
    # the time it was asked: the first day again gives the first tag again.
    monkeypatch.setattr(timetable, "today", lambda: dt.date(2030, 5, 7))
    assert etag() == first
    monkeypatch.setattr(timetable, "today", lambda: dt.date(2030, 5, 8))
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 9)
    third = etag()
    assert third not in (first, second)
    # An answer still current is not sent again.
    assert api.get("/api/v1/offers", headers={"If-None-Match": third}).status_code == 304
    assert api.get("/api/v1/offers", headers={"If-None-Match": second}).status_code == 200


def test_the_embedded_search_says_more_than_beyond_the_limit(api, monkeypatch):
    # The embedded list counts without facets (found by mutation testing: a count cut at the
    # limit was shown as exact, "9 tilbud funnet." for ten offers).
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 10)
    html = api.get("/embed").get_data(as_text=True)
    assert "10 tilbud funnet." in html and "Mer enn" not in html
    assert api.get("/embed?page=2").status_code == 404  # ten offers, ten a page
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 9)
    html = api.get("/embed").get_data(as_text=True)
    assert "Mer enn 9 tilbud funnet." in html
    html = api.get("/embed?municipality=3301").get_data(as_text=True)
    assert "8 tilbud funnet." in html and "Mer enn" not in html
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 8)
    html = api.get("/embed?municipality=3301").get_data(as_text=True)
    assert "8 tilbud funnet." in html and "Mer enn" not in html
    # Words too ("mobbing" finds four offers, through a risk group's label).
    html = api.get("/embed?q=mobbing").get_data(as_text=True)
    assert "4 tilbud funnet." in html and "Mer enn" not in html
    monkeypatch.setattr(query, "EXACT_COUNT_LIMIT", 3)
    html = api.get("/embed?q=mobbing").get_data(as_text=True)
    assert "Mer enn 3 tilbud funnet." in html
