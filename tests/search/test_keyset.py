"""Keyset pagination: a search walked page after page by its cursors gives every offer once, in
the order the numbered pages give them, and a cursor is refused by any other search.

A small national federation (:mod:`bench.national`) is bulk-loaded once; hypothesis builds
searches of every order (by name, by relevance, by distance) with filters and page sizes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bench import bulk, national
from shared.db import create_engine
from tests.search.conftest import make_search_app

OFFERS = 240
OSLO, UTSIRA, DRAMMEN = "0301", "1151", "3301"


@pytest.fixture(scope="module")
def keyset_app(search_database_factory, tmp_path_factory) -> Iterator[Flask]:
    url = search_database_factory()
    engine = create_engine(url)
    try:
        bulk.load(national.published_events(national.generate(OFFERS, seed=5)), engine)
    finally:
        engine.dispose()
    app = make_search_app(url, tmp_path_factory.mktemp("keyset"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


def _get(app: Flask, search: str) -> dict[str, Any]:
    response = app.test_client().get(f"/api/v1/offers?facets=false&{search}")
    assert response.status_code == 200, (search, response.get_json())
    return response.get_json()


searches = st.builds(
    lambda words, place, level, near, per_page: "&".join(
        part
        for part in (
            f"q={words}" if words else "",
            f"municipality={place}" if place else "",
            f"level={level}" if level else "",
            "near=59.74,10.20" if near else "",
            f"per_page={per_page}",
        )
        if part
    ),
    st.sampled_from(["", "barn", "foreldre", "kurs", "psykisk helse", "samtale"]),
    st.sampled_from(["", OSLO, UTSIRA, DRAMMEN]),
    st.sampled_from([None, 1, 2]),
    st.booleans(),
    st.integers(min_value=4, max_value=40),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
@given(search=searches)
def test_cursors_walk_the_numbered_pages_without_repeating_or_skipping(
    keyset_app: Flask, search: str
) -> None:
    first = _get(keyset_app, search)
    total, per_page = first["total"], first["per_page"]
    assert first["total_exact"]
    by_number = [item["id"] for item in first["items"]]
    for number in range(2, first["pages"] + 1):
        by_number += [item["id"] for item in _get(keyset_app, f"{search}&page={number}")["items"]]
    by_cursor, answer, pages = [item["id"] for item in first["items"]], first, [1]
    while answer["next_cursor"] is not None:
        # A walk that repeats pages fails here instead of running for ever.
        assert len(pages) < first["pages"], (search, pages)
        answer = _get(keyset_app, f"{search}&cursor={answer['next_cursor']}")
        assert 0 < len(answer["items"]) <= per_page
        by_cursor += [item["id"] for item in answer["items"]]
        pages.append(answer["page"])
    assert len(by_number) == total == len(set(by_number))
    assert by_cursor == by_number
    assert pages == list(range(1, first["pages"] + 1))


def test_a_cursor_goes_past_the_numbered_pages_depth(keyset_app: Flask) -> None:
    """Page numbers stop at the first 10,000 offers (page × per_page); a cursor does not."""
    from services.search.api import schemas

    deep = _get(keyset_app, "per_page=100&page=2")
    assert deep["next_cursor"] is not None
    original = schemas.MAX_DEPTH
    schemas.MAX_DEPTH = 100
    try:
        client = keyset_app.test_client()
        assert client.get("/api/v1/offers?per_page=100&page=2").status_code == 400
        first = _get(keyset_app, "per_page=100")
        after = _get(keyset_app, f"per_page=100&cursor={first['next_cursor']}")
    finally:
        schemas.MAX_DEPTH = original
    assert after["page"] == 2 and [i["id"] for i in after["items"]] == [
        i["id"] for i in deep["items"]
    ]


def _tampered(cursor: str, change: Any) -> str:
    body = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    change(body)
    text = json.dumps(body, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def test_a_cursor_of_another_search_or_damaged_is_a_400_naming_it(keyset_app: Flask) -> None:
    words = _get(keyset_app, "q=barn&per_page=5")["next_cursor"]
    plain = _get(keyset_app, "per_page=5")["next_cursor"]
    assert words and plain
    client = keyset_app.test_client()
    refused = [
        f"q=foreldre&cursor={words}",  # another search's
        f"cursor={words}",  # the same words missing
        f"q=barn&municipality={OSLO}&cursor={words}",  # a filter added
        f"q=barn&cursor={plain}",  # another order's
        f"q=barn&cursor={words}&page=3",  # with a page
        "cursor=not-a-cursor",
        "cursor=" + "A" * 2000,
        "cursor=W10",  # "[]"
        "q=barn&cursor=" + _tampered(words, lambda b: b[4].__setitem__(0, "high")),
        "q=barn&cursor=" + _tampered(words, lambda b: b[4].pop()),
        "q=barn&cursor=" + _tampered(words, lambda b: b.__setitem__(1, 0)),
        "cursor=" + _tampered(plain, lambda b: b[4].__setitem__(1, -1)),
        "cursor=" + _tampered(plain, lambda b: b.__setitem__(0, 2)),
    ]
    for search in refused:
        response = client.get(f"/api/v1/offers?{search}")
        assert response.status_code == 400, search
        body = response.get_json()
        assert "cursor" in json.dumps(body), (search, body)
    # The site says it on its page, with the same status.
    page = client.get(f"/sok?q=foreldre&cursor={words}")
    assert page.status_code == 400
    assert "cursor" in page.get_data(as_text=True)
    # The cursor itself, with its own search, is fine on both.
    assert client.get(f"/api/v1/offers?q=barn&per_page=5&cursor={words}").status_code == 200
    assert client.get(f"/sok?q=barn&cursor={words}").status_code == 200


def test_the_site_links_deep_next_pages_by_cursor(keyset_app: Flask) -> None:
    """Numbered pages up to the tenth; from there "next page" goes by a cursor, and the page it
    gives is the numbered page's."""
    client = keyset_app.test_client()
    tenth = client.get("/sok?per_page=20&page=10".replace("per_page=20&", "")).get_data(
        as_text=True
    )
    assert 'rel="next"' in tenth
    link = tenth.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert "cursor=" in link and "page=" not in link
    eleventh = client.get(link.replace("&amp;", "&"))
    assert eleventh.status_code == 200
    numbered = client.get("/sok?page=11").get_data(as_text=True)

    def names(html: str) -> list[str]:
        return [part.split('"')[0] for part in html.split('href="/tilbud/')[1:]]

    assert names(eleventh.get_data(as_text=True)) == names(numbered)
    assert names(numbered)


def _keyed(cursor: str, index: int, value: Any) -> str:
    return _tampered(cursor, lambda b: b[4].__setitem__(index, value))


def test_a_hostile_key_in_a_well_formed_cursor_is_a_400_never_a_500(keyset_app: Flask) -> None:
    """A cursor holds no secret: anyone can rebuild one with the search's digest and put any
    JSON in its key. Values no database can bind or compare (a NUL or a lone surrogate in the
    name, a number past what the column holds) are refused like any damaged cursor."""
    words = _get(keyset_app, "q=barn&per_page=5")["next_cursor"]
    plain = _get(keyset_app, "per_page=5")["next_cursor"]
    near = _get(keyset_app, "near=59.74,10.20&per_page=5")["next_cursor"]
    assert words and plain and near
    hostile = [
        "cursor=" + _keyed(plain, 0, "a\u0000b"),
        "cursor=" + _keyed(plain, 0, "\ud800"),
        "q=barn&cursor=" + _keyed(words, 1, "\udfff x"),
        "q=barn&cursor=" + _keyed(words, 0, 10**400),
        "q=barn&cursor=" + _keyed(words, 0, 10**31),
        "q=barn&cursor=" + _keyed(words, 0, 1e300),
        "q=barn&cursor=" + _keyed(words, 0, -1e300),
        "q=barn&cursor=" + _keyed(words, 0, 1e-300),
        "near=59.74,10.20&cursor=" + _keyed(near, 1, -(10**31)),
        "near=59.74,10.20&cursor=" + _keyed(near, 1, 10**400),
    ]
    client = keyset_app.test_client()

    def status(path: str) -> tuple[int, str]:
        try:
            response = client.get(path)
        except Exception as error:  # the test app propagates what would be a 500
            return 500, type(error).__name__
        return response.status_code, response.get_data(as_text=True)

    answers = {}
    for search in hostile:
        (api, body), (site, _) = status(f"/api/v1/offers?{search}"), status(f"/sok?{search}")
        answers[search] = (api, site, "cursor" in body)
    assert answers == {search: (400, 400, True) for search in hostile}
    # A whole number past SQLite's integers but within range is a rank or distance like any
    # other (as a float): the page after it, here none.
    far = _get(keyset_app, "near=59.74,10.20&cursor=" + _keyed(near, 1, 10**19))
    assert far["items"] == [] and far["next_cursor"] is None


def test_the_tables_take_no_cursor(keyset_app: Flask) -> None:
    """The open-data tables have no pages: a cursor is an unknown parameter there, as page is,
    and their API document does not offer one."""
    plain = _get(keyset_app, "per_page=5")["next_cursor"]
    client = keyset_app.test_client()
    for table in ("/offers.csv", "/offers.xlsx"):
        assert client.get(f"{table}?page=2").status_code == 400
        assert client.get(f"{table}?cursor={plain}").status_code == 400, table
    document = client.get("/openapi.json").get_json()
    for table in ("/offers.csv", "/offers.xlsx"):
        names = [p["name"] for p in document["paths"][table]["get"].get("parameters", [])]
        assert "page" not in names and "cursor" not in names, (table, names)


def test_a_cursor_of_any_form_within_its_length_is_a_400(keyset_app: Flask) -> None:
    """What is not JSON of a cursor's shape, however nested, long-numbered or escaped, is the
    400 naming cursor."""
    bodies = [
        b"[" * 750,
        b"[" * 374 + b"]" * 374,
        b"9" * 750,
        b'"' + b"\\ud800" * 100 + b'"',
        b'[1,1,"x","name",[' + b"9" * 700 + b"]]",
        b"\xff\xfe" * 300,
    ]
    client = keyset_app.test_client()
    for body in bodies:
        cursor = base64.urlsafe_b64encode(body).decode().rstrip("=")[:1000]
        response = client.get(f"/api/v1/offers?cursor={cursor}")
        assert response.status_code == 400, body[:20]
        assert "cursor" in json.dumps(response.get_json()), body[:20]


def names_of(client: Any, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.get_data(as_text=True)
    return [part.split('"')[0] for part in html.split('href="/tilbud/')[1:]]


def test_the_embedded_search_follows_a_cursor_too(keyset_app: Flask) -> None:
    """/embed reads the site's parameters: a cursor gives the page after it there as well,
    not the first page again."""
    client = keyset_app.test_client()
    per_page = len(names_of(client, f"/embed?municipality={OSLO}"))
    cursor = _get(keyset_app, f"municipality={OSLO}&per_page={per_page}")["next_cursor"]
    assert cursor

    second = names_of(client, f"/embed?municipality={OSLO}&page=2")
    assert second and names_of(client, f"/embed?municipality={OSLO}&cursor={cursor}") == second
