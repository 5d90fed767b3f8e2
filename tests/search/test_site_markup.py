"""Every kind of page on the public site is sound HTML for assistive technology and runs under
the strict content security policy: landmarks, one h1, a skip link, labelled fields, legends,
no inline style or script."""

from __future__ import annotations

from collections import Counter

import pytest

from shared.web import CONTENT_SECURITY_POLICY
from tests.search.html import Element, get_page

PAGES = [
    ("/", 200),
    ("/sok?municipality=3301", 200),
    ("/sok?q=foreldre&level=2&free=true&age=5", 200),
    ("/sok?municipality=3301&level=1&risk_group=trauma", 200),
    # Words are shown back escaped, never as markup.
    ('/sok?q=<script>alert(1)</script>"><b>', 200),
    ("/sok?q=x&organisation=<style>", 400),
    ("/sok?level=9&municipality=1", 400),
    ("/sok?page=40", 404),
    ("/tilbud/{helsestasjon}", 200),
    ("/tilbud/{familievern}?municipality=3301", 200),
    ("/tilbud/{nedlagt}", 404),
    ("/kommune/3301", 200),
    ("/fylke/33", 200),
    ("/region/bufetat-sor", 200),
    ("/region/helse-vest?lang=nb", 200),
    ("/sok?region=helse-sor-ost&diagnosis_group=adhd", 200),
    ("/organisasjon/910000012", 200),
    ("/noder", 200),
    ("/nowhere", 404),
]
FORM_CONTROLS = ("input", "select", "textarea")
MAP_POLICY = CONTENT_SECURITY_POLICY.replace(
    "img-src 'self' data:", "img-src 'self' data: https://cache.kartverket.no"
)
OUR_SCRIPTS = ("/assets/site_map.js", "/kart/leaflet.js")


@pytest.fixture(scope="module")
def pages(standard):  # type: ignore[no-untyped-def]
    client = standard.app.test_client()
    visited = {}
    for url, status in PAGES:
        response, page = get_page(client, url.format(**standard.ids), status=status)
        visited[url] = (response, page)
    return visited


@pytest.mark.parametrize("url", [url for url, _ in PAGES])
def test_page_runs_under_the_strict_content_security_policy(pages, url):
    response, page = pages[url]
    # The site's own pages may show the map's tiles (Kartverket's by default), and only those.
    expected = CONTENT_SECURITY_POLICY if url in ("/noder", "/nowhere") else MAP_POLICY
    assert response.headers["Content-Security-Policy"] == expected
    assert "unsafe-inline" not in expected
    html = response.get_data(as_text=True)
    assert "<style" not in html
    # Scripts are our own files, or data (the map's points) that nothing runs.
    for script in page.find_all("script"):
        if "src" in script.attrs:
            assert script["src"] in OUR_SCRIPTS and not script.text(), script
        else:
            assert script["type"] == "application/json", script
    for element in page.iter():
        assert "style" not in element.attrs, element
        assert not [name for name in element.attrs if name.startswith("on")], element
        if element.tag == "a":
            assert not element["href"].startswith("javascript:"), element
    stylesheets = page.find_all("link", rel="stylesheet")
    assert [s["href"] for s in stylesheets] == ["/assets/nettungen.css"]


@pytest.mark.parametrize("url", [url for url, _ in PAGES])
def test_page_has_landmarks_one_h1_a_title_and_a_skip_link(pages, url):
    _, page = pages[url]
    html = page.find("html")
    assert html["lang"] == "nb"
    assert page.find("title").text().endswith(" – Nettungen")
    assert len(page.find_all("h1")) == 1
    main = page.find("main")
    assert main["id"] == "main"
    first_link = page.find("body").find_all("a")[0]
    assert first_link["href"] == "#main" and first_link.text()
    assert page.find("header", class_="site-header")
    assert page.find("footer")
    for nav in page.find_all("nav"):
        assert nav.get("aria-label") or nav.get("aria-labelledby"), nav
    ids = Counter(e["id"] for e in page.iter() if "id" in e.attrs)
    assert not [i for i, n in ids.items() if n > 1]
    for link in page.find_all("a"):
        assert link.text(), link


@pytest.mark.parametrize("url", [url for url, _ in PAGES])
def test_headings_do_not_skip_levels(pages, url):
    _, page = pages[url]
    levels = [int(e.tag[1]) for e in page.iter() if e.tag in ("h1", "h2", "h3", "h4")]
    assert levels[0] == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def _labelled(page: Element, control: Element) -> bool:
    if control.get("aria-label") or control.get("aria-labelledby"):
        return True
    return bool(control.get("id")) and bool(page.find_all("label", for_=control["id"]))


@pytest.mark.parametrize("url", [url for url, _ in PAGES])
def test_every_field_is_labelled_and_every_group_has_a_legend(pages, url):
    _, page = pages[url]
    for control in (e for e in page.iter() if e.tag in FORM_CONTROLS):
        if control.get("type") in ("hidden", "submit"):
            continue
        assert _labelled(page, control), control
    for fieldset in page.find_all("fieldset"):
        first = next(c for c in fieldset.children if isinstance(c, Element))
        assert first.tag == "legend" and first.text()
    for form in page.find_all("form"):
        assert form["method"] == "get"


def test_results_and_their_count_are_announced(pages):
    _, page = pages["/sok?municipality=3301"]
    status = page.find(role="status")
    assert status.text().startswith("8 tilbud funnet.")
    assert page.find("title").text().startswith("8 tilbud – Tilbud i Drammen")
    assert page.find("div", role="search")
    # The filters are a disclosure ("Filtrer"), closed until opened (the stylesheet shows
    # it as a side column on a wide screen), with one group per facet that has values.
    filters = page.find("details", class_="filters")
    assert "open" not in filters.attrs
    assert filters.find("summary").text() == "Filtrer"
    assert len(filters.find_all("fieldset")) >= 8
    _, filtered = pages["/sok?municipality=3301&level=1&risk_group=trauma"]
    summary = filtered.find("details", class_="filters").find("summary")
    assert summary.text().split() == ["Filtrer", "(2", "valgt)"]
    results = page.find("section", aria_labelledby="results-heading")
    assert results.find("ol", class_="results")


def test_levels_are_told_in_words_not_colour_alone(pages):
    _, results = pages["/sok?municipality=3301"]
    tags = results.find_all("span", class_="tag")
    assert len(tags) == 8
    for tag in tags:
        assert tag.text().startswith("Nivå ")
    _, page = pages["/kommune/3301"]
    for li in page.find("ol", class_="pyramid").find_all("li"):
        assert li.text().startswith("Nivå ")
