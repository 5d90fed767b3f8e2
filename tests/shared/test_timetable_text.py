"""A timetable in words: the pages' "open now / next time" and tables, and spreadsheet cells."""

from __future__ import annotations

import datetime as dt

import pytest

from shared.timetable_text import CellError, dates_text, parse_dates, parse_weekly, weekly_text
from shared.timetable_view import view

TIMETABLE = {
    "weekly": [
        {"day": "fri", "opens": "22:00", "closes": "02:00"},
        {"day": "tue", "opens": "18:00", "closes": "20:00"},
    ],
    "valid_from": "2026-08-17",
    "valid_to": "2026-12-18",
    "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
}


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("at", "lang", "expected"),
    [
        # Monday 7 December 2026 13:00 in Oslo: next is Tuesday 18:00.
        (utc(2026, 12, 7, 12, 0), "nb", "Stengt nå. Neste gang: tirsdag 18:00"),
        (utc(2026, 12, 7, 12, 0), "nn", "Stengt no. Neste gong: tysdag 18:00"),
        (utc(2026, 12, 7, 12, 0), "en", "Closed now. Next: Tuesday 18:00"),
        (utc(2026, 12, 8, 17, 30), "nb", "Åpent nå, til 20:00"),
        (utc(2026, 12, 8, 17, 30), "nn", "Ope no, til 20:00"),
        (utc(2026, 12, 11, 22, 0), "nb", "Åpent nå"),  # Friday 23:00, until 02:00 the next day
        (utc(2026, 12, 11, 22, 0), "en", "Open now"),
        (utc(2026, 12, 19, 12, 0), "nb", "Stengt nå"),  # after valid_to, nothing ahead
    ],
)
def test_open_now_or_next_time(at, lang, expected):
    assert view(TIMETABLE, at, lang).status == expected


def test_next_time_further_than_a_week_names_the_date():
    later = {"weekly": [], "dates": [{"date": "2027-01-12", "starts": "18:00", "ends": "20:00"}]}
    assert view(later, utc(2026, 12, 7, 12, 0), "nb").status == (
        "Stengt nå. Neste gang: tirsdag 12.01.2027 18:00"
    )


def test_tables_are_in_week_order_with_the_next_day_said():
    shown = view(TIMETABLE, utc(2026, 12, 7, 12, 0), "nb")
    assert shown.weekly == [
        ("tirsdag", "18:00", "20:00"),
        ("fredag", "22:00", "02:00 (neste dag)"),
    ]
    assert shown.dates == [("01.09.2026", "17:30", "19:30")]
    assert shown.validity == "Gjelder fra 17.08.2026 til 18.12.2026"
    assert shown.labels["opens"] == "Åpner"


def test_nothing_structured_shows_nothing():
    assert view(None, utc(2026, 12, 7, 12, 0), "nb") is None
    assert view({"weekly": [], "dates": []}, utc(2026, 12, 7, 12, 0), "nb") is None


def test_cells_are_written_and_read_back():
    assert weekly_text(TIMETABLE["weekly"]) == "fri 22:00-02:00; tue 18:00-20:00"
    assert weekly_text(TIMETABLE["weekly"], "nn") == "fredag 22:00-02:00; tysdag 18:00-20:00"
    assert parse_weekly("fri 22:00-02:00; tue 18:00-20:00") == TIMETABLE["weekly"]
    assert dates_text(TIMETABLE["dates"]) == "2026-09-01 17:30-19:30"
    assert parse_dates("2026-09-01 17:30-19:30") == TIMETABLE["dates"]


@pytest.mark.parametrize(
    "text",
    ["tirsdag 18:00-20:00", "Tir 18.00–20.00", "tys 18:00 - 20:00", "Tuesday 18:00-20:00"],
)
def test_a_day_is_read_by_its_name_in_any_language(text):
    assert parse_weekly(text) == [{"day": "tue", "opens": "18:00", "closes": "20:00"}]


@pytest.mark.parametrize("text", ["tirsdager 18-20", "18:00-20:00", "tue 18:00"])
def test_what_is_not_a_period_is_refused(text):
    with pytest.raises(CellError):
        parse_weekly(text)


def test_the_open_data_table_has_the_hours_in_columns():
    from shared import offer_table

    document = {"timetable": TIMETABLE}
    read = {name: reader for name, _what, reader in offer_table.COLUMNS}
    assert read["opening_hours"](document) == "fri 22:00-02:00; tue 18:00-20:00"
    assert read["opening_hours_from"](document) == "2026-08-17"
    assert read["opening_hours_to"](document) == "2026-12-18"
    assert read["dates"](document) == "2026-09-01 17:30-19:30"
    assert read["opening_hours"]({}) == "" and read["opening_hours_to"]({}) is None
