"""An offer's timetable in CPSV-AP-NO: ``schema:hoursAvailable`` with one
``schema:OpeningHoursSpecification`` per weekly period and per dated occurrence, as the
CPSV-AP-NO examples give a channel's opening hours (days of the week, ``schema:opens`` and
``schema:closes`` as ``xsd:time``, ``schema:validFrom``/``schema:validThrough`` as dates).

The hours are the offer's and those of each place it is at (the service-bureau channels).
Times are Norwegian wall-clock time; a closing time not after the opening time is on the next
day, as schema.org reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF

from services.publisher.linked.namespaces import SCHEMA
from shared.timetable import DAY_CODES

SCHEMA_DAYS = dict(
    zip(
        DAY_CODES,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def _time(value: str) -> Literal:
    return Literal(f"{value}:00", datatype=XSD.time)


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def add_hours(graph: Graph, subject: URIRef, document: Mapping[str, Any]) -> list[URIRef]:
    """The timetable's opening-hours specifications, linked from ``subject``; returned so the
    places' channels can link them too."""
    timetable = document.get("timetable") or {}
    specs: list[URIRef] = []
    for number, period in enumerate(timetable.get("weekly") or [], start=1):
        spec = _spec(graph, subject, f"hours-{number}", period["day"], period)
        if timetable.get("valid_from"):
            graph.add((spec, SCHEMA.validFrom, _date(timetable["valid_from"])))
        if timetable.get("valid_to"):
            graph.add((spec, SCHEMA.validThrough, _date(timetable["valid_to"])))
        specs.append(spec)
    for number, occurrence in enumerate(timetable.get("dates") or [], start=1):
        day = DAY_CODES[dt.date.fromisoformat(occurrence["date"]).weekday()]
        times = {"opens": occurrence["starts"], "closes": occurrence["ends"]}
        spec = _spec(graph, subject, f"date-{number}", day, times)
        graph.add((spec, SCHEMA.validFrom, _date(occurrence["date"])))
        graph.add((spec, SCHEMA.validThrough, _date(occurrence["date"])))
        specs.append(spec)
    return specs


def _spec(graph: Graph, subject: URIRef, name: str, day: str, times: Mapping[str, str]) -> URIRef:
    spec = URIRef(f"{subject}#{name}")
    graph.add((subject, SCHEMA.hoursAvailable, spec))
    graph.add((spec, RDF.type, SCHEMA.OpeningHoursSpecification))
    graph.add((spec, SCHEMA.dayOfWeek, SCHEMA[SCHEMA_DAYS[day]]))
    graph.add((spec, SCHEMA.opens, _time(times["opens"])))
    graph.add((spec, SCHEMA.closes, _time(times["closes"])))
    return spec
