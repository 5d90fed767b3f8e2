"""``/embed``: the search a municipality puts on its own web site in an iframe. Compact, for
one place, its links opening the full site in a new tab; framed only by the origins in
``EMBED_ALLOWED_ORIGINS``, while every other page stays framed by nobody."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from shared.config import ConfigError
from shared.web import CONTENT_SECURITY_POLICY
from tests.search.conftest import make_search_app
from tests.search.html import get_page, parse

DRAMMEN = "https://www.drammen.kommune.no"


@pytest.fixture(scope="module")
def framed_app(standard, tmp_path_factory) -> Iterator[Flask]:
    """The search app over the standard index, with two origins allowed to frame /embed."""
    app = make_search_app(
        standard.index.url,
        tmp_path_factory.mktemp("embed"),
        EMBED_ALLOWED_ORIGINS=f"{DRAMMEN}/, https://*.Kongsberg.kommune.no",
    )
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.fixture
def embedded(framed_app):  # type: ignore[no-untyped-def]
    return framed_app.test_client()


def test_only_the_allowed_origins_may_frame_the_embedded_search(embedded):
    response, _ = get_page(embedded, "/embed?municipality=3301")
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'",
        "frame-ancestors https://www.drammen.kommune.no https://*.kongsberg.kommune.no",
    )
    # X-Frame-Options knows no list of origins: it is left out where some may frame.
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # A search that cannot be run is still shown, framed, to the sites allowed to.
    refused, _ = get_page(embedded, "/embed?municipality=9999", status=400)
    assert refused.headers["Content-Security-Policy"] == policy


@pytest.mark.parametrize("path", ["/", "/sok?municipality=3301", "/kommune/3301", "/api/v1/offers"])
def test_every_other_page_is_framed_by_nobody(embedded, path):
    response = embedded.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'none'")
    assert response.headers["X-Frame-Options"] == "DENY"


def test_without_allowed_origins_nobody_may_frame_it(standard):
    response = standard.app.test_client().get("/embed?municipality=3301")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "origins",
    ["https://www.drammen.kommune.no/sok", "ftp://kommune.no", "*", "https://", "drammen.no"],
)
def test_an_allowed_origin_must_be_an_origin(standard, tmp_path, origins):
    with pytest.raises(ConfigError, match="EMBED_ALLOWED_ORIGINS"):
        make_search_app(standard.index.url, tmp_path, EMBED_ALLOWED_ORIGINS=origins)


def test_the_embedded_search_is_compact_and_opens_the_full_site_in_a_new_tab(embedded, standard):
    _, page = get_page(embedded, "/embed?municipality=3301&lang=nb")
    assert page.find("html")["lang"] == "nb"
    assert page.find("h1").text() == "Tilbud i Drammen"
    assert page.find("title").text() == "Tilbud i Drammen – Nettungen"
    # No site header, menu or footer: only the search, inside the municipality's page.
    assert not page.find_all("header") and not page.find_all("footer")
    assert page.find(role="status").text().startswith("8 tilbud funnet.")
    results = page.find("ol", class_="results").find_all("li", class_="result")
    assert len(results) == 8
    for result in results:
        link = result.find("h2").find("a")
        assert link["target"] == "_blank" and link["rel"] == "noopener"
        assert link["href"].startswith("/tilbud/") and "municipality=3301" in link["href"]
        assert link.find("span", class_="visually-hidden").text() == "(åpnes i en ny fane)"
    everything = page.find("p", class_="embed-more").find("a")
    assert everything["href"] == "/sok?municipality=3301&lang=nb"
    assert everything["target"] == "_blank"
    form = page.find("form")
    assert form["action"] == "/embed" and form["method"] == "get"
    hidden = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert hidden == {"municipality": "3301", "lang": "nb"}


def test_the_embedded_search_searches_and_pages_within_the_frame(embedded, monkeypatch):
    from services.search.site import embed

    _, found = get_page(embedded, "/embed?municipality=3303&q=lærevansker")
    names = [li.find("h2").find("a").text() for li in found.find_all("li", class_="result")]
    assert len(names) == 1 and names[0].startswith("PP-tjenesten i Kongsberg")
    monkeypatch.setattr(embed, "PER_PAGE", 3)
    _, first = get_page(embedded, "/embed?municipality=3301&lang=nn")
    assert first.find(role="status").text().split() == "8 tilbod funne. side 1 av 3".split()
    pager = first.find("nav", class_="pagination")
    assert [(a["href"], a.get("target")) for a in pager.find_all("a")] == [
        ("/embed?municipality=3301&page=2&lang=nn", None)
    ]
    _, beyond = get_page(embedded, "/embed?municipality=3301&page=4&lang=nn", status=404)
    back = beyond.find("main").find("a", href="/embed?municipality=3301&lang=nn")
    assert back.text() == "Gå til første side"
    _, last = get_page(embedded, "/embed?municipality=3301&page=3&lang=nn")
    assert len(last.find_all("li", class_="result")) == 2
    assert [a["href"] for a in last.find("nav", class_="pagination").find_all("a")] == [
        "/embed?municipality=3301&page=2&lang=nn"
    ]


def test_a_place_that_does_not_exist_is_named_in_the_frame(embedded):
    _, page = get_page(embedded, "/embed?municipality=9999&q=barn&lang=en", status=400)
    problem = page.find(role="alert").text()
    assert "Municipality: This is not the number of a municipality" in problem
    # What can be used is kept: the words, in the form.
    assert page.find("input", name="q")["value"] == "barn"
    assert not page.find_all("li", class_="result")


@pytest.mark.parametrize(
    "url", ["/embed?municipality=3301", "/embed?region=bufetat-sor&lang=en", "/embed?county=99"]
)
def test_the_embedded_page_is_plain_labelled_html(embedded, url):
    response = embedded.get(url, headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert "<script" not in html and "<style" not in html and " style=" not in html
    page = parse(html)
    assert page.find("html")["lang"] in ("nb", "en")
    assert len(page.find_all("h1")) == 1 and page.find("main")
    levels = [int(e.tag[1]) for e in page.iter() if e.tag in ("h1", "h2", "h3")]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False))
    ids = [e["id"] for e in page.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    field = page.find("input", type="search")
    assert page.find("label", for_=field["id"]).text() in ("Søkeord", "Search words")
    for link in page.find_all("a"):
        assert link.text()
        if link.get("target"):
            assert link["target"] == "_blank" and link["rel"] == "noopener"
