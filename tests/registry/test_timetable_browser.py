"""The offer form's opening hours and dates in Chromium with JavaScript off: rows filled in,
one more row added by a button that submits the form, saved, and shown on the offer's page as
a table; axe-core's WCAG 2.1 AA check on the form and the page (with script, for axe)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.registry.offers.models import Offer
from tests.browser import assert_accessible, chromium_page
from tests.registry.test_browser import ORGNR, log_in, node

__all__ = ["node"]  # the module's served registry, shared with tests.registry.test_browser


def _fill_the_offer(page: Any) -> None:
    page.get_by_role("combobox", name="Etat").select_option(label="Helsestasjon")
    page.get_by_label("Navn på tilbudet").fill("Ungdomskafé")
    page.get_by_label("Beskrivelse").fill("Kafé for ungdom med helsesykepleier til stede.")
    page.get_by_label("Foreldrestøttende arbeid").check()
    page.get_by_label("Tilbud til alle", exact=True).check()
    page.get_by_label("Ungdom", exact=True).check()
    page.get_by_label("Laveste alder").fill("13")
    page.get_by_label("Høyeste alder").fill("19")
    page.get_by_label("Åpent for alle").check()
    page.get_by_label("Telefon").fill("555 00 110")


def test_opening_hours_and_dates_without_javascript(node: dict[str, Any]) -> None:
    base = node["base"]
    with chromium_page(javascript=False) as page:
        log_in(page, base, "reidar@example.org")
        page.goto(f"{base}/o/{ORGNR}/offers/new")
        _fill_the_offer(page)
        weekly = page.get_by_role("group", name="Faste åpningstider hver uke", exact=True)
        assert weekly.get_by_role("group").count() == 2  # two empty rows to begin with
        page.locator("#f-timetable-weekly-0-day").select_option(label="tirsdag")
        page.locator("#f-timetable-weekly-0-opens").fill("18:00")
        page.locator("#f-timetable-weekly-0-closes").fill("20:00")
        page.locator("#f-timetable-weekly-1-day").select_option(label="torsdag")
        page.locator("#f-timetable-weekly-1-opens").fill("18:00")
        page.locator("#f-timetable-weekly-1-closes").fill("20:00")
        page.get_by_role("button", name="Legg til en rad: Faste åpningstider hver uke").click()
        # The form again, as filled in, with a third row; nothing saved yet.
        page.locator("#f-timetable-weekly-2-day").wait_for()
        assert page.locator("#f-timetable-weekly-1-opens").input_value() == "18:00"
        assert page.get_by_label("Navn på tilbudet").input_value() == "Ungdomskafé"
        page.locator("#f-timetable-weekly-2-day").select_option(label="fredag")
        page.locator("#f-timetable-weekly-2-opens").fill("22:00")
        page.locator("#f-timetable-weekly-2-closes").fill("01:00")
        page.get_by_label("Åpningstidene gjelder til").fill("2027-06-18")
        page.locator("#f-timetable-dates-0-date").fill("2027-01-12")
        page.locator("#f-timetable-dates-0-starts").fill("17:00")
        page.locator("#f-timetable-dates-0-ends").fill("19:00")
        page.get_by_role("button", name="Lagre som utkast").click()
        page.get_by_text("Tilbudet er lagret som utkast.").wait_for()
        when = page.get_by_role("region", name="Når")
        table = when.get_by_role("table", name=re.compile("Åpningstider"))
        assert table.get_by_role("columnheader").all_inner_texts() == ["Dag", "Åpner", "Stenger"]
        assert table.get_by_role("row").nth(3).inner_text().split() == [
            "fredag",
            "22:00",
            "01:00",
            "(neste",
            "dag)",
        ]
        status = when.locator(".timetable-status").inner_text()
        assert status.startswith(("Åpent nå", "Stengt nå"))
        detail = page.url
    with sessionmaker(node["engine"])() as session:
        offer = session.scalar(select(Offer).where(Offer.name == "Ungdomskafé"))
        assert [p["day"] for p in offer.timetable["weekly"]] == ["tue", "thu", "fri"]
        assert offer.timetable["dates"] == [
            {"date": "2027-01-12", "starts": "17:00", "ends": "19:00"}
        ]
        assert offer.timetable["valid_to"] == "2027-06-18"
    with chromium_page() as page:
        log_in(page, base, "reidar@example.org")
        page.goto(detail)
        assert_accessible(page)
        page.goto(f"{base}/o/{ORGNR}/offers/new")
        page.locator("#f-timetable-weekly-0-day").select_option(label="tirsdag")
        page.get_by_role("button", name="Legg til en rad: Datoer").click()
        page.locator("#f-timetable-dates-1-date").wait_for()
        assert_accessible(page)
