"""When a day ends in Norway, and which day it is there, against instants worked out by hand.

Summer time 2025 began on 30 March at 01:00 UTC and ended on 26 October at 01:00 UTC: a day
in Norway ends at 23:00 UTC in winter and at 22:00 UTC in summer, and the two days of the
changes end at the other offset from the one they began with.
"""

from __future__ import annotations

import datetime as dt
import types

import pytest

from services.reporting import norway_time
from services.reporting.norway_time import end_of, local_date


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("day", "ends"),
    [
        (dt.date(2025, 1, 15), utc(2025, 1, 15, 23)),
        (dt.date(2025, 3, 29), utc(2025, 3, 29, 23)),  # the last winter day
        (dt.date(2025, 3, 30), utc(2025, 3, 30, 22)),  # began in winter, ends in summer
        (dt.date(2025, 6, 30), utc(2025, 6, 30, 22)),
        (dt.date(2025, 10, 25), utc(2025, 10, 25, 22)),  # the last summer day
        (dt.date(2025, 10, 26), utc(2025, 10, 26, 23)),  # began in summer, ends in winter
        (dt.date(2024, 12, 31), utc(2024, 12, 31, 23)),  # the year's last day
        (dt.date(2024, 2, 28), utc(2024, 2, 28, 23)),  # a leap year: 29 Feb comes next
    ],
)
def test_a_day_ends_at_the_next_midnight_in_norway(day, ends):
    assert end_of(day) == ends
    assert end_of(day).utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (utc(2025, 3, 29, 22, 59, 59), dt.date(2025, 3, 29)),
        (utc(2025, 3, 29, 23, 0, 0), dt.date(2025, 3, 30)),
        (utc(2025, 6, 30, 21, 59, 59), dt.date(2025, 6, 30)),
        (utc(2025, 6, 30, 22, 0, 0), dt.date(2025, 7, 1)),
        (utc(2025, 12, 31, 23, 0, 0), dt.date(2026, 1, 1)),
        # An instant given in another zone is the same instant: 18:30 in New York on
        # 10 April 2025 (UTC-4) is 00:30 on 11 April in Norway.
        (
            dt.datetime(2025, 4, 10, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
            dt.date(2025, 4, 11),
        ),
    ],
)
def test_the_date_in_norway_of_an_instant(moment, day):
    assert local_date(moment) == day


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
        (utc(2025, 3, 29, 22, 59), dt.date(2025, 3, 29)),
        # 23:30 UTC is already the next day in Norway (00:30 in winter).
        (utc(2025, 3, 29, 23, 30), dt.date(2025, 3, 30)),
        (utc(2025, 6, 30, 22, 30), dt.date(2025, 7, 1)),
    ],
)
def test_today_is_the_date_in_norway_not_on_the_servers_clock(monkeypatch, instant, day):
    monkeypatch.setattr(norway_time, "dt", _clock_at(instant))
    assert norway_time.today() == day


def test_the_end_of_a_day_is_in_utc_whatever_the_servers_zone(monkeypatch):
    # Stored instants are UTC; on SQLite a comparison reads the wall-clock digits, so the end
    # of a day must come back in UTC even on a server whose clock runs in Oslo.
    import time

    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    try:
        ends = end_of(dt.date(2025, 3, 29))
        assert (ends, ends.utcoffset()) == (utc(2025, 3, 29, 23), dt.timedelta(0))
        assert ends.isoformat() == "2025-03-29T23:00:00+00:00"
    finally:
        monkeypatch.undo()
        time.tzset()
