"""A weekly rule in Norwegian time cut into pieces with one UTC offset each, for HSDS.

HSDS 3.1 reads a time without an offset as UTC, and its ``timezone`` is one number (a UTC
offset in hours). Norway is UTC+1 in winter and UTC+2 in summer, so one weekly rule in Oslo
time is, for HSDS, several rules: one per stretch of days over which the opening and the
closing keep their offsets, each with its ``valid_from``/``valid_to``.

The rule is cut within a bounded horizon (:func:`horizon`): from its first day or today,
whichever is later, for 365 days or to its last day if sooner. A rule that ended before today
is given for its last 365 days. A harvester that reads again later gets the next pieces.

A piece starts on the day of a change when no occurrence falls between (a Tuesday rule's
summer piece starts on the Sunday of the change), and on the occurrence itself when that
occurrence has offsets of its own: a Saturday 22:00–04:00 across the spring night opens at
22:00+01:00 and closes at 04:00+02:00, a one-day piece. An occurrence that does not happen
(wholly in the hour skipped in spring, :func:`shared.timetable.span`) is left out. Times in
the hour skipped in spring or repeated in autumn carry the offset :mod:`shared.timetable`
reads them with, so the instant published is the one the site shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from shared.timetable import DAY_CODES, OSLO, parse_time, span

DAY = dt.timedelta(days=1)
HORIZON_DAYS = 365
# What a piece says of its opening and closing: their UTC offsets.
Offsets = tuple[dt.timedelta, dt.timedelta]


@dataclass(frozen=True)
class Piece:
    """The days ``first`` to ``last`` (both included) over which a rule has ``offsets``."""

    first: dt.date
    last: dt.date
    offsets: Offsets


def _as_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def horizon(timetable: Mapping[str, Any], today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day for which a timetable's weekly rules are given."""
    valid_from = _as_date(timetable.get("valid_from"))
    valid_to = _as_date(timetable.get("valid_to"))
    length = dt.timedelta(days=HORIZON_DAYS - 1)
    if valid_to is not None and valid_to < today:
        return max(valid_from or dt.date.min, valid_to - length), valid_to
    start = max(valid_from, today) if valid_from is not None else today
    end = start + length
    return start, min(end, valid_to) if valid_to is not None else end


def anchor(first: dt.date, valid_from: Any) -> dt.date:
    """The day to cut a rule from so that the piece holding ``first`` starts where it would in a
    cut from the rule's own first day: eight days before Oslo's last change of offset on or
    before ``first`` (a week holds an occurrence of every weekday of the rule, so the piece
    before is in the cut), or the rule's first day if later. It stays put for half a year as
    ``first`` moves with today, and so do the pieces' starts, which key their ids (a piece cut
    at today would otherwise get a new id every day). OverflowError at the calendar's ends."""
    changes = _changes(first - dt.timedelta(days=366), first)
    start = max(changes) - dt.timedelta(days=8) if changes else first
    since = _as_date(valid_from)
    if since is not None:
        start = max(start, since)
    return min(start, first)


def offsets_of(day: dt.date, opens: str, closes: str) -> Offsets | None:
    """The UTC offsets of the opening and the closing of the period from ``opens`` on
    ``day``; None when it does not happen."""
    period = span(day, opens, closes)
    if period is None:
        return None
    end_day = day + DAY if closes <= opens else day  # as span reads it
    opened = dt.datetime.combine(day, parse_time(opens))
    closed = dt.datetime.combine(end_day, parse_time(closes))
    return (
        opened - period.start.replace(tzinfo=None),
        closed - period.end.replace(tzinfo=None),
    )


def _noon(day: dt.date) -> dt.timedelta:
    noon = dt.datetime.combine(day, dt.time(12), tzinfo=OSLO)
    return noon.replace(tzinfo=None) - noon.astimezone(dt.UTC).replace(tzinfo=None)


@lru_cache(maxsize=64)
def _changes(first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """The days from ``first`` to ``last`` on which Oslo's offset changes (between noon the
    day before and noon that day). Sampled a week apart, then day by day where it differs:
    Oslo never changes twice in a week."""
    found: set[dt.date] = set()
    day, offset = first - DAY, _noon(first - DAY)
    while day < last:
        step = min(day + dt.timedelta(days=7), last)
        if _noon(step) != offset:
            before = offset
            for n in range(1, (step - day).days + 1):
                now = _noon(day + n * DAY)
                if now != before:
                    found.add(day + n * DAY)
                before = now
        day, offset = step, _noon(step)
    return frozenset(found)


@lru_cache(maxsize=1024)
def pieces(
    weekdays: Collection[str], opens: str, closes: str, first: dt.date, last: dt.date
) -> tuple[Piece, ...]:
    """The pieces of the weekly rule (``weekdays`` from ``opens`` to ``closes``) from
    ``first`` to ``last``; none when no occurrence falls in these days."""
    changes = _changes(first, last + DAY)
    # Only a period starting the day of a change or the day before can straddle it.
    near = {d for c in changes for d in (c - DAY, c)}
    found: list[list[Any]] = []  # [first, last, offsets]
    pending: dt.date | None = None  # days with no occurrence, not yet in a piece
    base = _noon(first)
    day = first
    while day <= last:
        if day in changes:
            base = _noon(day)
        occurs = DAY_CODES[day.weekday()] in weekdays
        offsets = offsets_of(day, opens, closes) if day in near else (base, base)
        joins = bool(found) and found[-1][1] == (pending or day) - DAY
        if not occurs:
            if pending is None and joins and found[-1][2] == offsets:
                found[-1][1] = day
            elif pending is None:
                pending = day
        elif offsets is None:
            pending = None  # it does not happen: no piece holds this day
        elif joins and found[-1][2] == offsets:
            found[-1][1], pending = day, None
        else:
            found.append([pending or day, day, offsets])
            pending = None
        day += DAY
    if pending is not None and found and found[-1][1] == pending - DAY:
        found[-1][1] = last
    return tuple(Piece(a, b, offsets) for a, b, offsets in found)


def time_with_offset(time: str, offset: dt.timedelta) -> str:
    """``HH:MM`` with its UTC offset, as HSDS asks: ``18:00+01:00``."""
    sign = "-" if offset < dt.timedelta(0) else "+"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"{time}{sign}{hours:02d}:{rest:02d}"


def hours(offset: dt.timedelta) -> int | float:
    """An offset in hours, as HSDS's numeric ``timezone``: 1, 2 (or 5.5 elsewhere)."""
    value = offset.total_seconds() / 3600
    return int(value) if value.is_integer() else value
