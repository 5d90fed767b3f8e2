"""Our RDF against the official shapes: CPSV-AP-NO for offers, DCAT-AP-NO for the catalog.

``conforms`` is pyshacl's strict verdict: a warning fails it as much as a violation does.
The CPSV-AP-NO ontology is given as ``ont_graph`` so that ``cpsv:PublicService``, a subclass of
``cpsvno:Service``, is held to both classes' shapes. No RDFS inference: the ontology declares
domains as lists of classes, which RDFS would read as an intersection and so turn every
``cpsvno:Service`` into a public service.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, GEO, RDF, TIME
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from services.publisher.linked.cpsv import describe_offer
from services.publisher.linked.namespaces import CV, LOCN, SCHEMA, new_graph
from shared.db import create_engine
from shared.publication.models import PublishedOffer
from tests.publisher.node import BASE_URL
from tests.publisher.rdf import check


def published_documents(url: str) -> dict[str, dict[str, Any]]:
    engine = create_engine(url)
    with sessionmaker(engine)() as session:
        rows = session.execute(select(PublishedOffer.offer_id, PublishedOffer.snapshot)).all()
    engine.dispose()
    return {offer_id: json.loads(snapshot) for offer_id, snapshot in rows}


@pytest.fixture(scope="module")
def documents(standard_node: tuple[str, dict[str, str]]) -> dict[str, dict[str, Any]]:
    """The standard node's published version documents, by offer name."""
    by_id = published_documents(standard_node[0])
    return {name: by_id[i] for name, i in standard_node[1].items() if i in by_id}


@pytest.mark.parametrize(
    "name",
    ["helsestasjon", "foreldrekurs", "oppfolging", "ppt", "familievern", "leksehjelp"],
)
def test_every_published_offer_conforms_to_cpsv_ap_no(publisher, offer_ids, cpsv_shapes, name):
    response = publisher.get(f"/offers/{offer_ids[name]}", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    conforms, report = check(graph, cpsv_shapes)
    assert conforms, report


TIMETABLE = {
    "weekly": [
        {"day": "tue", "opens": "18:00", "closes": "20:00"},
        {"day": "fri", "opens": "22:00", "closes": "02:00"},
    ],
    "valid_from": "2026-08-17",
    "valid_to": "2026-12-18",
    "dates": [{"date": "2026-09-01", "starts": "17:30", "ends": "19:30"}],
}


def _variant(document: dict[str, Any], **changes: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed.update(changes)
    return changed


@pytest.mark.parametrize(
    ("base", "changes"),
    [
        # voluntary: paid, statutory, no way to get in touch but the page, no places
        (
            "leksehjelp",
            {"free_of_charge": False, "cost_description": None, "contact": {}, "locations": []},
        ),
        ("leksehjelp", {"statutory_duties": "from:helsestasjon", "diagnosis_groups": ["adhd"]}),
        # public: paid without a description, no contact name, a region as provider
        ("familievern", {"free_of_charge": False, "cost_description": None}),
        ("ppt", {"provider": "region", "coverage": ["bufetat-sor", "NO"], "schedule": None}),
        ("helsestasjon", {"last_reviewed": "2024-03-01", "guides": "example"}),
        # a place with a point (a dct:Location with a GeoSPARQL geometry)
        ("helsestasjon", {"locations": "with a point"}),
        # structured opening hours and dates, on the offer and its places
        ("helsestasjon", {"timetable": TIMETABLE}),
        ("leksehjelp", {"timetable": TIMETABLE, "locations": []}),
    ],
)
def test_describe_offer_conforms_for_every_kind_of_offer(documents, cpsv_shapes, base, changes):
    document = _variant(documents[base])
    for key, value in changes.items():
        if value == "from:helsestasjon":
            value = documents["helsestasjon"]["statutory_duties"]
        elif key == "provider":
            value = {**document["provider"], "kind": value, "home_area": "bufetat-sor"}
        elif key == "locations" and value == "with a point":
            value = [{**document["locations"][0], "latitude": 59.7437, "longitude": 10.2018}]
        elif key == "guides":
            value = [{"title": "Handlingsveileder", "url": "https://www.example.org/veileder"}]
        document[key] = value
    graph = new_graph()
    subject = URIRef(f"{document['uri']}/versions/{document['version']}")
    describe_offer(graph, subject, document, BASE_URL)
    conforms, report = check(graph, cpsv_shapes)
    assert conforms, report


def test_a_places_point_is_a_wkt_geometry_longitude_first(documents):
    document = _variant(documents["helsestasjon"])
    document["locations"] = [
        {"name": "Familiens hus", "latitude": 59.7437, "longitude": 10.2018},
        {"name": "Uten punkt"},
    ]
    graph = new_graph()
    subject = URIRef(f"{document['uri']}/versions/{document['version']}")
    describe_offer(graph, subject, document, BASE_URL)
    point = URIRef(f"{subject}#location-1-point")
    assert (URIRef(f"{subject}#location-1"), DCTERMS.spatial, point) in graph
    assert (point, RDF.type, DCTERMS.Location) in graph
    wkt = Literal("POINT(10.2018 59.7437)", datatype=GEO.wktLiteral)
    assert list(graph.objects(point, LOCN.geometry)) == [wkt]
    assert not list(graph.objects(URIRef(f"{subject}#location-2"), DCTERMS.spatial))


def test_the_shapes_catch_a_broken_description(documents, cpsv_shapes):
    """The check can fail: a public service without an owner breaks the cpsvno:Service shape,
    which applies only through the ontology's subclass axiom."""
    graph = new_graph()
    subject = URIRef(documents["helsestasjon"]["uri"])
    describe_offer(graph, subject, documents["helsestasjon"], BASE_URL)
    graph.remove((subject, CV.ownedBy, None))
    conforms, report = check(graph, cpsv_shapes)
    assert not conforms
    assert "cv:ownedBy" in report


def test_opening_hours_are_on_the_places_channels_not_the_service(documents):
    document = _variant(documents["helsestasjon"], timetable=TIMETABLE)
    graph = new_graph()
    subject = URIRef(document["uri"])
    describe_offer(graph, subject, document, BASE_URL)
    turtle = graph.serialize(format="nt")
    tuesday = URIRef(f"{subject}#hours-1")
    place = URIRef(f"{subject}#location-1")
    # CPSV-AP-NO's shapes give hours to channels (and contact points), its examples as
    # schema:hoursAvailable and schema:openingHours (text).
    assert (place, SCHEMA.hoursAvailable, tuesday) in graph
    assert (place, SCHEMA.openingHours, Literal(document["schedule"], lang="nb")) in graph
    assert not list(graph.objects(subject, SCHEMA.hoursAvailable))
    assert not list(graph.objects(subject, CV.openingHours))
    assert not list(graph.objects(subject, SCHEMA.openingHours))
    assert (tuesday, RDF.type, SCHEMA.OpeningHoursSpecification) in graph
    assert (tuesday, SCHEMA.dayOfWeek, URIRef("http://schema.org/Tuesday")) in graph
    assert (tuesday, SCHEMA.opens, Literal("18:00:00", datatype=XSD.time)) in graph
    assert (tuesday, SCHEMA.closes, Literal("20:00:00", datatype=XSD.time)) in graph
    assert (tuesday, SCHEMA.validThrough, Literal("2026-12-18", datatype=XSD.date)) in graph
    course = URIRef(f"{subject}#date-1")
    assert (course, SCHEMA.dayOfWeek, URIRef("http://schema.org/Tuesday")) in graph  # 1 Sep 2026
    assert (course, SCHEMA.validFrom, Literal("2026-09-01", datatype=XSD.date)) in graph
    assert (course, SCHEMA.validThrough, Literal("2026-09-01", datatype=XSD.date)) in graph
    assert turtle.count("OpeningHoursSpecification") == 3


def test_an_offer_at_no_place_has_its_hours_on_its_contact_point(documents, cpsv_shapes):
    document = _variant(documents["leksehjelp"], timetable=TIMETABLE, locations=[])
    graph = new_graph()
    subject = URIRef(document["uri"])
    describe_offer(graph, subject, document, BASE_URL)
    point = URIRef(f"{subject}#contact")
    assert (point, SCHEMA.hoursAvailable, URIRef(f"{subject}#hours-1")) in graph
    assert (point, SCHEMA.hoursAvailable, URIRef(f"{subject}#date-1")) in graph
    assert not list(graph.objects(subject, SCHEMA.hoursAvailable))
    conforms, report = check(graph, cpsv_shapes)
    assert conforms, report


def test_the_shapes_demand_a_time_description_of_hours_as_cv_opening_hours(documents, cpsv_shapes):
    """Why the hours are not cv:openingHours: its value must be a time:TemporalEntity, and
    the shapes then demand a time:inDateTime of it (their TemporalEntity, Instant and
    DateTimeDescription shapes share one IRI). If a new version of the shapes lets this
    conform, cv:openingHours can be added beside schema:hoursAvailable."""
    document = _variant(documents["helsestasjon"], timetable=TIMETABLE)
    graph = new_graph()
    subject = URIRef(document["uri"])
    describe_offer(graph, subject, document, BASE_URL)
    assert not list(graph.subject_objects(CV.openingHours))
    assert check(graph, cpsv_shapes)[0]
    for spec in graph.subjects(RDF.type, SCHEMA.OpeningHoursSpecification):
        graph.add((spec, RDF.type, TIME.TemporalEntity))
        graph.add((URIRef(f"{subject}#location-1"), CV.openingHours, spec))
    conforms, report = check(graph, cpsv_shapes)
    assert not conforms
    assert "time:inDateTime" in report
