"""The public site in Debian's Chromium, with axe-core's WCAG 2.1 A/AA checks: on a phone the
first results come before the filters, which open from a "Filtrer" disclosure by touch or
keyboard, with or without JavaScript; on a wide screen the filters are a side column; a region's
overview; and the embeddable search inside an iframe, whose links open the full site in a new
tab."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.browser import CHROMIUM, CHROMIUM_ARGS, assert_accessible, chromium_page, serve
from tests.search.conftest import make_search_app

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return box


def test_on_a_phone_the_results_come_first_and_the_filters_open_by_keyboard(standard):
    with serve(standard.app) as base, chromium_page() as page:
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/sok?municipality=3301")
        disclosure = page.locator("details.filters")
        summary = disclosure.locator("summary")
        assert summary.inner_text() == "Filtrer"
        assert summary.is_visible()
        assert not page.get_by_role("group", name="Nivå i pyramiden").is_visible()
        # The first result is on the first screen, right below the closed disclosure.
        first = page.locator("li.result").first
        assert _box(first)["y"] < PHONE["height"]
        assert _box(first)["y"] > _box(summary)["y"]
        assert_accessible(page)

        summary.focus()
        page.keyboard.press("Enter")
        assert disclosure.get_attribute("open") is not None
        level = page.get_by_role("group", name="Nivå i pyramiden")
        assert level.is_visible()
        assert_accessible(page)
        page.get_by_role("checkbox", name=re.compile("^Tilbud til de som trenger")).check()
        page.get_by_role("button", name="Bruk filtrene").click()
        page.wait_for_url(re.compile(r"level=2"))
        # Closed again, saying how many filters are chosen; the results first again.
        assert page.locator("details.filters summary").inner_text() == "Filtrer (1 valgt)"
        assert _box(page.locator("li.result").first)["y"] < PHONE["height"]

        page.goto(f"{base}/sok?municipality=3301&lang=en")
        assert page.locator("details.filters summary").inner_text() == "Filter"
        page.goto(f"{base}/sok?municipality=3301&lang=nn")
        assert page.locator("details.filters summary").inner_text() == "Filtrer"


def test_the_disclosure_works_without_javascript(standard):
    with serve(standard.app) as base, chromium_page(javascript=False) as page:
        page.set_viewport_size(PHONE)
        page.goto(f"{base}/sok?municipality=3301")
        level = page.get_by_role("group", name="Nivå i pyramiden")
        assert not level.is_visible()
        page.locator("details.filters summary").click()
        assert level.is_visible()
        page.get_by_role("checkbox", name=re.compile("^Tilbud til alle")).check()
        page.get_by_role("button", name="Bruk filtrene").click()
        page.wait_for_url(re.compile(r"level=1"))
        levels = page.locator("li.result .tag").all_inner_texts()
        assert levels and all(text.startswith("Nivå 1") for text in levels)


def test_on_a_wide_screen_the_filters_are_a_column_beside_the_results(standard):
    with serve(standard.app) as base, chromium_page() as page:
        page.set_viewport_size(DESKTOP)
        page.goto(f"{base}/sok?municipality=3301&diagnosis_group=adhd")
        assert not page.locator("details.filters summary").is_visible()
        diagnosis = page.get_by_role("group", name="Diagnosegruppe")
        assert diagnosis.is_visible()
        assert page.get_by_role("checkbox", name=re.compile("^ADHD")).is_checked()
        results = page.locator("section.results-area")
        assert _box(diagnosis)["x"] + _box(diagnosis)["width"] <= _box(results)["x"]
        assert page.locator("li.result h3").all_inner_texts() == ["Foreldrekurs: De utrolige årene"]
        assert_accessible(page)


def test_a_region_overview(standard):
    with serve(standard.app) as base, chromium_page() as page:
        page.goto(f"{base}/region/bufetat-sor?lang=nn")
        assert page.locator("h1").inner_text() == "Tilbod i Bufetat, region sør"
        assert_accessible(page)
        page.get_by_role("link", name="Buskerud", exact=True).click()
        page.wait_for_url(re.compile(r"/fylke/33"))
        assert page.get_by_role("link", name="Helse Sør-Aust").is_visible()
        assert_accessible(page)


def _host_app(pages: dict[str, str]) -> Flask:
    """A municipality's web site: one page that frames the embedded search."""
    host = Flask("municipality_site")

    @host.get("/")
    def front() -> str:
        return (
            '<!doctype html><html lang="nb"><head><title>Drammen kommune</title></head>'
            f'<body><main><h1>Drammen kommune</h1><iframe src="{pages["embed"]}" '
            'title="Tilbud for barn og unge" width="360" height="600"></iframe></main></body>'
            "</html>"
        )

    return host


def test_the_embedded_search_in_an_iframe_of_an_allowed_site(standard, tmp_path):
    embed: dict[str, str] = {}
    with serve(_host_app(embed)) as allowed, serve(_host_app(embed)) as other:
        app = make_search_app(standard.index.url, tmp_path, EMBED_ALLOWED_ORIGINS=allowed)
        try:
            with serve(app) as base:
                embed["embed"] = f"{base}/embed?municipality=3301"
                with chromium_page() as page:
                    page.goto(embed["embed"])
                    assert_accessible(page)
                _search_in_the_frame(allowed, other)
        finally:
            app.extensions["nettungen.db"].engine.dispose()


def _search_in_the_frame(allowed: str, other: str) -> None:
    """With the browser's own policy enforcement on (no CSP bypass, no axe): the allowed site
    frames the search, whose links open the full site in a new tab; another site cannot."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_context(locale="nb-NO").new_page()
            page.set_default_timeout(15_000)
            page.goto(other)
            page.wait_for_load_state("load")
            blocked = page.frames[-1]
            assert blocked.url.startswith("chrome-error:"), blocked.url
            assert page.frame_locator("iframe").get_by_text("Tilbud i Drammen").count() == 0
            page.goto(allowed)
            frame = page.frame_locator("iframe")
            assert frame.locator("h1").inner_text() == "Tilbud i Drammen"
            frame.get_by_label("Søkeord").fill("leksehjelp")
            frame.get_by_label("Søkeord").press("Enter")
            link = frame.get_by_role("link", name=re.compile("^Leksehjelp for alle"))
            link.wait_for()
            # The link is on the unfiltered page too: wait for the search's own answer.
            expect(frame.locator("li.result")).to_have_count(1)
            with page.context.expect_page() as opened:
                link.click()
            full = opened.value
            full.wait_for_load_state()
            assert re.search(r"/tilbud/[^?]+\?municipality=3301", full.url)
            assert full.locator("h1").inner_text() == "Leksehjelp for alle"
            # The municipality's page stays where it was.
            assert page.url.rstrip("/") == allowed
        finally:
            browser.close()
