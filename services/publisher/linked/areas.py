"""Areas (``shared.areas``) as ``dct:Location``: the IRIs an offer's coverage points at.

Norway as a whole is the EU country authority's ``NOR``, the IRI both Norwegian profiles use in
their examples. Municipalities, counties and regions have no IRI derivable from their code
elsewhere (Geonorge's administrative-unit IRIs use internal ids, and regions are ours), so they
are ``{base}/areas/{code}``, served by this node. The code is the official SSB number, so the
IRI's last segment is the same on every node and stays stable across nodes.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from services.publisher.linked.namespaces import EU_AUTHORITY, EU_COUNTRY
from shared.areas import NATIONAL, Area, AreaKind, reference_data

NORWAY = EU_COUNTRY.NOR
_COUNTRY_SCHEME = URIRef(EU_AUTHORITY + "country")


def area_iri(base_url: str, code: str) -> URIRef:
    return NORWAY if code == NATIONAL else URIRef(f"{base_url}/areas/{code}")


def add_area(graph: Graph, base_url: str, code: str) -> URIRef:
    """Describe one area by code: its type, name, code and the county a municipality is in.

    A code retired by a newer classification (an old version's coverage) keeps its IRI and
    notation; only the names and parts it no longer has are left out.
    """
    iri = area_iri(base_url, code)
    graph.add((iri, RDF.type, DCTERMS.Location))
    if code not in reference_data():
        graph.add((iri, DCTERMS.identifier, Literal(code)))
        graph.add((iri, SKOS.notation, Literal(code)))
        return iri
    area = reference_data().get(code)
    for language, name in _names(area).items():
        graph.add((iri, SKOS.prefLabel, Literal(name, lang=language)))
    if iri == NORWAY:
        # The DCAT-AP-NO shapes accept a spatial value when its authority table is named.
        graph.add((iri, SKOS.inScheme, _COUNTRY_SCHEME))
        return iri
    graph.add((iri, DCTERMS.identifier, Literal(code)))
    graph.add((iri, SKOS.notation, Literal(code)))
    if area.kind is AreaKind.MUNICIPALITY and area.county_code:
        graph.add((iri, DCTERMS.isPartOf, area_iri(base_url, area.county_code)))
    graph.add((iri, DCTERMS.isPartOf, NORWAY))
    return iri


def describe_area(graph: Graph, base_url: str, code: str) -> URIRef | None:
    """The area with the areas it is part of, or None for an unknown code."""
    data = reference_data()
    if code not in data or code == NATIONAL:
        return None
    iri = add_area(graph, base_url, code)
    area = data.get(code)
    if area.kind is AreaKind.MUNICIPALITY and area.county_code:
        add_area(graph, base_url, area.county_code)
    add_area(graph, base_url, NATIONAL)
    return iri


def _names(area: Area) -> dict[str, str]:
    return dict(area.names) if area.names else {"nb": area.name}
