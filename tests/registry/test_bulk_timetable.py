"""Bulk mapping: opening hours, dates and the reason for no contact in the workbook."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.registry.offers.models import Offer
from tests.registry.pages import sign_in, text_of
from tests.registry.test_bulk_pages import GOOD, template, upload


def _fill(book, columns, rows):
    sheet = book["Tilbud"]
    for number, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=number, column=columns[header], value=value)


def test_the_template_has_the_timetable_columns_with_notes(client, db, world):
    sign_in(client, db, "a_registrar")
    book, columns = template(client)
    for header in (
        "Faste åpningstider hver uke",
        "Åpningstidene gjelder fra",
        "Åpningstidene gjelder til",
        "Datoer",
        "Hvorfor det ikke er noen måte å komme i kontakt på",
    ):
        assert header in columns
    note = book["Tilbud"].cell(row=1, column=columns["Faste åpningstider hver uke"]).comment
    assert "tirsdag 18:00-20:00; fredag 22:00-02:00" in note.text


def test_hours_and_dates_are_read_from_cells(client, db, world):
    token = sign_in(client, db, "a_registrar")
    book, columns = template(client)
    rows = [
        {
            **GOOD,
            "Faste åpningstider hver uke": "tirsdag 18:00-20:00; fre 22.00–02.00",
            "Åpningstidene gjelder fra": dt.datetime(2026, 8, 17),  # a date cell
            "Åpningstidene gjelder til": "18.12.2026",
            "Datoer": "2026-09-01 17:30-19:30",
            "Hvorfor det ikke er noen måte å komme i kontakt på": (
                "Bare etter henvisning, for eksempel fra fastlege, helsestasjon eller barnevern"
            ),
        },
        {**GOOD, "Navn på tilbudet": "Feil tid", "Faste åpningstider hver uke": "tirsdager"},
        {**GOOD, "Navn på tilbudet": "Feil dato", "Datoer": "2026-02-30 18:00-20:00"},
    ]
    _fill(book, columns, rows)
    response = upload(client, token, book)
    assert response.status_code == 200, text_of(response)
    page = text_of(response)
    assert "1 tilbud ble utkast. 2 rad(er) ble ikke importert." in page
    assert (
        "3 Faste åpningstider hver uke Skriv dager og klokkeslett slik: tirsdag 18:00-20:00; "
        "fredag 22:00-02:00." in page
    )
    assert "4 Datoer Skriv datoen som ÅÅÅÅ-MM-DD." in page
    offer = db.scalar(select(Offer).where(Offer.name == GOOD["Navn på tilbudet"]))
    assert offer.timetable == {
        "weekly": [
            {"day": "tue", "opens": "18:00", "closes": "20:00"},
            {"day": "fri", "opens": "22:00", "closes": "02:00"},
        ],
        "valid_from": "2026-08-17",
        "valid_to": "2026-12-18",
        "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
    }
    assert offer.no_contact_reason == "referral_only"
