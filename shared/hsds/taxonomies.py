"""Our vocabularies as HSDS taxonomies and taxonomy terms."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from shared import vocab
from shared.hsds.ids import LANGUAGE, taxonomy_id, taxonomy_term_id
from shared.vocab import Concept, Vocabulary

# Our vocabularies published as HSDS taxonomies, in this (stable) order. The language list is
# not among them: HSDS has its own ``languages`` objects for it.
TAXONOMIES: tuple[Vocabulary, ...] = (
    vocab.PYRAMID_LEVELS,
    vocab.OFFER_CATEGORIES,
    vocab.AUDIENCES,
    vocab.RISK_GROUPS,
    vocab.DIAGNOSIS_GROUPS,
    vocab.ACCESS,
    vocab.MEASURE_STATUSES,
)


def taxonomy(vocabulary: Vocabulary) -> dict[str, Any]:
    description = f"{vocabulary.title[LANGUAGE]}: kontrollert vokabular i Nettungen."
    if vocabulary.source:
        description += f" Kilde: {vocabulary.source}."
    return {
        "id": taxonomy_id(vocabulary),
        "name": vocabulary.title[LANGUAGE],
        "description": description,
    }


def taxonomy_term(
    vocabulary: Vocabulary, concept: Concept, *, with_taxonomy: bool = True
) -> dict[str, Any]:
    """One term; ``with_taxonomy`` nests the taxonomy as ``taxonomy_detail``."""
    name = concept.label(LANGUAGE)
    description = f"{vocabulary.title[LANGUAGE]}: {name}"
    if concept.notation:
        description += f" (ICD-10 {concept.notation})"
    term: dict[str, Any] = {
        "id": taxonomy_term_id(vocabulary, concept.code),
        "code": concept.code,
        "name": name,
        "description": description,
        "taxonomy": vocabulary.title[LANGUAGE],
        "taxonomy_id": taxonomy_id(vocabulary),
        "language": LANGUAGE,
    }
    if with_taxonomy:
        term["taxonomy_detail"] = taxonomy(vocabulary)
    return term


def all_taxonomy_terms() -> Iterator[tuple[Vocabulary, Concept]]:
    """Every term of every published taxonomy, in vocabulary order."""
    for vocabulary in TAXONOMIES:
        yield from ((vocabulary, concept) for concept in vocabulary)


def terms_of(document: Mapping[str, Any]) -> list[tuple[Vocabulary, Concept]]:
    """The taxonomy terms an offer version is classified with, in taxonomy order."""
    codes: dict[str, list[str]] = {
        vocab.PYRAMID_LEVELS.id: [str(document["level"])],
        vocab.OFFER_CATEGORIES.id: [document["category"]],
        vocab.AUDIENCES.id: list(document["audiences"]),
        vocab.RISK_GROUPS.id: list(document["risk_groups"]),
        vocab.DIAGNOSIS_GROUPS.id: list(document["diagnosis_groups"]),
        vocab.ACCESS.id: [document["access"]],
        vocab.MEASURE_STATUSES.id: [document["measure_status"]],
    }
    return [(v, v.get(code)) for v in TAXONOMIES for code in codes[v.id] if code in v]
