"""When an offer is on: its timetable, and whether it is open at an instant.

A timetable (the contract's ``timetable``) has weekly periods — a day of the week, an opening
and a closing time — that hold from ``valid_from`` to ``valid_to`` (both days included, either
open-ended), and dated occurrences such as course evenings, each a date with a start and an end.
Times are wall-clock times in Norway (Europe/Oslo). A closing time at or before the opening time
means the period runs past midnight into the next day (22:00–02:00); equal times mean a whole
day and night. The free-text ``schedule`` beside it stays for what rules cannot say (holidays,
exceptions).

Pure functions of a timetable and an aware instant. Across the changes to and from summer time
a period keeps its wall-clock times: on the last Sunday of March a period from 02:30, a time that
does not exist that night, opens at 03:30; on the last Sunday of October a period from 02:30 opens
at the first of the two 02:30s. A period wholly inside the skipped hour (02:30–03:00 that
Sunday) does not happen at all: it is neither open nor next.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from shared.vocab import WEEKDAYS

OSLO = ZoneInfo("Europe/Oslo")
DAY_CODES = WEEKDAYS.codes  # mon ... sun, index = date.weekday()
MINUTES_PER_DAY = 24 * 60
# How many days "next time" looks at for a weekly period: yesterday (a period past midnight),
# today and the seven days after it, so a period that opened earlier today is found next week;
# and a week more, for a period that does not happen one night (wholly in the hour skipped
# in spring) and so is next a week later.
_WEEK_AHEAD = 16


@dataclass(frozen=True)
class Period:
    """One span of time, as aware instants: [start, end)."""

    start: dt.datetime
    end: dt.datetime

    def holds(self, at: dt.datetime) -> bool:
        return self.start <= at < self.end


def parse_time(value: str) -> dt.time:
    """``HH:MM`` (24-hour clock) to a time; ValueError otherwise."""
    if len(value) != 5 or value[2] != ":" or not (value[:2] + value[3:]).isdigit():
        raise ValueError(f"not a time: {value!r}")
    return dt.time(int(value[:2]), int(value[3:]))


def minutes(value: str) -> int:
    """Minutes after midnight of an ``HH:MM`` time."""
    time = parse_time(value)
    return time.hour * 60 + time.minute


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _wall(day: dt.date, time: str) -> dt.datetime:
    # fold=0: a time in the spring gap is read with the winter offset (so 02:30 is 03:30
    # summer time); a time that happens twice in autumn is its first occurrence.
    return dt.datetime.combine(day, parse_time(time), tzinfo=OSLO)


def span(day: dt.date, starts: str, ends: str) -> Period | None:
    """The period from ``starts`` on ``day`` to ``ends``, on the next day when it is not
    after ``starts``, as instants in UTC.

    None for a period that does not happen: one wholly inside the hour skipped in spring
    (02:30–03:00 that night would end before it starts), or one on a day so near the ends of
    the calendar that its instants cannot be represented (the contract refuses such days, but
    what was stored before it did must not stop a page or the ingest)."""
    try:
        end_day = day + dt.timedelta(days=1) if minutes(ends) <= minutes(starts) else day
        start = _wall(day, starts).astimezone(dt.UTC)
        end = _wall(end_day, ends).astimezone(dt.UTC)
    except OverflowError:
        return None
    return Period(start, end) if start < end else None


def is_empty(timetable: Mapping[str, Any] | None) -> bool:
    """No weekly period and no dated occurrence."""
    return not timetable or not (timetable.get("weekly") or timetable.get("dates"))


def _valid(timetable: Mapping[str, Any], day: dt.date) -> bool:
    valid_from, valid_to = _date(timetable.get("valid_from")), _date(timetable.get("valid_to"))
    return (valid_from is None or day >= valid_from) and (valid_to is None or day <= valid_to)


def _weekly_from(timetable: Mapping[str, Any], first: dt.date, days: int) -> Iterator[Period]:
    """The weekly periods that start on the ``days`` days from ``first`` and are in force."""
    weekly = timetable.get("weekly") or []
    for offset in range(days):
        try:
            day = first + dt.timedelta(days=offset)
        except OverflowError:
            return  # past the last day of the calendar
        if not _valid(timetable, day):
            continue
        for period in weekly:
            if period["day"] == DAY_CODES[day.weekday()]:
                found = span(day, period["opens"], period["closes"])
                if found is not None:
                    yield found


def _dated(timetable: Mapping[str, Any]) -> Iterator[Period]:
    for occurrence in timetable.get("dates") or []:
        found = span(
            _date(occurrence["date"]) or dt.date.min, occurrence["starts"], occurrence["ends"]
        )
        if found is not None:
            yield found


def today() -> dt.date:
    """The date in Oslo now (when a weekly period's last date is past)."""
    return dt.datetime.now(OSLO).date()


def _local_day(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        raise ValueError("an instant needs a time zone")
    return at.astimezone(OSLO).date()


def current_period(timetable: Mapping[str, Any] | None, at: dt.datetime) -> Period | None:
    """The period the offer is open in at ``at``, if any (the one closing last, if several)."""
    if timetable is None or is_empty(timetable):
        return None
    # A period that holds ``at`` started on this day or, past midnight, the day before.
    yesterday = _local_day(at) - dt.timedelta(days=1)
    holding = [
        p for p in (*_weekly_from(timetable, yesterday, 2), *_dated(timetable)) if p.holds(at)
    ]
    return max(holding, key=lambda p: p.end, default=None)


def is_open(timetable: Mapping[str, Any] | None, at: dt.datetime) -> bool:
    """Whether a period of the timetable holds the instant ``at``."""
    return current_period(timetable, at) is not None


def next_opening(timetable: Mapping[str, Any] | None, at: dt.datetime) -> dt.datetime | None:
    """The first start of a period at or after ``at`` (UTC), or None when nothing is ahead."""
    if timetable is None or is_empty(timetable):
        return None
    first = _local_day(at) - dt.timedelta(days=1)
    valid_from = _date(timetable.get("valid_from"))
    if valid_from is not None and valid_from > first:
        first = valid_from
    starts = [p.start for p in (*_weekly_from(timetable, first, _WEEK_AHEAD), *_dated(timetable))]
    return min((s for s in starts if s >= at), default=None)


@dataclass(frozen=True)
class Status:
    """What the public pages say: open now (until when), or when next."""

    open_now: bool
    closes_at: dt.datetime | None
    next_at: dt.datetime | None


def status(timetable: Mapping[str, Any] | None, at: dt.datetime) -> Status | None:
    """Open now and until when, or the next opening; None for an empty timetable."""
    if is_empty(timetable):
        return None
    current = current_period(timetable, at)
    if current is not None:
        return Status(True, current.end, None)
    return Status(False, None, next_opening(timetable, at))


def weekly_minutes(timetable: Mapping[str, Any] | None) -> list[tuple[str, int, int]]:
    """The weekly periods as (day, from minute, to minute) within single days, a period past
    midnight split in two: what the search index stores to filter on a day and a time."""
    rows: list[tuple[str, int, int]] = []
    for period in (timetable or {}).get("weekly") or []:
        opens, closes = minutes(period["opens"]), minutes(period["closes"])
        day = DAY_CODES.index(period["day"])
        if closes > opens:
            rows.append((period["day"], opens, closes))
            continue
        rows.append((period["day"], opens, MINUTES_PER_DAY))
        if closes > 0:
            rows.append((DAY_CODES[(day + 1) % 7], 0, closes))
    return rows
