"""A timetable as one line of text: written in spreadsheets (the registry's bulk import, the
open-data tables) and review pages, and read back from a spreadsheet cell.

Weekly periods are ``tue 18:00-20:00; fri 22:00-02:00`` and dated occurrences
``2026-09-01 18:00-20:00; 2026-09-08 18:00-20:00``. Reading accepts a day by its code or by its
name or first three letters in bokmål, nynorsk or English (``tirsdag``, ``tys``, ``Tuesday``), a
dash or an en dash between the times, and a comma or a semicolon between periods.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from shared.vocab import LANGUAGES, WEEKDAYS

SEPARATOR = "; "
_SPLIT = re.compile(r"\s*[;,\n]\s*")
_PERIOD = re.compile(r"^(\S+)\s+(\d{1,2}[:.]\d{2})\s*[-–]\s*(\d{1,2}[:.]\d{2})$")


def _day_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for concept in WEEKDAYS:
        names[concept.code] = concept.code
        for lang in LANGUAGES:
            label = concept.label(lang).lower()
            names[label] = concept.code
            names.setdefault(label[:3], concept.code)
    return names


DAY_NAMES = _day_names()


class CellError(ValueError):
    """Text that is not a list of periods."""


def _time(text: str) -> str:
    hours, minutes = re.split(r"[:.]", text)
    return f"{int(hours):02d}:{minutes}"


def parse_weekly(text: str) -> list[dict[str, str]]:
    """``tue 18:00-20:00; fri 22:00-02:00`` as weekly periods (times checked by the schema)."""
    periods = []
    for part in (p for p in _SPLIT.split(text.strip()) if p):
        match = _PERIOD.match(part)
        day = DAY_NAMES.get(match.group(1).lower().rstrip(".")) if match else None
        if match is None or day is None:
            raise CellError(part)
        periods.append(
            {"day": day, "opens": _time(match.group(2)), "closes": _time(match.group(3))}
        )
    return periods


def parse_dates(text: str) -> list[dict[str, str]]:
    """``2026-09-01 18:00-20:00; ...`` as dated occurrences (dates checked by the schema)."""
    occurrences = []
    for part in (p for p in re.split(r"\s*[;\n]\s*", text.strip()) if p):
        match = _PERIOD.match(part)
        if match is None:
            raise CellError(part)
        occurrences.append(
            {"date": match.group(1), "starts": _time(match.group(2)), "ends": _time(match.group(3))}
        )
    return occurrences


def weekly_text(periods: Iterable[Mapping[str, Any]], lang: str | None = None) -> str:
    """Weekly periods as a line: by day code (for a table), or by day name in ``lang``."""
    return SEPARATOR.join(
        f"{WEEKDAYS.get(p['day']).label(lang) if lang else p['day']} {p['opens']}-{p['closes']}"
        for p in periods
    )


def dates_text(occurrences: Iterable[Mapping[str, Any]], lang: str | None = None) -> str:
    """Dated occurrences as a line: ISO dates, or Norwegian day.month.year with ``lang``."""
    return SEPARATOR.join(
        f"{_date(o['date'], lang)} {o['starts']}-{o['ends']}" for o in occurrences
    )


def _date(value: str, lang: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d.%m.%Y") if lang else value
