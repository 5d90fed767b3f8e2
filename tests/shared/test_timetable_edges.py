"""The timetable's edges, against instants worked out by hand (UTC; Norway is UTC+1 in winter
and UTC+2 in summer; summer time 2026 runs from 29 March to 25 October). 7 December 2026 is a
Monday."""

from __future__ import annotations

import datetime as dt
import types

import pytest

from shared import timetable


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def _clock_at(instant: dt.datetime) -> types.SimpleNamespace:
    """A stand-in for the ``datetime`` module whose ``datetime.now`` answers ``instant``."""

    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def,override]
            if tz is None:  # the server's clock, which runs in UTC here
                return instant.astimezone(dt.UTC).replace(tzinfo=None)
            return instant.astimezone(tz)

    return types.SimpleNamespace(datetime=Frozen)


@pytest.mark.parametrize(
    ("instant", "day"),
    [
        (utc(2026, 12, 7, 22, 59), dt.date(2026, 12, 7)),
        (utc(2026, 12, 7, 23, 0), dt.date(2026, 12, 8)),  # midnight in Oslo
        (utc(2026, 6, 30, 22, 0), dt.date(2026, 7, 1)),  # midnight, summer time
    ],
)
def test_today_is_the_date_in_oslo(monkeypatch, instant, day):
    monkeypatch.setattr(timetable, "dt", _clock_at(instant))
    assert timetable.today() == day


@pytest.mark.parametrize("value", ["12-30", "12.30", "12:3", "1:30", "12:+5", "12: 5", "+1:30"])
def test_a_time_is_two_digits_a_colon_and_two_digits(value):
    with pytest.raises(ValueError, match="not a time: '"):
        timetable.parse_time(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("00:00", dt.time(0, 0)), ("09:05", dt.time(9, 5)), ("23:59", dt.time(23, 59))],
)
def test_a_time_read(value, expected):
    assert timetable.parse_time(value) == expected


def test_an_instant_without_a_zone_is_refused_saying_why():
    with pytest.raises(ValueError, match="^an instant needs a time zone$"):
        timetable.is_open(weekly(("mon", "08:00", "10:00")), dt.datetime(2026, 12, 7))


def weekly(*periods: tuple[str, str, str], **validity: str) -> dict:
    return {
        "weekly": [{"day": d, "opens": o, "closes": c} for d, o, c in periods],
        "dates": [],
        **validity,
    }


def test_instants_are_in_utc_whatever_the_servers_zone(monkeypatch):
    # The server's clock in Oslo: instants must still come back in UTC, as the API writes them.
    import time

    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    try:
        tuesday = weekly(("tue", "18:00", "20:00"))
        opens = timetable.next_opening(tuesday, utc(2026, 12, 7, 12, 0))
        assert opens == utc(2026, 12, 8, 17, 0)
        assert opens is not None and opens.utcoffset() == dt.timedelta(0)
        found = timetable.status(tuesday, utc(2026, 12, 8, 17, 30))
        assert found is not None and found.closes_at == utc(2026, 12, 8, 19, 0)
        assert found.closes_at is not None and found.closes_at.utcoffset() == dt.timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_period_that_ends_as_it_starts_in_the_spring_gap_does_not_happen():
    # Sunday 29 March 2026 02:00-03:00: 02:00 does not exist that night and is read as
    # 02:00+01:00 = 01:00 UTC; 03:00 summer time is 01:00 UTC as well: no time at all. The
    # next is the Sunday after, 02:00 summer time = 00:00 UTC on 5 April.
    gap = weekly(("sun", "02:00", "03:00"))
    assert timetable.next_opening(gap, utc(2026, 3, 28, 12, 0)) == utc(2026, 4, 5, 0, 0)
    dated = {"weekly": [], "dates": [{"date": "2026-03-29", "starts": "02:00", "ends": "03:00"}]}
    assert timetable.next_opening(dated, utc(2026, 3, 28, 12, 0)) is None


def test_next_time_two_weeks_ahead_past_a_night_in_the_spring_gap():
    # Just after the period of Sunday 22 March 2026 (02:30-03:00 winter time, 01:30-02:00
    # UTC): the next Sunday's falls in the skipped hour, so the next is 5 April, 02:30
    # summer time = 00:30 UTC, fourteen days on.
    gap = weekly(("sun", "02:30", "03:00"))
    assert timetable.next_opening(gap, utc(2026, 3, 22, 2, 0)) == utc(2026, 4, 5, 0, 30)


def test_open_on_the_first_valid_day_after_a_day_not_valid():
    # Valid from Tuesday 8 December 2026: on its first evening the Monday before (not valid)
    # does not hide it; nor on Tuesday 15 December, valid only that one day.
    first = weekly(("tue", "18:00", "20:00"), ("mon", "18:00", "20:00"), valid_from="2026-12-08")
    assert timetable.is_open(first, utc(2026, 12, 8, 17, 30))
    assert not timetable.is_open(first, utc(2026, 12, 7, 17, 30))
    one_day = weekly(("tue", "18:00", "20:00"), valid_from="2026-12-15", valid_to="2026-12-15")
    assert timetable.is_open(one_day, utc(2026, 12, 15, 17, 30))
    assert not timetable.is_open(one_day, utc(2026, 12, 8, 17, 30))
    assert not timetable.is_open(one_day, utc(2026, 12, 22, 17, 30))


def test_weekly_minutes_of_several_periods_within_their_days():
    assert timetable.weekly_minutes(
        weekly(("mon", "08:00", "10:00"), ("tue", "08:30", "16:00"), ("sun", "23:00", "23:59"))
    ) == [("mon", 480, 600), ("tue", 510, 960), ("sun", 1380, 1439)]


def test_weekly_minutes_of_a_period_ending_at_or_just_past_midnight():
    assert timetable.weekly_minutes(weekly(("fri", "22:00", "00:01"))) == [
        ("fri", 1320, 1440),
        ("sat", 0, 1),
    ]
    assert timetable.weekly_minutes(weekly(("sun", "22:00", "00:00"))) == [("sun", 1320, 1440)]
    assert timetable.weekly_minutes(None) == []
