"""An offer's timetable in CPSV-AP-NO: one ``schema:OpeningHoursSpecification`` per weekly
period and per dated occurrence (days of the week, ``schema:opens`` and ``schema:closes`` as
``xsd:time``, ``schema:validFrom``/``schema:validThrough`` as dates), on the channels.

CPSV-AP-NO puts opening hours on a channel (``cv:Channel``) or a contact point, never on the
service: its shapes give only those two classes opening hours. Its examples give a channel (and
a contact point) ``schema:hoursAvailable`` (structured) and ``schema:openingHours`` (text), and
so do we (:func:`link_hours`). The shapes' own property, ``cv:openingHours``, must point at a
``time:TemporalEntity``, and the shapes (v1) declare the node shapes of ``time:TemporalEntity``,
``time:Instant`` and ``time:DateTimeDescription`` under one IRI, so every temporal entity would
need a ``time:inDateTime`` description that itself needs one: nothing finite conforms, and we
leave ``cv:openingHours`` out (tests/publisher/test_linked_shacl.py shows it). The holders are
the offer's places (its service-bureau channels) or, for an offer at no place, its contact
point.

Times are Norwegian wall-clock time (``xsd:time`` without a zone is local time); a closing time
not after the opening time is on the next day, as schema.org reads it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
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
    """The timetable's opening-hours specifications, named under ``subject``; returned for
    :func:`link_hours`, which gives them their holders."""
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
    graph.add((spec, RDF.type, SCHEMA.OpeningHoursSpecification))
    graph.add((spec, SCHEMA.dayOfWeek, SCHEMA[SCHEMA_DAYS[day]]))
    graph.add((spec, SCHEMA.opens, _time(times["opens"])))
    graph.add((spec, SCHEMA.closes, _time(times["closes"])))
    return spec


def link_hours(
    graph: Graph, holder: URIRef, specs: Iterable[URIRef], text: str | None, lang: str
) -> None:
    """Give a channel or contact point the offer's hours: each specification as
    ``schema:hoursAvailable``, the free text as ``schema:openingHours``."""
    for spec in specs:
        graph.add((holder, SCHEMA.hoursAvailable, spec))
    if text:
        graph.add((holder, SCHEMA.openingHours, Literal(text, lang=lang)))
