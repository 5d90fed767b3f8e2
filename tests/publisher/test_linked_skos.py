"""The vocabularies as dereferenceable SKOS, and areas as dereferenceable ``dct:Location``."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS

from services.publisher.linked.namespaces import CV
from shared import vocab
from tests.publisher.node import BASE_URL
from tests.publisher.test_linked_offers import get_graph, parse_jsonld

NORWAY = URIRef("http://publications.europa.eu/resource/authority/country/NOR")


@pytest.mark.parametrize("vocabulary", vocab.ALL, ids=lambda v: v.id)
def test_every_vocabulary_is_a_concept_scheme(publisher, vocabulary):
    graph = get_graph(publisher, f"/vocabularies/{vocabulary.id}")
    scheme = URIRef(f"{BASE_URL}/vocabularies/{vocabulary.id}")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    assert graph.value(scheme, SKOS.prefLabel) is not None
    concepts = set(graph.objects(scheme, SKOS.hasTopConcept))
    assert concepts == {URIRef(f"{scheme}/{code}") for code in vocabulary.codes}
    for concept in concepts:
        assert (concept, RDF.type, SKOS.Concept) in graph
        assert (concept, SKOS.inScheme, scheme) in graph
        assert (concept, SKOS.topConceptOf, scheme) in graph
        labels = {label.language for label in graph.objects(concept, SKOS.prefLabel)}
        assert labels == {"nb", "nn", "en"}


def test_concept_dereferences_with_labels_and_notations(publisher):
    concept = URIRef(f"{BASE_URL}/vocabularies/diagnosis-group/adhd")
    graph = get_graph(publisher, "/vocabularies/diagnosis-group/adhd")
    assert (concept, RDF.type, SKOS.Concept) in graph
    assert (
        concept,
        SKOS.prefLabel,
        Literal("ADHD / hyperkinetiske forstyrrelser", lang="nb"),
    ) in graph
    assert set(graph.objects(concept, SKOS.notation)) == {Literal("adhd"), Literal("F90")}
    scheme = URIRef(f"{BASE_URL}/vocabularies/diagnosis-group")
    assert graph.value(concept, SKOS.inScheme) == scheme
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph


def test_concepts_an_offer_uses_dereference(publisher, offer_ids):
    offer = URIRef(f"{BASE_URL}/offers/{offer_ids['helsestasjon']}")
    graph = get_graph(publisher, f"/offers/{offer_ids['helsestasjon']}")
    used = set(graph.objects(offer, CV.isClassifiedBy)) | set(
        graph.objects(offer, DCTERMS.audience)
    )
    assert URIRef(f"{BASE_URL}/vocabularies/risk-group/bullying") in used
    for concept in used:
        path = str(concept).removeprefix(BASE_URL)
        assert (concept, RDF.type, SKOS.Concept) in get_graph(publisher, path)


def test_vocabulary_in_jsonld(publisher):
    response = publisher.get("/vocabularies/access", headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json" and "Accept" in response.headers["Vary"]
    graph = parse_jsonld(response.get_json(force=True))
    assert isomorphic(graph, get_graph(publisher, "/vocabularies/access"))


@pytest.mark.parametrize(
    "path",
    ["/vocabularies/no-such", "/vocabularies/access/no-such", "/vocabularies/no-such/open"],
)
def test_unknown_vocabulary_or_concept_is_404(publisher, path):
    response = publisher.get(path)
    assert response.status_code == 404
    assert response.get_json()["code"] == 404


def test_vocabulary_refuses_unsupported_types(publisher):
    response = publisher.get("/vocabularies/access", headers={"Accept": "application/xml"})
    assert response.status_code == 406


def test_municipality_dereferences_as_a_location_in_its_county(publisher):
    graph = get_graph(publisher, "/areas/3301")
    area = URIRef(f"{BASE_URL}/areas/3301")
    assert (area, RDF.type, DCTERMS.Location) in graph
    assert graph.value(area, SKOS.prefLabel) == Literal("Drammen", lang="nb")
    assert (area, DCTERMS.isPartOf, URIRef(f"{BASE_URL}/areas/33")) in graph
    assert (URIRef(f"{BASE_URL}/areas/33"), RDF.type, DCTERMS.Location) in graph


def test_region_has_names_in_every_language(publisher):
    graph = get_graph(publisher, "/areas/bufetat-sor")
    labels = set(graph.objects(URIRef(f"{BASE_URL}/areas/bufetat-sor"), SKOS.prefLabel))
    assert {label.language for label in labels} == {"nb", "nn", "en"}


def test_national_offers_cover_the_eu_country_iri(publisher, offer_ids):
    offer = URIRef(f"{BASE_URL}/offers/{offer_ids['leksehjelp']}")
    graph = get_graph(publisher, f"/offers/{offer_ids['leksehjelp']}")
    assert graph.value(offer, DCTERMS.spatial) == NORWAY
    assert publisher.get("/areas/NO").status_code == 404


def test_unknown_area_is_404(publisher):
    response = publisher.get("/areas/9999")
    assert response.status_code == 404
    assert response.get_json()["message"] == "There is no area with this code."
