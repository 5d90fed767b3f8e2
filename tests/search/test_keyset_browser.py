"""The site's pager past the numbered pages, in Debian's Chromium: from the tenth page "Neste
side" goes by a cursor, with and without JavaScript, and each page passes axe-core's WCAG 2.1
A/AA checks."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from bench import bulk, national
from shared.db import create_engine
from tests.browser import assert_accessible, chromium_page, serve
from tests.search.conftest import make_search_app


@pytest.fixture(scope="module")
def deep_app(search_database_factory, tmp_path_factory) -> Iterator[Flask]:
    url = search_database_factory()
    engine = create_engine(url)
    try:
        bulk.load(national.published_events(national.generate(260, seed=5)), engine)
    finally:
        engine.dispose()
    app = make_search_app(url, tmp_path_factory.mktemp("keyset-browser"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.mark.parametrize("javascript", [True, False])
def test_next_page_by_cursor_from_the_tenth(deep_app: Flask, javascript: bool) -> None:
    with serve(deep_app) as base, chromium_page(javascript=javascript) as page:
        page.goto(f"{base}/sok?page=11")
        eleventh = page.locator("li.result h3 a").all_inner_texts()
        assert eleventh
        page.goto(f"{base}/sok?page=10")
        pager = page.get_by_role("navigation", name="Sider med treff")
        assert pager.get_by_role("link", name="Side 10").get_attribute("aria-current") == "page"
        if javascript:
            assert_accessible(page)
        pager.get_by_role("link", name="Neste side").click()
        page.wait_for_url(re.compile(r"/sok\?cursor="))
        assert page.locator("li.result h3 a").all_inner_texts() == eleventh
        pager = page.get_by_role("navigation", name="Sider med treff")
        assert pager.get_by_role("link", name="Side 11").get_attribute("aria-current") == "page"
        if javascript:
            assert_accessible(page)
        pager.get_by_role("link", name="Forrige side").click()
        page.wait_for_url(re.compile(r"/sok\?page=10$"))
        page.goto(f"{base}/sok?cursor=damaged")
        assert page.locator("h1").inner_text() == "Søket kunne ikke gjøres"
        if javascript:
            assert_accessible(page)


def test_a_refused_cursor_reflows_on_a_phone(deep_app: Flask) -> None:
    """The 400 page repeats what was given; a cursor is one long word, which must wrap on a
    320 px wide screen rather than scroll sideways (WCAG 1.4.10, reflow)."""
    with deep_app.test_client() as client:
        cursor = client.get("/api/v1/offers?q=barn&per_page=5").get_json()["next_cursor"]
    with serve(deep_app) as base, chromium_page(javascript=False) as page:
        page.set_viewport_size({"width": 320, "height": 640})
        page.goto(f"{base}/sok?q=foreldre&cursor={cursor}")
        assert page.locator("h1").inner_text() == "Søket kunne ikke gjøres"
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 320, wide
