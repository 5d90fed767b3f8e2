"""Public search answers are cacheable: a weak ETag from the index's epoch and count of
changes (and the build, the counting limit, the date), a 304 to a client that has the answer
already, and a new ETag after every publication, withdrawal, redaction and bulk load, and every
day (so no client keeps an answer the index no longer gives)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bench import bulk, national
from shared import timetable
from tests.publisher.node import ORGANISATIONS

SEARCH = "/api/v1/offers?q=helsestasjon"


def _tag(response: Any) -> str:
    """The opaque part of the answer's weak ETag."""
    header = response.headers["ETag"]
    assert header.startswith('W/"') and header.endswith('"'), header
    return str(header[3:-1])


def _fresh(api: Any, etag: str, search: str = SEARCH) -> tuple[int, str]:
    response = api.get(search, headers={"If-None-Match": f'W/"{etag}"'})
    assert response.headers["Cache-Control"] == "public, max-age=60"
    return response.status_code, _tag(response)


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
    etag = _tag(first)
    assert _fresh(index_api, etag) == (304, etag)
    # Compared weakly (RFC 9110): the strong form of the same tag matches too (a proxy that
    # compresses the answer may send either), and so does a list holding it, or "*".
    for header in (f'"{etag}"', f'"other", W/"{etag}"', "*"):
        assert index_api.get(SEARCH, headers={"If-None-Match": header}).status_code == 304
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


def test_a_bulk_load_names_its_answers_anew(index, index_api) -> None:
    first = index_api.get(SEARCH)
    etag = _tag(first)
    assert _fresh(index_api, etag) == (304, etag)
    assert bulk.load(national.published_events(national.generate(30, seed=3)), index.engine) == 30
    status, after = _fresh(index_api, etag)
    assert status == 200 and after != etag
    # A new epoch: the tag's first part (the count alone could come round again).
    assert after.split("-")[0] != etag.split("-")[0]
    assert _fresh(index_api, after) == (304, after)


def test_the_tag_changes_with_the_date_in_oslo(
    index, index_api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening hours end on a date, so an answer to open_on may change at midnight in Oslo
    with nothing changed in the index."""
    search = "/api/v1/offers?open_on=mon&open_at=18:00"
    monkeypatch.setattr(timetable, "today", lambda: dt.date(2026, 12, 7))
    etag = _tag(index_api.get(search))
    assert _fresh(index_api, etag, search) == (304, etag)
    monkeypatch.setattr(timetable, "today", lambda: dt.date(2026, 12, 8))
    status, after = _fresh(index_api, etag, search)
    assert status == 200 and after != etag
    assert _fresh(index_api, after, search) == (304, after)


def test_a_bad_search_is_a_400_even_with_a_matching_tag(index, index_api) -> None:
    etag = _tag(index_api.get(SEARCH))
    for search in ("/api/v1/offers?open_on=someday", "/api/v1/offers?radius=5", SEARCH + "&x=1"):
        response = index_api.get(search, headers={"If-None-Match": f'W/"{etag}"'})
        assert response.status_code == 400, search
        assert "ETag" not in response.headers


def test_a_304_to_the_api_in_a_language_sets_no_cookie_and_stays_public(index, index_api) -> None:
    """A 304 is made as its answer is (JSON): a ?lang= remembered in a cookie is for pages
    alone, and an answer that set one would be private (shared.i18n)."""
    search = f"{SEARCH}&lang=en"
    first = index_api.get(search)
    assert "Set-Cookie" not in first.headers
    etag = _tag(first)
    again = index_api.get(search, headers={"If-None-Match": f'W/"{etag}"'})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers
    assert again.headers["Cache-Control"] == "public, max-age=60"
    assert "Content-Language" not in again.headers
