"""CPSV-AP-NO descriptions of offer versions.

An offer of a public provider (municipality, county, region, state) is a ``cpsv:PublicService``
with the provider as ``cv:hasCompetentAuthority``; an offer of a voluntary or private provider is
a ``cpsvno:Service``, which CPSV-AP-NO introduced for services outside public authority, owned
(``cv:ownedBy``) by an ``org:Organization``. ``cpsv:PublicService`` is a subclass of
``cpsvno:Service``, so public offers carry ``cv:ownedBy`` too and satisfy both shapes.

Everything hanging off an offer gets a hash IRI under the described subject (``#contact``,
``#cost``, ...), so the description of one version never collides with another's and JSON-LD
round trips compare node for node. Organisations are the Brønnøysund register's IRIs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, GEO, ORG, RDF, SKOS

from services.publisher.linked.areas import add_area
from services.publisher.linked.hours import add_hours, link_hours
from services.publisher.linked.namespaces import (
    CPSV,
    CPSVNO,
    CV,
    ELI,
    EU_CURRENCY,
    EU_LANGUAGE,
    LEGAL_RESOURCE_TYPE,
    LOCN,
    PUBLISHER_TYPE,
    SCHEMA,
    SERVICE_CHANNEL_TYPE,
    VCARD,
)
from services.publisher.linked.skos import add_concept
from shared import vocab

LANG = "nb"
PUBLIC_KINDS = {
    "municipality": PUBLISHER_TYPE.LocalAuthority,
    "county": PUBLISHER_TYPE.RegionalAuthority,
    "region": PUBLISHER_TYPE.RegionalAuthority,
    "state": PUBLISHER_TYPE.NationalAuthority,
}
VOLUNTARY_TYPE = PUBLISHER_TYPE.NonProfitOrganisation
_LAW_ID = re.compile(r"^(LOV|FOR)-(\d{4}-\d{2}-\d{2}-\d+)$")


def organisation_iri(organisation_number: str) -> URIRef:
    return URIRef(f"https://data.brreg.no/enhetsregisteret/api/enheter/{organisation_number}")


def language_iri(iso_639_3: str) -> URIRef:
    """The EU language authority names languages by their ISO 639-3 code in capitals."""
    return EU_LANGUAGE[iso_639_3.upper()]


def is_public(document: Mapping[str, Any]) -> bool:
    return document["provider"]["kind"] in PUBLIC_KINDS


def describe_offer(graph: Graph, subject: URIRef, document: dict, base_url: str) -> None:
    """Add the CPSV-AP-NO description of one offer version document about ``subject``."""
    provider = add_organisation(graph, document["provider"], base_url)
    if is_public(document):
        graph.add((subject, RDF.type, CPSV.PublicService))
        graph.add((subject, CV.hasCompetentAuthority, provider))
    else:
        graph.add((subject, RDF.type, CPSVNO.Service))
    graph.add((subject, CV.ownedBy, provider))
    graph.add((subject, DCTERMS.identifier, Literal(str(subject), datatype=XSD.anyURI)))
    graph.add((subject, DCTERMS.title, Literal(document["name"], lang=LANG)))
    graph.add((subject, DCTERMS.description, Literal(document["description"], lang=LANG)))
    graph.add((subject, DCTERMS.modified, Literal(_datetime(document["published_at"]))))
    age_range = f"{document['age_min']}-{document['age_max']}"
    graph.add((subject, SCHEMA.typicalAgeRange, Literal(age_range)))
    if document.get("last_reviewed"):
        graph.add((subject, SCHEMA.lastReviewed, Literal(_date(document["last_reviewed"]))))
    for code in document["languages"]:
        graph.add((subject, DCTERMS.language, language_iri(code)))
    for code in document["coverage"]:
        graph.add((subject, DCTERMS.spatial, add_area(graph, base_url, code)))
    for guide in document.get("guides", []):
        graph.add((subject, FOAF.page, URIRef(guide["url"])))
    # Hours are a channel's in CPSV-AP-NO: the places', or the contact point's without one.
    hours = add_hours(graph, subject, document)
    point = _add_contact(graph, subject, document)
    if not document["locations"]:
        link_hours(graph, point, hours, document.get("schedule"), LANG)
    _add_channels(graph, subject, document, base_url, hours)
    _add_cost(graph, subject, document)
    _add_output(graph, subject, document)
    _add_legal_resources(graph, subject, document["statutory_duties"])
    _add_classification(graph, subject, document, base_url)


def add_organisation(graph: Graph, provider: Mapping[str, Any], base_url: str) -> URIRef:
    """The provider as the Brønnøysund register's IRI, typed by whether it is public.

    A public provider is a ``cv:PublicOrganisation`` and a ``foaf:Agent`` (what DCAT-AP-NO's
    publisher is); a voluntary one an ``org:Organization``. Both profiles' mandatory properties
    are given: name, organisation number, home area, publisher type.
    """
    iri = organisation_iri(provider["organisation_number"])
    public = provider["kind"] in PUBLIC_KINDS
    graph.add((iri, RDF.type, CV.PublicOrganisation if public else ORG.Organization))
    graph.add((iri, RDF.type, FOAF.Agent))
    name = Literal(provider["name"], lang=LANG)
    graph.add((iri, SKOS.prefLabel, name))
    graph.add((iri, DCTERMS.title, name))
    graph.add((iri, FOAF.name, name))
    graph.add((iri, DCTERMS.identifier, Literal(provider["organisation_number"])))
    graph.add((iri, DCTERMS.type, PUBLIC_KINDS.get(provider["kind"], VOLUNTARY_TYPE)))
    graph.add((iri, DCTERMS.spatial, add_area(graph, base_url, provider["home_area"])))
    return iri


def _add_contact(graph: Graph, subject: URIRef, document: Mapping[str, Any]) -> URIRef:
    contact = document["contact"]
    point = URIRef(f"{subject}#contact")
    graph.add((subject, CV.contactPoint, point))
    graph.add((point, RDF.type, CV.ContactPoint))
    if contact.get("name"):
        graph.add((point, VCARD.fn, Literal(contact["name"])))
    graph.add((point, VCARD["organization-unit"], Literal(document["agency"]["name"])))
    if contact.get("email"):
        graph.add((point, CV.email, Literal(contact["email"])))
    if contact.get("phone"):
        graph.add((point, CV.telephone, Literal(contact["phone"])))
    if contact.get("url"):
        graph.add((point, CV.contactPage, URIRef(contact["url"])))
    elif not (contact.get("email") or contact.get("phone")):
        # Nothing to call or write to: the offer's own page (provider, places, schedule) is
        # where a family can find its way in.
        graph.add((point, CV.contactPage, URIRef(document["uri"])))
    for code in document["languages"]:
        graph.add((point, VCARD.language, language_iri(code)))
    return point


def _add_channels(
    graph: Graph,
    subject: URIRef,
    document: Mapping[str, Any],
    base_url: str,
    hours: Iterable[URIRef] = (),
) -> None:
    """One ``cv:Channel`` per way in: telephone, e-mail, web page and each place (open when
    the offer is: ``hours``)."""
    contact = document["contact"]
    if contact.get("phone"):
        channel = _channel(graph, subject, "phone", SERVICE_CHANNEL_TYPE.telephone)
        graph.add((channel, VCARD.hasTelephone, Literal(_tel(contact["phone"]))))
    if contact.get("email"):
        channel = _channel(graph, subject, "email", SERVICE_CHANNEL_TYPE["e-mail"])
        graph.add((channel, VCARD.hasEmail, URIRef(f"mailto:{contact['email']}")))
    if contact.get("url"):
        # No channel type: Digdir's list has none for a page that only informs.
        channel = _channel(graph, subject, "web", None)
        graph.add((channel, VCARD.hasURL, URIRef(contact["url"])))
        graph.add((subject, FOAF.homepage, URIRef(contact["url"])))
    for number, place in enumerate(document["locations"], start=1):
        kind = SERVICE_CHANNEL_TYPE["service-bureau"]
        channel = _channel(graph, subject, f"location-{number}", kind)
        graph.add((channel, DCTERMS.description, Literal(place["name"], lang=LANG)))
        link_hours(graph, channel, hours, document.get("schedule"), LANG)
        address = URIRef(f"{subject}#location-{number}-address")
        graph.add((channel, VCARD.hasAddress, address))
        graph.add((address, RDF.type, VCARD.Address))
        for key, term in (
            ("street_address", "street-address"),
            ("postal_code", "postal-code"),
            ("postal_town", "locality"),
        ):
            if place.get(key):
                graph.add((address, VCARD[term], Literal(place[key])))
        graph.add((address, VCARD["country-name"], Literal("Norge", lang=LANG)))
        if place.get("municipality"):
            area = add_area(graph, base_url, place["municipality"])
            graph.add((channel, DCTERMS.spatial, area))
        if place.get("latitude") is not None and place.get("longitude") is not None:
            _add_point(graph, channel, URIRef(f"{subject}#location-{number}-point"), place)


def _add_point(graph: Graph, channel: URIRef, point: URIRef, place: Mapping[str, Any]) -> None:
    """The place's point as a ``dct:Location`` with a GeoSPARQL WKT geometry (longitude
    first: a WKT literal without a reference system is in CRS84, WGS84 by longitude and
    latitude)."""
    graph.add((channel, DCTERMS.spatial, point))
    graph.add((point, RDF.type, DCTERMS.Location))
    wkt = f"POINT({place['longitude']} {place['latitude']})"
    graph.add((point, LOCN.geometry, Literal(wkt, datatype=GEO.wktLiteral)))


def _channel(graph: Graph, subject: URIRef, name: str, kind: URIRef | None) -> URIRef:
    channel = URIRef(f"{subject}#{name}")
    graph.add((subject, CV.hasChannel, channel))
    graph.add((channel, RDF.type, CV.Channel))
    graph.add((channel, DCTERMS.identifier, Literal(str(channel), datatype=XSD.anyURI)))
    if kind is not None:
        graph.add((channel, DCTERMS.type, kind))
    return channel


def _tel(phone: str) -> str:
    """A ``tel:`` URI; an eight-digit number without a country code is Norwegian."""
    digits = re.sub(r"[^\d+]", "", phone)
    if not digits.startswith("+"):
        digits = ("+47" if len(digits) == 8 else "") + digits
    return f"tel:{digits}"


def _add_cost(graph: Graph, subject: URIRef, document: Mapping[str, Any]) -> None:
    cost = URIRef(f"{subject}#cost")
    graph.add((subject, CV.hasCost, cost))
    graph.add((cost, RDF.type, CV.Cost))
    graph.add((cost, DCTERMS.identifier, Literal(str(cost), datatype=XSD.anyURI)))
    if document["free_of_charge"]:
        graph.add((cost, CV.hasValue, Literal(0.0)))
        graph.add((cost, CV.currency, EU_CURRENCY.NOK))
        description = document.get("cost_description") or "Gratis."
    else:
        description = (
            document.get("cost_description") or "Tilbudet koster penger; spør tilbyderen om pris."
        )
    graph.add((cost, DCTERMS.description, Literal(description, lang=LANG)))


def _add_output(graph: Graph, subject: URIRef, document: Mapping[str, Any]) -> None:
    """The possible output CPSV-AP-NO requires: taking part in the offer, at its level."""
    output = URIRef(f"{subject}#output")
    level = vocab.PYRAMID_LEVELS.get(str(document["level"])).label(LANG)
    graph.add((subject, CPSVNO.hasPossibleOutput, output))
    graph.add((output, RDF.type, CPSVNO.PossibleOutput))
    graph.add((output, DCTERMS.title, Literal(f"Deltakelse i {document['name']}", lang=LANG)))
    graph.add((output, DCTERMS.description, Literal(f"{level}.", lang=LANG)))


def _add_legal_resources(graph: Graph, subject: URIRef, duties: Iterable[Mapping]) -> None:
    """Each statutory duty as the ``eli:LegalResource`` of its section, part of its law."""
    for duty in duties:
        law = _law_iri(duty["law_id"])
        section = URIRef(duty["url"]) if duty.get("url") else URIRef(f"{law}#{duty['code']}")
        graph.add((subject, CV.hasLegalResource, section))
        graph.add((section, RDF.type, ELI.LegalResource))
        graph.add((section, DCTERMS.type, LEGAL_RESOURCE_TYPE.act))
        title = f"{duty['law']} {duty['section']}"
        graph.add((section, DCTERMS.title, Literal(title, lang=LANG)))
        for language, text in duty["title"].items():
            graph.add((section, DCTERMS.description, Literal(text, lang=language)))
        graph.add((section, DCTERMS.identifier, Literal(f"{duty['law_id']} {duty['section']}")))
        graph.add((section, ELI.is_part_of, law))
        graph.add((law, RDF.type, ELI.LegalResource))
        graph.add((law, DCTERMS.type, LEGAL_RESOURCE_TYPE.act))
        graph.add((law, DCTERMS.title, Literal(duty["law"], lang=LANG)))
        graph.add((law, DCTERMS.identifier, Literal(duty["law_id"])))


def _law_iri(law_id: str) -> URIRef:
    """Lovdata's stable address of a law (``LOV-...``) or regulation (``FOR-...``)."""
    match = _LAW_ID.match(law_id)
    if match is None:
        return URIRef(f"https://lovdata.no/{law_id}")
    kind = "lov" if match.group(1) == "LOV" else "forskrift"
    return URIRef(f"https://lovdata.no/{kind}/{match.group(2)}")


def _add_classification(
    graph: Graph, subject: URIRef, document: Mapping[str, Any], base_url: str
) -> None:
    """Our vocabularies: audiences as ``dct:audience``, the rest as ``cv:isClassifiedBy``."""
    classified: list[tuple[vocab.Vocabulary, str]] = [
        (vocab.PYRAMID_LEVELS, str(document["level"])),
        (vocab.OFFER_CATEGORIES, document["category"]),
        (vocab.ACCESS, document["access"]),
        (vocab.MEASURE_STATUSES, document["measure_status"]),
    ]
    classified += [(vocab.RISK_GROUPS, code) for code in document["risk_groups"]]
    classified += [(vocab.DIAGNOSIS_GROUPS, code) for code in document["diagnosis_groups"]]
    for vocabulary, code in classified:
        concept = add_concept(graph, base_url, vocabulary, vocabulary.get(code))
        graph.add((subject, CV.isClassifiedBy, concept))
    for code in document["audiences"]:
        concept = add_concept(graph, base_url, vocab.AUDIENCES, vocab.AUDIENCES.get(code))
        graph.add((subject, DCTERMS.audience, concept))


def _datetime(value: dt.datetime | str) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _date(value: dt.date | str) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
