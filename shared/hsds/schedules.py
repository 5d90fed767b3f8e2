"""An offer's timetable as HSDS 3.1 ``schedule`` objects.

Weekly periods with the same hours are one weekly rule (``freq`` WEEKLY, ``byday`` TU,TH,
``opens_at``/``closes_at``); each dated occurrence is a weekly rule that starts and ends on its
date (``dtstart`` = ``until``), so it happens once; the free text is a schedule of its own, in
``description``. A closing time not after the opening time is on the next day.

HSDS reads a time without an offset as UTC, so every time carries its UTC offset (``18:00+01:00``)
and ``timezone`` is the opening's offset in hours (1 in winter, 2 in summer). Norwegian time
changes offset twice a year, so a weekly rule is cut into pieces with one offset each, within a
bounded horizon of a year: see :mod:`shared.hsds.offsets`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from shared.hsds.ids import stable_id
from shared.hsds.offsets import anchor, hours, offsets_of, pieces, time_with_offset
from shared.hsds.offsets import horizon as weekly_horizon
from shared.timetable import DAY_CODES
from shared.timetable import today as oslo_today

ICAL_DAYS = dict(zip(DAY_CODES, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
NOTES = (
    "Norsk tid (Europe/Oslo), med UTC-forskyvningen som gjelder i perioden; "
    "stenger det før det åpner, er det neste dag."
)
# The last piece of a rule that goes on after the horizon.
NOTES_CONTINUED = NOTES + " Gjelder også etter valid_to: hent planen igjen for neste periode."


def schedules(
    document: Mapping[str, Any], sid: str, today: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every HSDS schedule of the offer version: its free text, weekly rules and dates.

    ``today`` (Oslo's date by default) starts the horizon of the weekly rules."""
    found: list[dict[str, Any]] = []
    # Registrars write exceptions and what rules cannot say as free text: ``description``.
    if document.get("schedule"):
        found.append(
            {
                "id": stable_id("schedule", sid),
                "service_id": sid,
                "description": document["schedule"],
            }
        )
    timetable = document.get("timetable") or {}
    found.extend(_weekly(timetable, sid, oslo_today() if today is None else today))
    found.extend(_dated(timetable, sid))
    return found


def _weekly(timetable: Mapping[str, Any], sid: str, today: dt.date) -> list[dict[str, Any]]:
    days: dict[tuple[str, str], list[str]] = {}
    for period in timetable.get("weekly") or []:
        days.setdefault((period["opens"], period["closes"]), []).append(period["day"])
    if not days:
        return []
    try:
        first, last = weekly_horizon(timetable, today)
    except OverflowError:  # a day at the very end of the calendar: nothing to give
        return []
    valid_to = timetable.get("valid_to")
    goes_on = valid_to is None or str(valid_to) > last.isoformat()
    rules = []
    for (opens, closes), codes in days.items():
        ordered = tuple(sorted(set(codes), key=DAY_CODES.index))
        byday = ",".join(ICAL_DAYS[c] for c in ordered)
        try:
            # Cut from a day that stays as today moves (offsets.anchor), then kept from the
            # horizon's first day: a piece's start, its id's key, is where it really starts.
            start = anchor(first, timetable.get("valid_from"))
            cut = [
                piece
                for piece in pieces(frozenset(ordered), opens, closes, start, last)
                if piece.last >= first
            ]
        except OverflowError:  # days at the very end of the calendar, stored before the
            continue  # contract refused them: nothing to give, and no failure
        for number, piece in enumerate(cut, start=1):
            opened, closed = piece.offsets
            rules.append(
                {
                    "id": stable_id(
                        "schedule", sid, "weekly", byday, opens, closes, piece.first.isoformat()
                    ),
                    "service_id": sid,
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": byday,
                    "opens_at": time_with_offset(opens, opened),
                    "closes_at": time_with_offset(closes, closed),
                    "timezone": hours(opened),
                    "valid_from": max(piece.first, first).isoformat(),
                    "valid_to": piece.last.isoformat(),
                    "notes": NOTES_CONTINUED if goes_on and number == len(cut) else NOTES,
                }
            )
    return rules


def _dated(timetable: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    rules = []
    for occurrence in timetable.get("dates") or []:
        day, starts, ends = occurrence["date"], occurrence["starts"], occurrence["ends"]
        date = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
        offsets = offsets_of(date, starts, ends)
        if offsets is None:
            continue  # wholly in the hour skipped in spring: it does not happen
        rules.append(
            {
                "id": stable_id("schedule", sid, "date", date.isoformat(), starts, ends),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": ICAL_DAYS[DAY_CODES[date.weekday()]],
                "dtstart": date.isoformat(),
                "until": date.isoformat(),
                "opens_at": time_with_offset(starts, offsets[0]),
                "closes_at": time_with_offset(ends, offsets[1]),
                "timezone": hours(offsets[0]),
                "notes": NOTES,
            }
        )
    return rules
