"""The node's DCAT-AP-NO catalog: its offers as one dataset, the ways to get them, its keys.

The catalog (``{base}/catalog``) holds the offers dataset with one distribution per way to
harvest it (the LDES stream, the HSDS API, the full dump in each RDF format), the data services
behind them, and our SKOS vocabularies, each a ``skos:ConceptScheme`` that is also a
``dcat:Dataset``. The vocabularies are datasets rather than ``dcat:themeTaxonomy`` values because
they classify offers, not datasets, and DCAT-AP-NO wants theme taxonomies from EuroVoc.

The node's public signing keys are linked (the JWKS) and described as W3C Multikey verification
methods controlled by the catalog, so a harvester that trusts the catalog can check signed LDES
members without reading JWK.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.publisher.linked.areas import add_area
from services.publisher.linked.cpsv import add_organisation, language_iri, organisation_iri
from services.publisher.linked.namespaces import (
    EU_AUTHORITY,
    EU_DATA_THEME,
    EU_FILE_TYPE,
    EU_FREQUENCY,
    EU_LICENCE,
    LDES_SPECIFICATION,
    SEC,
    VCARD,
)
from services.publisher.linked.skos import add_scheme
from services.publisher.negotiation import JSON_LD, N_TRIPLES, TURTLE
from shared import vocab
from shared.areas import NATIONAL
from shared.publication import EVENT_PUBLISHED, EVENT_WITHDRAWN
from shared.publication.keys import all_keys, verification_keys
from shared.publication.models import LogEntry
from shared.signing import multibase_key

HSDS_SPECIFICATION = URIRef("https://docs.openreferral.org/en/latest/hsds/")
SKOS_SPECIFICATION = URIRef("http://www.w3.org/2004/02/skos/core")
_STANDARDS = {
    LDES_SPECIFICATION: "Linked Data Event Streams",
    HSDS_SPECIFICATION: "Human Services Data Specification 3.1",
    SKOS_SPECIFICATION: "SKOS Simple Knowledge Organization System",
}
# NLOD 2.0, the Norwegian licence for open government data, in the EU licence table.
LICENCE = EU_LICENCE.NLOD_2_0
_IANA = "https://www.iana.org/assignments/media-types/"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_TYPES = {
    TURTLE: "RDF_TURTLE",
    JSON_LD: "JSON_LD",
    N_TRIPLES: "RDF_N_TRIPLES",
    CSV: "CSV",
    XLSX: "XLSX",
}
# The tables of published offers (shared.offer_table), for spreadsheets.
TABLES = {
    "csv": (CSV, "Alle publiserte tilbud som CSV-tabell (semikolon)"),
    "xlsx": (XLSX, "Alle publiserte tilbud som Excel-tabell"),
}
_DUMP_FORMATS = {TURTLE: "ttl", JSON_LD: "jsonld", N_TRIPLES: "nt"}


@dataclass(frozen=True)
class NodeSettings:
    """What the catalog says about the node; from the publisher's configuration."""

    base_url: str
    title: str
    publisher_orgnr: str | None
    contact_email: str | None
    jwks_path: str


def catalog_iri(base_url: str) -> URIRef:
    return URIRef(f"{base_url}/catalog")


def describe_catalog(graph: Graph, session: Session, node: NodeSettings) -> URIRef:
    """Add the node's catalog, its dataset, distributions, vocabularies and keys."""
    catalog = catalog_iri(node.base_url)
    publisher = _add_publisher(graph, session, node)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    graph.add((catalog, DCTERMS.identifier, Literal(str(catalog))))
    graph.add((catalog, DCTERMS.title, Literal(node.title, lang="nb")))
    description = f"Tilbud til barn, unge og familier publisert av Nettungen-noden {node.title}."
    graph.add((catalog, DCTERMS.description, Literal(description, lang="nb")))
    graph.add((catalog, DCTERMS.publisher, publisher))
    graph.add((catalog, DCTERMS.license, _concept(graph, LICENCE, "licence")))
    graph.add((catalog, DCTERMS.language, _language(graph, "nob")))
    last = session.scalar(select(func.max(LogEntry.occurred_at)))
    if last is not None:
        graph.add((catalog, DCTERMS.modified, Literal(last)))
    offers = _add_offers_dataset(graph, node, publisher, last)
    graph.add((catalog, DCAT.dataset, offers))
    for service in _add_data_services(graph, node, publisher, offers):
        graph.add((catalog, DCAT.service, service))
    for vocabulary in vocab.ALL:
        graph.add((catalog, DCAT.dataset, _add_vocabulary(graph, node, publisher, vocabulary)))
    _add_keys(graph, session, node, catalog)
    for standard, title in _STANDARDS.items():
        graph.add((standard, RDF.type, DCTERMS.Standard))
        graph.add((standard, DCTERMS.title, Literal(title, lang="en")))
    return catalog


def _add_publisher(graph: Graph, session: Session, node: NodeSettings) -> URIRef:
    """Who publishes the catalog: the configured organisation, else the node's first provider.

    A node with nothing published yet and no configured organisation names itself; the hash
    IRI keeps the publisher an IRI (as DCAT-AP-NO requires) that dereferences to this catalog.
    """
    query = (
        select(LogEntry.snapshot)
        .where(LogEntry.event_type.in_((EVENT_PUBLISHED, EVENT_WITHDRAWN)))
        .order_by(LogEntry.seq)
        .limit(1)
    )
    if node.publisher_orgnr:
        query = query.where(LogEntry.organisation_number == node.publisher_orgnr)
    snapshot = session.scalar(query)
    if snapshot is not None:
        publisher = add_organisation(graph, json.loads(snapshot)["provider"], node.base_url)
        return publisher
    if node.publisher_orgnr:
        publisher = organisation_iri(node.publisher_orgnr)
        graph.add((publisher, DCTERMS.identifier, Literal(node.publisher_orgnr)))
    else:
        publisher = URIRef(f"{catalog_iri(node.base_url)}#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(node.title, lang="nb")))
    return publisher


def _add_offers_dataset(
    graph: Graph, node: NodeSettings, publisher: URIRef, modified: dt.datetime | None
) -> URIRef:
    dataset = URIRef(f"{catalog_iri(node.base_url)}#offers")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    graph.add((dataset, DCTERMS.title, Literal(f"Tilbud i {node.title}", lang="nb")))
    graph.add((dataset, DCTERMS.title, Literal(f"Offers in {node.title}", lang="en")))
    description = (
        "Tilbud til barn, unge og familier (CPSV-AP-NO), med hver publiserte og tilbaketrukne "
        "versjon i en LDES-strøm."
    )
    graph.add((dataset, DCTERMS.description, Literal(description, lang="nb")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.theme, _concept(graph, EU_DATA_THEME.SOCI, "data-theme")))
    graph.add((dataset, DCTERMS.spatial, add_area(graph, node.base_url, NATIONAL)))
    graph.add((dataset, DCTERMS.language, _language(graph, "nob")))
    frequency = _concept(graph, EU_FREQUENCY.UPDATE_CONT, "frequency")
    graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
    if modified is not None:
        graph.add((dataset, DCTERMS.modified, Literal(modified)))
    if node.contact_email:
        contact = URIRef(f"{catalog_iri(node.base_url)}#contact")
        graph.add((contact, RDF.type, VCARD.Organization))
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{node.contact_email}")))
        graph.add((contact, VCARD["organization-name"], Literal(node.title, lang="nb")))
        graph.add((dataset, DCAT.contactPoint, contact))
    for vocabulary in vocab.ALL:
        graph.add((dataset, DCTERMS.references, _vocabulary_iri(node, vocabulary)))
    return dataset


def _add_data_services(
    graph: Graph, node: NodeSettings, publisher: URIRef, dataset: URIRef
) -> list[URIRef]:
    """The LDES stream and the HSDS API, each a data service and a distribution."""
    base = node.base_url
    services = []
    for name, endpoint, specification, media_type, title in (
        ("ldes", f"{base}/ldes", LDES_SPECIFICATION, TURTLE, "LDES-strøm av tilbudsversjoner"),
        ("hsds", f"{base}/hsds/", HSDS_SPECIFICATION, "application/json", "HSDS 3.1-API"),
    ):
        service = URIRef(f"{catalog_iri(base)}#{name}")
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((service, DCTERMS.identifier, Literal(str(service))))
        graph.add((service, DCTERMS.title, Literal(title, lang="nb")))
        graph.add((service, DCAT.endpointURL, URIRef(endpoint)))
        graph.add((service, DCTERMS.conformsTo, specification))
        graph.add((service, DCAT.servesDataset, dataset))
        graph.add((service, DCTERMS.publisher, publisher))
        graph.add((service, DCTERMS.license, _concept(graph, LICENCE, "licence")))
        if name == "hsds":
            graph.add((service, DCAT.endpointDescription, URIRef(f"{base}/openapi.json")))
        distribution = _distribution(graph, URIRef(f"{service}-distribution"), endpoint)
        graph.add((distribution, DCTERMS.title, Literal(title, lang="nb")))
        graph.add((distribution, DCTERMS.conformsTo, specification))
        graph.add((distribution, DCAT.accessService, service))
        graph.add((distribution, DCAT.mediaType, URIRef(_IANA + media_type)))
        if media_type == TURTLE:
            graph.add((distribution, DCTERMS.format, _file_type(graph, TURTLE)))
        graph.add((dataset, DCAT.distribution, distribution))
        services.append(service)
    for media_type, extension in _DUMP_FORMATS.items():
        url = f"{base}/catalog/dump?format={extension}"
        dump = _distribution(graph, URIRef(f"{catalog_iri(base)}#dump-{extension}"), url)
        graph.add((dump, DCAT.downloadURL, URIRef(url)))
        title = f"Alle publiserte tilbud ({extension})"
        graph.add((dump, DCTERMS.title, Literal(title, lang="nb")))
        graph.add((dump, DCAT.mediaType, URIRef(_IANA + media_type)))
        graph.add((dump, DCTERMS.format, _file_type(graph, media_type)))
        graph.add((dataset, DCAT.distribution, dump))
    for extension, (media_type, title) in TABLES.items():
        url = f"{base}/offers.{extension}"
        table = _distribution(graph, URIRef(f"{catalog_iri(base)}#table-{extension}"), url)
        graph.add((table, DCAT.downloadURL, URIRef(url)))
        graph.add((table, DCTERMS.title, Literal(title, lang="nb")))
        graph.add((table, DCAT.mediaType, URIRef(_IANA + media_type)))
        graph.add((table, DCTERMS.format, _file_type(graph, media_type)))
        graph.add((dataset, DCAT.distribution, table))
    return services


def _add_vocabulary(
    graph: Graph, node: NodeSettings, publisher: URIRef, vocabulary: vocab.Vocabulary
) -> URIRef:
    """A concept scheme, listed in the catalog as a dataset of its own with RDF distributions."""
    scheme = add_scheme(graph, node.base_url, vocabulary)
    graph.add((scheme, RDF.type, DCAT.Dataset))
    title = vocabulary.title["nb"]
    description = f"Kontrollert vokabular i Nettungen (SKOS): {title}."
    graph.add((scheme, DCTERMS.description, Literal(description, lang="nb")))
    graph.add((scheme, DCTERMS.publisher, publisher))
    graph.add((scheme, DCAT.theme, _concept(graph, EU_DATA_THEME.SOCI, "data-theme")))
    graph.add((scheme, DCTERMS.conformsTo, SKOS_SPECIFICATION))
    for media_type, extension in _DUMP_FORMATS.items():
        url = f"{scheme}?format={extension}"
        distribution = _distribution(graph, URIRef(f"{scheme}#{extension}"), url)
        graph.add((distribution, DCAT.downloadURL, URIRef(url)))
        graph.add((distribution, DCAT.mediaType, URIRef(_IANA + media_type)))
        graph.add((distribution, DCTERMS.format, _file_type(graph, media_type)))
        graph.add((scheme, DCAT.distribution, distribution))
    return scheme


def _add_keys(graph: Graph, session: Session, node: NodeSettings, catalog: URIRef) -> None:
    """Every signing key, current and rotated out, as a Multikey the catalog controls.

    A rotated-out key expires when it was retired and verifies only events up to its last
    sequence number; that number is stated too, as the JWKS does.
    """
    jwks = URIRef(f"{node.base_url}{node.jwks_path}")
    graph.add((catalog, RDFS.seeAlso, jwks))
    graph.add((jwks, RDF.type, FOAF.Document))
    graph.add(
        (jwks, DCTERMS.title, Literal("Nodens offentlige signeringsnøkler (JWKS)", lang="nb"))
    )
    retired = {row.key_id: row.retired_at for row in all_keys(session)}
    for key in verification_keys(session).values():
        method = URIRef(f"{jwks}#{key.key_id}")
        graph.add((catalog, SEC.verificationMethod, method))
        graph.add((method, RDF.type, SEC.Multikey))
        graph.add((method, SEC.controller, catalog))
        graph.add((method, SEC.publicKeyMultibase, Literal(multibase_key(key.public))))
        graph.add((method, DCTERMS.identifier, Literal(key.key_id)))
        if key.last_sequence is None:
            graph.add((catalog, SEC.assertionMethod, method))
            continue
        if retired.get(key.key_id) is not None:
            graph.add((method, SEC.expires, Literal(retired[key.key_id])))
        note = f"Rotated out: verifies events up to sequence number {key.last_sequence}."
        graph.add((method, RDFS.comment, Literal(note, lang="en")))


def _vocabulary_iri(node: NodeSettings, vocabulary: vocab.Vocabulary) -> URIRef:
    return URIRef(f"{node.base_url}/vocabularies/{vocabulary.id}")


def _distribution(graph: Graph, iri: URIRef, access_url: str) -> URIRef:
    graph.add((iri, RDF.type, DCAT.Distribution))
    graph.add((iri, DCAT.accessURL, URIRef(access_url)))
    graph.add((iri, DCTERMS.license, _concept(graph, LICENCE, "licence")))
    return iri


def _file_type(graph: Graph, media_type: str) -> URIRef:
    return _concept(graph, EU_FILE_TYPE[_FILE_TYPES[media_type]], "file-type")


def _language(graph: Graph, iso_639_3: str) -> URIRef:
    return _concept(graph, language_iri(iso_639_3), "language")


def _concept(graph: Graph, iri: URIRef, table: str) -> URIRef:
    """A value from an EU authority table, saying which table (the shapes check it)."""
    graph.add((iri, SKOS.inScheme, URIRef(EU_AUTHORITY + table)))
    return iri
