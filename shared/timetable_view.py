"""A timetable as the pages show it: "Åpent nå" / "Stengt nå" / "Neste gang: tirsdag 18:00",
and the weekly hours and dates as tables, in bokmål, nynorsk or English.

The registry's offer page and national search's result and offer pages show the same words
from this one place (with ``shared/templates/shared/timetable.html``); the labels are a small
table here, as the vocabularies' are, rather than each service's catalogue.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.timetable import OSLO, Status, is_empty, status
from shared.vocab import DEFAULT_LANGUAGE, WEEKDAYS

LABELS: dict[str, dict[str, str]] = {
    "open_now": {"nb": "Åpent nå", "nn": "Ope no", "en": "Open now"},
    "open_until": {
        "nb": "Åpent nå, til %(time)s",
        "nn": "Ope no, til %(time)s",
        "en": "Open now, until %(time)s",
    },
    "closed_now": {"nb": "Stengt nå", "nn": "Stengt no", "en": "Closed now"},
    "next": {"nb": "Neste gang: %(when)s", "nn": "Neste gong: %(when)s", "en": "Next: %(when)s"},
    "weekly": {"nb": "Åpningstider", "nn": "Opningstider", "en": "Opening hours"},
    "day": {"nb": "Dag", "nn": "Dag", "en": "Day"},
    "opens": {"nb": "Åpner", "nn": "Opnar", "en": "Opens"},
    "closes": {"nb": "Stenger", "nn": "Stengjer", "en": "Closes"},
    "dates": {"nb": "Datoer", "nn": "Datoar", "en": "Dates"},
    "date": {"nb": "Dato", "nn": "Dato", "en": "Date"},
    "starts": {"nb": "Starter", "nn": "Startar", "en": "Starts"},
    "ends": {"nb": "Slutter", "nn": "Sluttar", "en": "Ends"},
    "from": {"nb": "Gjelder fra %(day)s", "nn": "Gjeld frå %(day)s", "en": "From %(day)s"},
    "to": {"nb": "Gjelder til %(day)s", "nn": "Gjeld til %(day)s", "en": "Until %(day)s"},
    "from_to": {
        "nb": "Gjelder fra %(first)s til %(last)s",
        "nn": "Gjeld frå %(first)s til %(last)s",
        "en": "From %(first)s until %(last)s",
    },
    "next_day": {"nb": "neste dag", "nn": "neste dag", "en": "the next day"},
}
_TABLE_LABELS = ("weekly", "day", "opens", "closes", "dates", "date", "starts", "ends")
# Within this many days "next time" names the weekday alone; further off, the date too.
_NEAR = dt.timedelta(days=6)


def label(key: str, lang: str, **params: str) -> str:
    texts = LABELS[key]
    return (texts.get(lang) or texts[DEFAULT_LANGUAGE]) % params


def _day(value: str) -> str:
    return dt.date.fromisoformat(value).strftime("%d.%m.%Y")


def when_text(at: dt.datetime, now: dt.datetime, lang: str) -> str:
    """``tirsdag 18:00`` within the coming week, ``tirsdag 05.01.2027 18:00`` further off."""
    local = at.astimezone(OSLO)
    weekday = WEEKDAYS.get(WEEKDAYS.codes[local.weekday()]).label(lang)
    if lang == "en":
        weekday = weekday.capitalize()
    if at - now <= _NEAR:
        return f"{weekday} {local:%H:%M}"
    return f"{weekday} {local:%d.%m.%Y %H:%M}"


def status_text(found: Status, now: dt.datetime, lang: str) -> str:
    if found.open_now:
        closes = (found.closes_at or now).astimezone(OSLO)
        if closes.date() == now.astimezone(OSLO).date():
            return label("open_until", lang, time=f"{closes:%H:%M}")
        return label("open_now", lang)
    if found.next_at is None:
        return label("closed_now", lang)
    when = when_text(found.next_at, now, lang)
    return f"{label('closed_now', lang)}. {label('next', lang, when=when)}"


@dataclass(frozen=True)
class TimetableView:
    open_now: bool
    status: str
    weekly: list[tuple[str, str, str]]
    dates: list[tuple[str, str, str]]
    validity: str | None
    labels: Mapping[str, str]


def _validity(timetable: Mapping[str, Any], lang: str) -> str | None:
    first, last = timetable.get("valid_from"), timetable.get("valid_to")
    if first and last:
        return label("from_to", lang, first=_day(first), last=_day(last))
    if first:
        return label("from", lang, day=_day(first))
    if last:
        return label("to", lang, day=_day(last))
    return None


def _closes(opens: str, closes: str, lang: str) -> str:
    return closes if closes > opens else f"{closes} ({label('next_day', lang)})"


def view(timetable: Mapping[str, Any] | None, now: dt.datetime, lang: str) -> TimetableView | None:
    """What a page shows of ``timetable`` at ``now``; None when there is nothing structured."""
    found = status(timetable, now)
    if timetable is None or is_empty(timetable) or found is None:
        return None
    order = {code: i for i, code in enumerate(WEEKDAYS.codes)}
    weekly = sorted(timetable.get("weekly") or [], key=lambda p: (order[p["day"]], p["opens"]))
    dates = sorted(timetable.get("dates") or [], key=lambda d: (d["date"], d["starts"]))
    return TimetableView(
        open_now=found.open_now,
        status=status_text(found, now, lang),
        weekly=[
            (WEEKDAYS.get(p["day"]).label(lang), p["opens"], _closes(p["opens"], p["closes"], lang))
            for p in weekly
        ],
        dates=[
            (_day(d["date"]), d["starts"], _closes(d["starts"], d["ends"], lang)) for d in dates
        ],
        validity=_validity(timetable, lang) if weekly else None,
        labels={
            key: label(key, lang)
            for key in ("weekly", "day", "opens", "closes", "dates", "date", "starts", "ends")
        },
    )
