"""An offer's timetable as HSDS 3.1 ``schedule`` objects.

Weekly periods with the same hours are one weekly rule (``freq`` WEEKLY, ``byday`` TU,TH,
``opens_at``/``closes_at``, ``valid_from``/``valid_to``); each dated occurrence is a weekly
rule that starts and ends on its date (``dtstart`` = ``until``), so it happens once; the free
text is a schedule of its own, in ``description``. Times are Norwegian wall-clock times: Norway
is UTC+1 in winter and UTC+2 in summer, which HSDS's one fixed ``timezone`` offset cannot say,
so ``notes`` names the zone instead. A closing time not after the opening time is on the next
day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from shared.hsds.ids import stable_id
from shared.timetable import DAY_CODES

ICAL_DAYS = dict(zip(DAY_CODES, ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), strict=True))
NOTES = "Klokkeslett i norsk tid (Europe/Oslo); stenger det før det åpner, er det neste dag."


def schedules(document: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    """Every HSDS schedule of the offer version: its free text, weekly rules and dates."""
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
    found.extend(_weekly(timetable, sid))
    found.extend(_dated(timetable, sid))
    return found


def _weekly(timetable: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    days: dict[tuple[str, str], list[str]] = {}
    for period in timetable.get("weekly") or []:
        days.setdefault((period["opens"], period["closes"]), []).append(period["day"])
    rules = []
    for (opens, closes), codes in days.items():
        ordered = sorted(set(codes), key=DAY_CODES.index)
        byday = ",".join(ICAL_DAYS[c] for c in ordered)
        rule = {
            "id": stable_id("schedule", sid, "weekly", byday, opens, closes),
            "service_id": sid,
            "freq": "WEEKLY",
            "wkst": "MO",
            "byday": byday,
            "opens_at": opens,
            "closes_at": closes,
            "valid_from": timetable.get("valid_from"),
            "valid_to": timetable.get("valid_to"),
            "notes": NOTES,
        }
        rules.append({k: v for k, v in rule.items() if v is not None})
    return rules


def _dated(timetable: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    rules = []
    for occurrence in timetable.get("dates") or []:
        day, starts, ends = occurrence["date"], occurrence["starts"], occurrence["ends"]
        weekday = DAY_CODES[dt.date.fromisoformat(day).weekday()]
        rules.append(
            {
                "id": stable_id("schedule", sid, "date", day, starts, ends),
                "service_id": sid,
                "freq": "WEEKLY",
                "byday": ICAL_DAYS[weekday],
                "dtstart": day,
                "until": day,
                "opens_at": starts,
                "closes_at": ends,
                "notes": NOTES,
            }
        )
    return rules
