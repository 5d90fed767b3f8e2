"""A family's way through the public site in Debian's Chromium, with axe-core's WCAG 2.1 A/AA
checks on every page it visits: choose a municipality and search on the front page, apply a
filter, open an offer, switch to nynorsk; then the overviews, the error pages, and the same
search by keyboard alone. One served app and one browser for all of it."""

from __future__ import annotations

import re

from tests.browser import assert_accessible, chromium_page, serve


def test_a_family_finds_an_offer_in_their_municipality(standard):
    with serve(standard.app) as base, chromium_page() as page:
        page.goto(f"{base}/")
        assert page.locator("html").get_attribute("lang") == "nb"
        assert_accessible(page)

        page.get_by_label("Kommune", exact=True).select_option(label="Drammen")
        page.get_by_label("Søkeord").fill("barn")
        page.get_by_role("button", name="Søk", exact=True).click()
        page.wait_for_url(re.compile(r"/sok\?municipality=3301&q=barn$"))
        assert page.locator("h1").inner_text() == "Tilbud i Drammen"
        found = page.get_by_role("status").inner_text()
        assert re.match(r"\d+ tilbud funnet\.", found), found
        everything = page.locator("li.result").count()
        assert everything > 1
        assert_accessible(page)

        page.get_by_role("checkbox", name=re.compile("^Tilbud til de som trenger")).check()
        page.get_by_role("button", name="Bruk filtrene").click()
        page.wait_for_url(re.compile(r"level=2"))
        levels = page.locator("li.result .tag").all_inner_texts()
        assert levels and all(text.startswith("Nivå 2") for text in levels)
        assert len(levels) < everything
        assert page.get_by_role("checkbox", name=re.compile("^Tilbud til de som")).is_checked()
        assert_accessible(page)

        first = page.locator("li.result h3 a").first
        name = first.inner_text()
        first.click()
        page.wait_for_url(re.compile(r"/tilbud/"))
        assert page.locator("h1").inner_text() == name
        assert page.get_by_role("heading", name="Hvem er tilbudet for?").is_visible()
        assert_accessible(page)

        page.get_by_role("link", name="Nynorsk").click()
        page.wait_for_url(re.compile(r"lang=nn"))
        assert page.locator("html").get_attribute("lang") == "nn"
        assert page.locator("h1").inner_text() == name
        assert page.get_by_role("heading", name="Kven er tilbodet for?").is_visible()
        assert_accessible(page)

        # The language stays chosen on the next pages.
        # (The county and organisation overviews share the municipality's markup, and an
        # empty result the results' markup; axe's colour check costs a second a page.)
        for path in ("/kommune/3301", "/sok?municipality=9999", "/tilbud/finst-ikkje"):
            page.goto(f"{base}{path}")
            assert page.locator("html").get_attribute("lang") == "nn"
            assert page.locator("h1").count() == 1
            assert_accessible(page)

        # And by keyboard alone: the skip link first, with a visible focus, then the search.
        page.goto(f"{base}/sok?lang=en")
        page.keyboard.press("Tab")
        skip = page.locator(":focus")
        assert skip.inner_text() == "Skip to the content"
        assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
        page.keyboard.press("Enter")
        assert page.evaluate("location.hash") == "#main"
        page.get_by_label("Search words").fill("leksehjelp")
        page.get_by_label("Search words").press("Enter")
        page.wait_for_url(re.compile(r"q=leksehjelp"))
        assert page.locator("li.result h3").all_inner_texts() == ["Leksehjelp for alle"]


def test_the_nodes_page_is_accessible_in_every_language(standard):
    with serve(standard.app) as base, chromium_page() as page:
        for lang in ("nb", "nn", "en"):
            page.goto(f"{base}/noder?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").count() == 1
            assert page.locator("h3").count() == 3  # one per node
            assert_accessible(page)
