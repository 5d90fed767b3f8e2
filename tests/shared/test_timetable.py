"""Open now and next time, against instants worked out by hand (UTC; Norway is UTC+1 in
winter and UTC+2 in summer; summer time 2026 runs from 29 March to 25 October, in 2027 from
28 March to 31 October)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.timetable import Status, is_open, next_opening, status, weekly_minutes


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def weekly(*periods: tuple[str, str, str], **validity: str) -> dict:
    return {
        "weekly": [{"day": d, "opens": o, "closes": c} for d, o, c in periods],
        "dates": [],
        **validity,
    }


FRIDAY_NIGHT = weekly(("fri", "22:00", "02:00"))  # a youth café open past midnight


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 12, 11, 20, 59), False),  # Fri 21:59
        (utc(2026, 12, 11, 21, 0), True),  # Fri 22:00: opens exactly
        (utc(2026, 12, 11, 23, 30), True),  # Sat 00:30
        (utc(2026, 12, 12, 0, 59), True),  # Sat 01:59
        (utc(2026, 12, 12, 1, 0), False),  # Sat 02:00: closes exactly, so closed
        (utc(2026, 12, 12, 21, 30), False),  # Sat 22:30: only Fridays
    ],
)
def test_a_period_past_midnight(at, expected):
    assert is_open(FRIDAY_NIGHT, at) is expected


def test_next_time_after_a_night_period_is_next_friday():
    assert next_opening(FRIDAY_NIGHT, utc(2026, 12, 12, 1, 0)) == utc(2026, 12, 18, 21, 0)
    assert next_opening(FRIDAY_NIGHT, utc(2026, 12, 11, 21, 0)) == utc(2026, 12, 11, 21, 0)


def test_status_says_until_when_or_when_next():
    open_now = status(FRIDAY_NIGHT, utc(2026, 12, 11, 22, 0))
    assert open_now.open_now and open_now.closes_at == utc(2026, 12, 12, 1, 0)
    closed = status(FRIDAY_NIGHT, utc(2026, 12, 9, 12, 0))
    assert not closed.open_now and closed.next_at == utc(2026, 12, 11, 21, 0)


def test_spring_forward_2026_shortens_a_night_period():
    # Sunday 29 March 2026 01:00-04:00: 00:00 UTC to 04:00 summer time = 02:00 UTC.
    sunday = weekly(("sun", "01:00", "04:00"))
    assert is_open(sunday, utc(2026, 3, 29, 0, 0))
    assert is_open(sunday, utc(2026, 3, 29, 1, 59))
    assert not is_open(sunday, utc(2026, 3, 29, 2, 0))


def test_spring_forward_2026_a_time_in_the_gap_opens_an_hour_later_on_the_clock():
    # 02:30 does not exist that night; it is read as 02:30+01:00 = 01:30 UTC (03:30 summer time).
    gap = weekly(("sun", "02:30", "05:00"))
    assert next_opening(gap, utc(2026, 3, 28, 12, 0)) == utc(2026, 3, 29, 1, 30)
    assert not is_open(gap, utc(2026, 3, 29, 1, 29))
    assert is_open(gap, utc(2026, 3, 29, 1, 30))


def test_spring_forward_2026_a_period_wholly_in_the_gap_does_not_happen():
    # Sunday 29 March 2026 02:30-03:00: 02:30 is read as 01:30 UTC, 03:00 summer time is
    # 01:00 UTC, so it would end before it starts. Neither open nor next that night; the
    # next is the Sunday after, 02:30 summer time = 00:30 UTC on 5 April.
    gap = weekly(("sun", "02:30", "03:00"))
    saturday = utc(2026, 3, 28, 12, 0)
    assert next_opening(gap, saturday) == utc(2026, 4, 5, 0, 30)
    assert status(gap, saturday) == Status(False, None, utc(2026, 4, 5, 0, 30))
    for at in (utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0), utc(2026, 3, 29, 1, 30)):
        assert not is_open(gap, at)
    dated = {"weekly": [], "dates": [{"date": "2026-03-29", "starts": "02:30", "ends": "03:00"}]}
    assert next_opening(dated, saturday) is None
    assert not is_open(dated, utc(2026, 3, 29, 1, 0))


@pytest.mark.parametrize(
    "timetable",
    [
        {"weekly": [], "dates": [{"date": "9999-12-31", "starts": "22:00", "ends": "02:00"}]},
        {"weekly": [], "dates": [{"date": "0001-01-01", "starts": "00:30", "ends": "02:00"}]},
        weekly(("thu", "22:00", "02:00"), valid_from="9999-12-31"),
        weekly(("fri", "22:00", "02:00"), valid_to="9999-12-31"),
    ],
)
def test_days_at_the_ends_of_the_calendar_are_left_out_not_raised(timetable):
    # The contract refuses such days now; what was stored before must still be shown.
    # 9999-12-31 is a Friday; a period on it past midnight would end in year 10000, and
    # 0001-01-01 00:30 in Oslo is before the first instant in UTC.
    at = utc(2026, 12, 11, 22, 0)  # a Friday 23:00 in Oslo
    expected_open = "valid_to" in timetable
    assert status(timetable, at) == Status(
        expected_open, utc(2026, 12, 12, 1, 0) if expected_open else None, None
    )
    # On the last night of the calendar nothing can end, so nothing is open or ahead.
    assert status(timetable, utc(9999, 12, 31, 21, 30)) == Status(False, None, None)


def test_fall_back_2026_lengthens_a_night_period():
    # Sunday 25 October 2026 01:00-03:00: 01:00 summer time = 23:00 UTC on the Saturday,
    # 03:00 winter time = 02:00 UTC: three hours, the repeated hour included.
    sunday = weekly(("sun", "01:00", "03:00"))
    assert not is_open(sunday, utc(2026, 10, 24, 22, 59))
    assert is_open(sunday, utc(2026, 10, 24, 23, 0))
    assert is_open(sunday, utc(2026, 10, 25, 1, 30))  # the second 02:30
    assert not is_open(sunday, utc(2026, 10, 25, 2, 0))


def test_a_weekly_time_keeps_its_clock_time_across_the_autumn_change_2026():
    tuesday = weekly(("tue", "18:00", "20:00"))
    assert next_opening(tuesday, utc(2026, 10, 20, 12, 0)) == utc(2026, 10, 20, 16, 0)
    assert next_opening(tuesday, utc(2026, 10, 21, 12, 0)) == utc(2026, 10, 27, 17, 0)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2027, 3, 27, 0, 0), utc(2027, 3, 27, 9, 0)),  # Saturday, still winter time
        (utc(2027, 3, 27, 12, 0), utc(2027, 3, 28, 8, 0)),  # Sunday, summer time
        (utc(2027, 10, 30, 0, 0), utc(2027, 10, 30, 8, 0)),  # Saturday, still summer time
        (utc(2027, 10, 30, 12, 0), utc(2027, 10, 31, 9, 0)),  # Sunday, winter time
    ],
)
def test_weekend_mornings_across_the_changes_of_2027(at, expected):
    mornings = weekly(("sat", "10:00", "12:00"), ("sun", "10:00", "12:00"))
    assert next_opening(mornings, at) == expected


def test_valid_to_passed_means_closed_with_nothing_ahead():
    spring_term = weekly(("tue", "18:00", "20:00"), valid_to="2026-06-30")
    assert is_open(spring_term, utc(2026, 6, 30, 16, 30))  # the last day is included
    assert not is_open(spring_term, utc(2026, 7, 7, 16, 30))
    assert next_opening(spring_term, utc(2026, 7, 1, 0, 0)) is None
    assert status(spring_term, utc(2026, 7, 1, 0, 0)).next_at is None


def test_a_night_period_starting_on_the_last_valid_day_runs_past_midnight():
    last = weekly(("tue", "22:00", "01:00"), valid_to="2026-06-30")
    assert is_open(last, utc(2026, 6, 30, 22, 30))  # Wednesday 00:30 summer time


def test_valid_from_in_the_future_waits_for_it():
    next_term = weekly(("tue", "18:00", "20:00"), valid_from="2027-01-05")
    assert not is_open(next_term, utc(2026, 12, 8, 17, 30))  # a Tuesday before it
    assert next_opening(next_term, utc(2026, 12, 8, 17, 30)) == utc(2027, 1, 5, 17, 0)


def test_dated_occurrences():
    course = {
        "weekly": [],
        "dates": [
            {"date": "2026-12-15", "starts": "18:00", "ends": "20:00"},
            {"date": "2026-12-01", "starts": "18:00", "ends": "20:00"},
        ],
    }
    assert next_opening(course, utc(2026, 12, 7, 12, 0)) == utc(2026, 12, 15, 17, 0)
    assert is_open(course, utc(2026, 12, 15, 17, 30))
    assert not is_open(course, utc(2026, 12, 15, 19, 0))  # 20:00, the end
    assert next_opening(course, utc(2026, 12, 15, 19, 0)) is None


def test_dated_occurrences_ignore_the_weekly_validity():
    both = weekly(("mon", "09:00", "10:00"), valid_to="2026-01-31")
    both["dates"] = [{"date": "2026-12-15", "starts": "18:00", "ends": "20:00"}]
    assert next_opening(both, utc(2026, 12, 1, 0, 0)) == utc(2026, 12, 15, 17, 0)


@pytest.mark.parametrize("empty", [None, {}, {"weekly": [], "dates": []}])
def test_no_timetable(empty):
    assert not is_open(empty, utc(2026, 12, 7, 12, 0))
    assert next_opening(empty, utc(2026, 12, 7, 12, 0)) is None
    assert status(empty, utc(2026, 12, 7, 12, 0)) is None


def test_an_instant_without_a_zone_is_refused():
    with pytest.raises(ValueError):
        is_open(FRIDAY_NIGHT, dt.datetime(2026, 12, 11, 22, 0))


def test_weekly_minutes_split_a_night_period_at_midnight():
    assert weekly_minutes(weekly(("sun", "22:00", "02:00"), ("tue", "18:00", "20:00"))) == [
        ("sun", 1320, 1440),
        ("mon", 0, 120),
        ("tue", 1080, 1200),
    ]
    assert weekly_minutes(weekly(("wed", "08:00", "08:00"))) == [
        ("wed", 480, 1440),
        ("thu", 0, 480),
    ]
    assert weekly_minutes(weekly(("wed", "20:00", "00:00"))) == [("wed", 1200, 1440)]


# Properties: simple rules that hold for every timetable and instant.
_days = st.sampled_from(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
_times = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.sampled_from([0, 30]))
_periods = st.lists(st.tuples(_days, _times, _times), max_size=4)
_instants = st.datetimes(
    min_value=dt.datetime(2025, 1, 1),
    max_value=dt.datetime(2028, 12, 31),
    timezones=st.just(dt.UTC),
)


@given(_periods, _instants)
def test_next_time_is_never_before_the_instant(periods, at):
    found = next_opening(weekly(*periods), at)
    assert found is None or found >= at


@given(_periods, _instants)
def test_the_offer_is_open_when_it_next_opens(periods, at):
    found = next_opening(weekly(*periods), at)
    assert (found is None) == (not periods)
    if found is not None:
        assert is_open(weekly(*periods), found)


_WINTER = dt.timezone(dt.timedelta(hours=1))  # Norway in January, every year


@given(
    _days,
    st.integers(0, 22 * 60),
    st.integers(1, 120),
    st.integers(0, 119),
    st.integers(2025, 2028),
    st.integers(5, 25),
)
def test_an_instant_inside_a_period_is_open(day, opens, length, into, year, january_day):
    into = min(into, length - 1)
    date = dt.date(year, 1, january_day)
    while date.strftime("%a").lower() != day:
        date += dt.timedelta(days=1)
    closes = opens + length
    timetable = weekly(
        (day, f"{opens // 60:02d}:{opens % 60:02d}", f"{closes // 60:02d}:{closes % 60:02d}")
    )
    start = dt.datetime.combine(date, dt.time(opens // 60, opens % 60), tzinfo=_WINTER)
    assert is_open(timetable, start + dt.timedelta(minutes=into))
    assert not is_open(timetable, start + dt.timedelta(minutes=length))
    assert not is_open(timetable, start - dt.timedelta(minutes=1))
