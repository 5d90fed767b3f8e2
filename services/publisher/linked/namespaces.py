"""The RDF namespaces of the publisher's linked data, declared once.

The prefixes are those the CPSV-AP-NO and DCAT-AP-NO shapes use, so a Turtle document reads the
same as the specifications; ``context.jsonld`` (static) maps the same prefixes for JSON-LD.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    GEO,
    ORG,
    OWL,
    RDF,
    RDFS,
    SKOS,
    XSD,
    DefinedNamespace,
)

ADMS = Namespace("http://www.w3.org/ns/adms#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CPSVNO = Namespace("https://data.norge.no/vocabulary/cpsvno#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("http://schema.org/")
SEC = Namespace("https://w3id.org/security#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
# The event stream: LDES and TREE, ActivityStreams for deletes, and our own few terms.
LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
NTG = Namespace("https://w3id.org/nettungen/ns#")
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")

# EU Publications Office authority tables (the controlled vocabularies both profiles name).
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_LANGUAGE = Namespace(EU_AUTHORITY + "language/")
EU_COUNTRY = Namespace(EU_AUTHORITY + "country/")
EU_CURRENCY = Namespace(EU_AUTHORITY + "currency/")
EU_FILE_TYPE = Namespace(EU_AUTHORITY + "file-type/")
EU_FREQUENCY = Namespace(EU_AUTHORITY + "frequency/")
EU_LICENCE = Namespace(EU_AUTHORITY + "licence/")
EU_DATA_THEME = Namespace(EU_AUTHORITY + "data-theme/")
EU_ACCESS_RIGHT = Namespace(EU_AUTHORITY + "access-right/")
PUBLISHER_TYPE = Namespace("http://purl.org/adms/publishertype/")
SERVICE_CHANNEL_TYPE = Namespace("https://data.norge.no/vocabulary/service-channel-type#")
LEGAL_RESOURCE_TYPE = Namespace("https://data.norge.no/vocabulary/legal-resource-type#")

PREFIXES: dict[str, Namespace | type[DefinedNamespace]] = {
    "adms": ADMS,
    "cpsv": CPSV,
    "cpsvno": CPSVNO,
    "cv": CV,
    "dcat": DCAT,
    "dct": DCTERMS,
    "eli": ELI,
    "foaf": FOAF,
    "geo": GEO,
    "locn": LOCN,
    "org": ORG,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": SCHEMA,
    "sec": SEC,
    "skos": SKOS,
    "vcard": VCARD,
    "xsd": XSD,
}


def new_graph() -> Graph:
    """An empty graph with our prefixes bound (and rdflib's defaults dropped)."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph
