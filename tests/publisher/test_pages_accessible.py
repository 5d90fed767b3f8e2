"""The publisher's HTML offer pages pass axe-core's WCAG 2.1 AA checks in Chromium."""

from __future__ import annotations

from tests.browser import assert_accessible, chromium_page, serve


def test_offer_pages_are_accessible(publisher_app, offer_ids):
    with serve(publisher_app) as base, chromium_page() as page:
        for name in ("helsestasjon", "foreldrekurs", "familievern"):
            page.goto(f"{base}/offers/{offer_ids[name]}")
            assert page.locator("h1").inner_text()
            assert_accessible(page)


def test_the_landing_page_is_accessible_in_every_language(publisher_app):
    with serve(publisher_app) as base, chromium_page() as page:
        for lang in ("nb", "nn", "en"):
            page.goto(f"{base}/?lang={lang}")
            assert page.locator("h1").inner_text()
            assert page.locator("html").get_attribute("lang") == lang
            assert_accessible(page)
