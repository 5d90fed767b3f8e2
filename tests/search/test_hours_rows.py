"""The index's rows of weekly hours (``offer_hours``) from a timetable, worked out by hand:
Monday is day 0, times are minutes after midnight, a period past midnight is two rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.search.index.documents import hours_rows


def document(*periods: tuple[str, str, str], **validity: str) -> dict[str, Any]:
    weekly = [{"day": d, "opens": o, "closes": c} for d, o, c in periods]
    return {"timetable": {"weekly": weekly, "dates": [], **validity}}


D = dt.date


def test_the_part_past_midnight_holds_one_day_later_at_both_ends():
    rows = hours_rows(document(("mon", "22:00", "02:00"), valid_from="2026-04-06"))
    assert rows == [(0, 1320, 1440, D(2026, 4, 6), None), (1, 0, 120, D(2026, 4, 7), None)]


def test_a_later_period_on_the_same_row_keeps_the_later_last_day():
    # Found in review: Tuesday 00:00-02:00 (until 4 May) overwrote the Monday night's part
    # past midnight, which holds until Tuesday 5 May.
    rows = hours_rows(
        document(
            ("mon", "22:00", "02:00"),
            ("tue", "00:00", "02:00"),
            valid_from="2026-04-06",
            valid_to="2026-05-04",
        )
    )
    assert sorted(rows) == [
        (0, 1320, 1440, D(2026, 4, 6), D(2026, 5, 4)),
        (1, 0, 120, D(2026, 4, 6), D(2026, 5, 5)),
    ]


def test_open_ended_wins_when_two_periods_share_a_row():
    rows = hours_rows(document(("tue", "00:00", "02:00"), ("mon", "22:00", "02:00")))
    assert sorted(rows) == [(0, 1320, 1440, None, None), (1, 0, 120, None, None)]


def test_days_at_the_ends_of_the_calendar_are_left_out_not_raised():
    # Stored before the contract bounded the days: 9999-12-31 + 1 day is no date.
    assert hours_rows(document(("fri", "22:00", "02:00"), valid_to="9999-12-31")) == [
        (4, 1320, 1440, None, D(9999, 12, 31)),
        (5, 0, 120, None, None),
    ]
    assert hours_rows(document(("fri", "22:00", "02:00"), valid_from="9999-12-31")) == [
        (4, 1320, 1440, D(9999, 12, 31), None),
    ]
