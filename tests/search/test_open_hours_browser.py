"""Open now and next time on the public site in Debian's Chromium: with JavaScript off the
result and the offer page say it (rendered on the server), the weekly hours are a table with
headers; axe-core's WCAG 2.1 A/AA check on both pages."""

from __future__ import annotations

from typing import Any

from tests.browser import assert_accessible, chromium_page, serve
from tests.search.test_open_hours import MONDAY_NOON, at, opening

__all__ = ["at", "opening"]  # the fixtures: an index with timetables, and a fixed "now"


def test_open_now_and_next_time_without_javascript(opening: Any, at: Any, search_app: Any) -> None:
    _api, ids = opening
    at(MONDAY_NOON)
    with serve(search_app) as base:
        with chromium_page(javascript=False) as page:
            page.goto(f"{base}/sok?municipality=3301")
            result = page.locator("li.result").filter(has_text="Evening")
            assert result.locator(".timetable-status").inner_text() == (
                "Stengt nå. Neste gang: tirsdag 18:00"
            )
            page.get_by_role("link", name="Evening").click()
            when = page.get_by_role("region", name="Når?")
            assert when.locator(".timetable-status").inner_text() == (
                "Stengt nå. Neste gang: tirsdag 18:00"
            )
            table = when.get_by_role("table", name="Åpningstider")
            assert table.get_by_role("columnheader").all_inner_texts() == [
                "Dag",
                "Åpner",
                "Stenger",
            ]
            assert table.get_by_role("rowheader").all_inner_texts() == ["tirsdag", "torsdag"]
            page.goto(f"{base}/tilbud/{ids['night']}?lang=en")
            assert page.locator(".timetable-status").inner_text() == (
                "Closed now. Next: Friday 22:00"
            )
        with chromium_page() as page:
            page.goto(f"{base}/sok?municipality=3301")
            assert_accessible(page)
            page.goto(f"{base}/tilbud/{ids['evening']}")
            assert_accessible(page)
