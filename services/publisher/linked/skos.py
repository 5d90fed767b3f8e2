"""Our controlled vocabularies (``shared.vocab``) as SKOS concept schemes.

Every node publishes the same schemes under its own base URL, so each node's data links to
concepts that node itself can dereference: ``{base}/vocabularies/{vocab-id}`` is the scheme and
``{base}/vocabularies/{vocab-id}/{code}`` a concept. Codes never change meaning, so consumers
compare concepts across nodes by the path after the base URL, which is the same everywhere.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from shared import vocab


def scheme_iri(base_url: str, vocabulary: vocab.Vocabulary) -> URIRef:
    return URIRef(f"{base_url}/vocabularies/{vocabulary.id}")


def concept_iri(base_url: str, vocabulary: vocab.Vocabulary, code: str) -> URIRef:
    return URIRef(f"{base_url}/vocabularies/{vocabulary.id}/{code}")


def add_concept(
    graph: Graph, base_url: str, vocabulary: vocab.Vocabulary, concept: vocab.Concept
) -> URIRef:
    """Describe one concept: labels in every language, its code, its scheme.

    Offer descriptions use this too, so a harvester that never dereferences our vocabularies
    still has the labels and the ``skos:Concept`` type the CPSV-AP-NO shapes check.
    """
    iri = concept_iri(base_url, vocabulary, concept.code)
    scheme = scheme_iri(base_url, vocabulary)
    graph.add((iri, RDF.type, SKOS.Concept))
    for language, label in concept.labels.items():
        graph.add((iri, SKOS.prefLabel, Literal(label, lang=language)))
    graph.add((iri, SKOS.notation, Literal(concept.code)))
    if concept.notation:
        # An external code (an ICD-10 block, say) is a second notation of the same concept.
        graph.add((iri, SKOS.notation, Literal(concept.notation)))
    graph.add((iri, SKOS.inScheme, scheme))
    graph.add((iri, SKOS.topConceptOf, scheme))
    return iri


def add_scheme(graph: Graph, base_url: str, vocabulary: vocab.Vocabulary) -> URIRef:
    """Describe a concept scheme with all its concepts (our vocabularies are flat)."""
    scheme = scheme_iri(base_url, vocabulary)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for language, title in vocabulary.title.items():
        graph.add((scheme, SKOS.prefLabel, Literal(title, lang=language)))
        graph.add((scheme, DCTERMS.title, Literal(title, lang=language)))
    graph.add((scheme, DCTERMS.identifier, Literal(vocabulary.id)))
    if vocabulary.source:
        # A citation, not a resource we could link, so a note rather than dct:source.
        graph.add((scheme, SKOS.note, Literal(f"Kilde: {vocabulary.source}", lang="nb")))
    for concept in vocabulary:
        iri = add_concept(graph, base_url, vocabulary, concept)
        graph.add((scheme, SKOS.hasTopConcept, iri))
    return scheme


def describe_scheme(graph: Graph, base_url: str, vocabulary_id: str) -> URIRef | None:
    """The scheme named ``vocabulary_id``, or None when there is no such vocabulary."""
    vocabulary = vocab.BY_ID.get(vocabulary_id)
    if vocabulary is None:
        return None
    return add_scheme(graph, base_url, vocabulary)


def describe_concept(graph: Graph, base_url: str, vocabulary_id: str, code: str) -> URIRef | None:
    """One concept with a short description of its scheme, or None when unknown."""
    vocabulary = vocab.BY_ID.get(vocabulary_id)
    if vocabulary is None or code not in vocabulary:
        return None
    scheme = scheme_iri(base_url, vocabulary)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for language, title in vocabulary.title.items():
        graph.add((scheme, SKOS.prefLabel, Literal(title, lang=language)))
    return add_concept(graph, base_url, vocabulary, vocabulary.get(code))
