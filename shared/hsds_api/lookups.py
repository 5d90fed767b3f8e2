"""What every HSDS API answers alike: our vocabularies as taxonomies, ids, names and order.

The taxonomies are the same on every node and in the national search (``shared.vocab``), so
they are looked up here rather than in a data source. Ids are compared as lower-case UUID
text; a text that is no UUID names nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from shared import hsds, text
from shared.errors import NotFound
from shared.hsds_api.source import Provider, ServiceFilter
from shared.vocab import Concept, Vocabulary

Term = tuple[Vocabulary, Concept]


def as_uuid(value: str) -> str | None:
    """``value`` as lower-case UUID text, or None when it is no UUID."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def sort_key(name: str, item_id: str) -> tuple[str, str]:
    """Order by name as a Norwegian reader expects, then by id so equal names stay stable.

    Case is ignored, æ ø å come last, and other accents sort with their base letter (é as e).
    """
    return text.sort_key(name), item_id


def words_match(search: str | None, *texts: str) -> bool:
    """Every word of ``search`` appears in one of ``texts``, in any case."""
    if not search:
        return True
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in search.casefold().split())


def document_matches(where: ServiceFilter, document: Mapping[str, Any]) -> bool:
    """Whether an offer version matches the words and taxonomy filters of ``where`` (the
    others are the caller's: its storage answers them)."""
    if not words_match(where.search, document["name"], document["description"]):
        return False
    terms = hsds.terms_of(document)
    if where.taxonomy_term_id and not any(
        hsds.taxonomy_term_id(v, c.code) == where.taxonomy_term_id for v, c in terms
    ):
        return False
    return not where.taxonomy_id or any(hsds.taxonomy_id(v) == where.taxonomy_id for v, _ in terms)


def matching_providers(providers: Iterable[Provider], search: str | None) -> list[Provider]:
    """The providers whose name holds every word of ``search``, by name then organization id."""
    found = [p for p in providers if words_match(search, p["name"])]
    return sorted(
        found, key=lambda p: sort_key(p["name"], hsds.organization_id(p["organisation_number"]))
    )


def taxonomies(search: str | None = None) -> list[Vocabulary]:
    """The published vocabularies whose name matches, in their stable order."""
    return [v for v in hsds.TAXONOMIES if words_match(search, v.title[hsds.LANGUAGE])]


def taxonomy(taxonomy_id: str) -> Vocabulary | None:
    """The vocabulary an HSDS taxonomy id names, if any."""
    wanted = as_uuid(taxonomy_id)
    return next((v for v in hsds.TAXONOMIES if hsds.taxonomy_id(v) == wanted), None)


def find_taxonomy(taxonomy_id: str) -> Vocabulary:
    """The vocabulary an HSDS taxonomy id names, or NotFound."""
    found = taxonomy(taxonomy_id)
    if found is None:
        raise NotFound("hsds.no_taxonomy", id=taxonomy_id)
    return found


def taxonomy_terms(
    search: str | None = None, taxonomy_id: str | None = None, parent_id: str | None = None
) -> list[Term]:
    """The terms that match, in vocabulary order (the order of levels, not of their names)."""
    if parent_id is not None:
        # Our vocabularies are flat: no term has a parent, so no term is anyone's child.
        return []
    return [
        (v, c)
        for v, c in hsds.all_taxonomy_terms()
        if (taxonomy_id is None or hsds.taxonomy_id(v) == taxonomy_id)
        and words_match(search, c.label(hsds.LANGUAGE), c.code)
    ]


def taxonomy_term(term_id: str) -> Term | None:
    """The vocabulary and concept an HSDS taxonomy term id names, if any."""
    wanted = as_uuid(term_id)
    return next(
        (
            (v, c)
            for v, c in hsds.all_taxonomy_terms()
            if hsds.taxonomy_term_id(v, c.code) == wanted
        ),
        None,
    )


def find_taxonomy_term(term_id: str) -> Term:
    """The vocabulary and concept an HSDS taxonomy term id names, or NotFound."""
    found = taxonomy_term(term_id)
    if found is None:
        raise NotFound("hsds.no_taxonomy_term", id=term_id)
    return found
