"""Every report page in Debian's Chromium, checked by axe-core for WCAG 2.1 AA."""

from __future__ import annotations

from tests.browser import assert_accessible, chromium_page, serve
from tests.reporting.conftest import NOW, PAST

PAGES = [
    "/",
    f"/pyramid?area=3301&at={NOW}",
    f"/pyramid?organisation=910000012&at={PAST}",
    f"/coverage?area=3301&at={NOW}",
    f"/duties?area=33&at={NOW}",
    f"/overlaps?area=3301&at={NOW}",
    f"/quality?area=NO&at={NOW}",
    f"/trend?area=3301&at={NOW}",
    f"/comparison?area=3301&other=3303&at={NOW}",
    f"/offers?area=3301&at={NOW}&level=2&per_page=2",
    "/pyramid?area=9999",
    "/nothing-here",
]


def test_every_report_page_passes_axe(fixture):
    with serve(fixture.app) as base, chromium_page() as page:
        for path in PAGES:
            for lang in ("nb", "nn", "en") if path.startswith("/pyramid?area=3301") else ("nb",):
                separator = "&" if "?" in path else "?"
                page.goto(f"{base}{path}{separator}lang={lang}")
                assert page.locator("h1").count() == 1, path
                assert_accessible(page)


def test_a_reader_goes_from_a_number_to_its_offers(fixture):
    with serve(fixture.app) as base, chromium_page() as page:
        page.goto(f"{base}/?lang=en")
        page.locator("#area").select_option("3301")
        page.locator("#area-at").fill(str(NOW))
        page.get_by_role("button", name="Show the reports").first.click()
        page.get_by_role("heading", name="Pyramid: Drammen").wait_for()
        page.get_by_role("link", name="Coverage").click()
        row = page.locator(
            "tr",
            has=page.get_by_role("rowheader", name="Children exposed to trauma (loss, accident)"),
        )
        row.get_by_role("link", name="2").first.click()
        page.get_by_role("heading", name="Offers: Drammen").wait_for()
        names = page.locator("tbody tr th").all_inner_texts()
        assert names == ["Sorggruppe for barn", "Sorggrupper for barn"]
