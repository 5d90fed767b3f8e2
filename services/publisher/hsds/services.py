"""Finding published offers and organisations for the HSDS API; no Flask in here.

A node holds at most a few thousand offers. What the tables index (organisation number,
publication time) is filtered in SQL; the rest (words, taxonomy terms, the name to sort by)
lives in the snapshot, so the remaining candidates are parsed and filtered here. Streaming
(``stream_documents``) reads in batches on its own session and never holds every match.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import unicodedata
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session, sessionmaker

from shared import hsds
from shared.errors import NotFound
from shared.publication.models import PublishedOffer
from shared.vocab import Concept, Vocabulary

T = TypeVar("T")
Document = dict[str, Any]
STREAM_BATCH = 200

# Norwegian alphabetical order: æ, ø and å are the letters after z ("{|}" follow "z" in ASCII).
_NORWEGIAN_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}"})


def sort_key(name: str, item_id: str) -> tuple[str, str]:
    """Order by name as a Norwegian reader expects, then by id so equal names stay stable.

    Case is ignored, æ ø å come last, and other accents sort with their base letter (é as e).
    """
    folded = unicodedata.normalize("NFC", name).casefold().translate(_NORWEGIAN_ORDER)
    decomposed = unicodedata.normalize("NFD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c)), item_id


def words_match(search: str | None, *texts: str) -> bool:
    """Every word of ``search`` appears in one of ``texts``, in any case."""
    if not search:
        return True
    haystack = "\n".join(texts).casefold()
    return all(word in haystack for word in search.casefold().split())


@dataclass(frozen=True)
class ServiceFilter:
    """The HSDS ``/services`` filters; all that are given must hold (the HSDS rule)."""

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: dt.datetime | None = None

    def matches(self, document: Mapping[str, Any]) -> bool:
        """The part of the filter that needs the document itself."""
        if not words_match(self.search, document["name"], document["description"]):
            return False
        if self.taxonomy_term_id or self.taxonomy_id:
            terms = hsds.terms_of(document)
            if self.taxonomy_term_id and not any(
                hsds.taxonomy_term_id(v, c.code) == self.taxonomy_term_id for v, c in terms
            ):
                return False
            if self.taxonomy_id and not any(
                hsds.taxonomy_id(v) == self.taxonomy_id for v, _ in terms
            ):
                return False
        return True


def _conditions(session: Session, where: ServiceFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.organization_id:
        orgnrs = [
            n
            for n in _organisation_numbers(session)
            if hsds.organization_id(n) == where.organization_id
        ]
        conditions.append(PublishedOffer.organisation_number.in_(orgnrs) if orgnrs else false())
    if where.modified_after:
        moment = where.modified_after
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        conditions.append(PublishedOffer.published_at >= moment)
    return conditions


def _organisation_numbers(session: Session) -> list[str]:
    return list(session.scalars(select(PublishedOffer.organisation_number).distinct()))


def matching_documents(session: Session, where: ServiceFilter) -> list[Document]:
    """Every published version that matches, ordered by name then service id."""
    snapshots = session.scalars(select(PublishedOffer.snapshot).where(*_conditions(session, where)))
    documents = [d for d in map(json.loads, snapshots) if where.matches(d)]
    return sorted(documents, key=_document_order)


def stream_documents(
    make_session: sessionmaker[Session], where: ServiceFilter
) -> Iterator[Document]:
    """Every match, read in batches on a session of its own, in service-id order.

    The response streams after the request's own session is closed, so the stream opens and
    closes its own. Ordering by the offer id (the service id) lets the database hand rows
    over as it finds them instead of sorting every snapshot first.
    """
    with make_session() as session:
        query = (
            select(PublishedOffer.snapshot)
            .where(*_conditions(session, where))
            .order_by(PublishedOffer.offer_id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        for snapshot in session.scalars(query):
            document = json.loads(snapshot)
            if where.matches(document):
                yield document


def find_document(session: Session, service_id: str) -> Document:
    """The published version behind an HSDS service id, or NotFound."""
    wanted = _as_uuid(service_id)
    if wanted:
        snapshot = session.scalar(
            select(PublishedOffer.snapshot).where(PublishedOffer.offer_id == wanted)
        )
        if snapshot is None:
            # An offer id that is not a UUID has a derived service id: look through the ids.
            pairs = session.execute(select(PublishedOffer.offer_id, PublishedOffer.offer_uri))
            uri = next((u for i, u in pairs if hsds.service_id(i, u) == wanted), None)
            if uri is not None:
                snapshot = session.scalar(
                    select(PublishedOffer.snapshot).where(PublishedOffer.offer_uri == uri)
                )
        if snapshot is not None:
            return dict(json.loads(snapshot))
    raise NotFound(f"No published service has the id {service_id!r}.")


def latest_providers(session: Session, search: str | None = None) -> list[Mapping[str, Any]]:
    """The provider block of each organisation's newest published version, ordered by name.

    Only organisations with a published offer provide a service, so only they are listed;
    their newest version carries their current name.
    """
    newest = (
        select(func.max(PublishedOffer.log_seq).label("seq"))
        .group_by(PublishedOffer.organisation_number)
        .subquery()
    )
    snapshots = session.scalars(
        select(PublishedOffer.snapshot).join(newest, PublishedOffer.log_seq == newest.c.seq)
    )
    providers = [json.loads(s)["provider"] for s in snapshots]
    found = [p for p in providers if words_match(search, p["name"])]
    return sorted(
        found, key=lambda p: sort_key(p["name"], hsds.organization_id(p["organisation_number"]))
    )


def find_provider(session: Session, organization_id: str) -> Mapping[str, Any]:
    """The provider an HSDS organization id names, or NotFound."""
    wanted = _as_uuid(organization_id)
    for provider in latest_providers(session) if wanted else []:
        if hsds.organization_id(provider["organisation_number"]) == wanted:
            return provider
    raise NotFound(f"No organization with published services has the id {organization_id!r}.")


def documents_by_organisation(session: Session) -> dict[str, list[Document]]:
    """Every published version grouped by organisation number, each group ordered by name."""
    grouped: dict[str, list[Document]] = {}
    for document in matching_documents(session, ServiceFilter()):
        grouped.setdefault(document["provider"]["organisation_number"], []).append(document)
    return grouped


def taxonomies(search: str | None = None) -> list[Vocabulary]:
    """The published vocabularies whose name matches, in their stable order."""
    return [v for v in hsds.TAXONOMIES if words_match(search, v.title[hsds.LANGUAGE])]


def find_taxonomy(taxonomy_id: str) -> Vocabulary:
    wanted = _as_uuid(taxonomy_id)
    for vocabulary in hsds.TAXONOMIES:
        if hsds.taxonomy_id(vocabulary) == wanted:
            return vocabulary
    raise NotFound(f"No taxonomy has the id {taxonomy_id!r}.")


def taxonomy_terms(
    search: str | None = None, taxonomy_id: str | None = None, parent_id: str | None = None
) -> list[tuple[Vocabulary, Concept]]:
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


def find_taxonomy_term(term_id: str) -> tuple[Vocabulary, Concept]:
    wanted = _as_uuid(term_id)
    for vocabulary, concept in hsds.all_taxonomy_terms():
        if hsds.taxonomy_term_id(vocabulary, concept.code) == wanted:
            return vocabulary, concept
    raise NotFound(f"No taxonomy term has the id {term_id!r}.")


def paginate(
    items: Sequence[T], number: int, per_page: int, render: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    """An HSDS ``Page``: ``page_number`` counts from 1, a page past the end is empty."""
    start = (number - 1) * per_page
    contents = [render(item) for item in items[start : start + per_page]]
    total_pages = math.ceil(len(items) / per_page)
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _document_order(document: Mapping[str, Any]) -> tuple[str, str]:
    return sort_key(document["name"], hsds.service_id(document["id"], document["uri"]))


def _as_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None
