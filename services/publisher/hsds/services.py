"""The node's published offers (and its withdrawals) as the HSDS API's data source; no Flask here.

A node holds at most a few thousand offers. What the tables index (organisation number,
publication time) is filtered in SQL; the rest (words, taxonomy terms, the name to sort by)
lives in the snapshot, so the remaining candidates are parsed and filtered here. Streaming
(``stream_services``) reads in batches and never holds every match.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from shared import hsds
from shared.errors import NotFound
from shared.hsds_api.lookups import as_uuid, document_matches, matching_providers, sort_key
from shared.hsds_api.paging import window
from shared.hsds_api.source import STREAM_BATCH, Document, Provider, ServiceFilter
from shared.publication import EVENT_WITHDRAWN
from shared.publication.models import LogEntry, PublishedOffer


class PublishedOffers:
    """The :class:`~shared.hsds_api.source.HsdsSource` over the node's ``published_offers``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def services_page(
        self, where: ServiceFilter, number: int, per_page: int
    ) -> tuple[list[Document], int]:
        """Page ``number`` of the matches by name then service id, and how many match."""
        documents = self._matching(where)
        return documents[window(number, per_page)], len(documents)

    def stream_services(self, where: ServiceFilter) -> Iterator[Document]:
        """Every match in service-id order, the order the database hands the rows over in."""
        query = (
            select(PublishedOffer.snapshot)
            .where(*self._conditions(where))
            .order_by(PublishedOffer.service_id)
            .execution_options(yield_per=STREAM_BATCH)
        )
        rows = self.session.scalars(query)
        try:
            for snapshot in rows:
                document = json.loads(snapshot)
                if document_matches(where, document):
                    yield document
        finally:
            rows.close()  # a reader that stops early leaves no cursor open

    def withdrawn_services(self, where: ServiceFilter) -> list[Document]:
        """The withdrawal versions in the log since ``modified_after`` that are still the
        newest entry of their offer, matching the rest of ``where``, by name then id."""
        withdrawals = [
            LogEntry.event_type == EVENT_WITHDRAWN,
            LogEntry.occurred_at >= where.modified_after,
        ]
        withdrawn_uris = select(LogEntry.offer_uri).where(*withdrawals)
        newest = (
            select(func.max(LogEntry.seq))
            .where(LogEntry.offer_uri.in_(withdrawn_uris))
            .group_by(LogEntry.offer_uri)
        )
        numbers = self._organisation_numbers(where)
        query = select(LogEntry.snapshot).where(LogEntry.seq.in_(newest), *withdrawals)
        if numbers is not None:
            query = query.where(LogEntry.organisation_number.in_(numbers))
        found = (
            # A withdrawn offer keeps nobody's contact details, as nationally.
            {**document, "contact": {}}
            for document in map(json.loads, self.session.scalars(query))
        )
        documents = [d for d in found if document_matches(where, d)]
        return sorted(documents, key=_document_order)

    def service(self, service_id: str) -> Document:
        """The published version behind an HSDS service id, or NotFound."""
        wanted = as_uuid(service_id)
        if wanted:
            snapshot = self.session.scalar(
                select(PublishedOffer.snapshot).where(PublishedOffer.service_id == wanted)
            )
            if snapshot is not None:
                return dict(json.loads(snapshot))
        raise NotFound("hsds.no_service", id=service_id)

    def providers(self, search: str | None) -> list[Provider]:
        """The provider block of each organisation's newest published version, by name.

        Only organisations with a published offer provide a service, so only they are listed;
        their newest version carries their current name.
        """
        newest = (
            select(func.max(PublishedOffer.log_seq).label("seq"))
            .group_by(PublishedOffer.organisation_number)
            .subquery()
        )
        snapshots = self.session.scalars(
            select(PublishedOffer.snapshot).join(newest, PublishedOffer.log_seq == newest.c.seq)
        )
        return matching_providers((json.loads(s)["provider"] for s in snapshots), search)

    def provider(self, organization_id: str) -> Provider:
        """The provider an HSDS organization id names, or NotFound."""
        wanted = as_uuid(organization_id)
        for provider in self.providers(None) if wanted else []:
            if hsds.organization_id(provider["organisation_number"]) == wanted:
                return provider
        raise NotFound("hsds.no_organization", id=organization_id)

    def services_of(self, organisation_numbers: Collection[str]) -> dict[str, list[Document]]:
        """The published versions of these organisations, each group by name then id."""
        snapshots = self.session.scalars(
            select(PublishedOffer.snapshot).where(
                PublishedOffer.organisation_number.in_(list(organisation_numbers))
            )
        )
        grouped: dict[str, list[Document]] = {}
        for document in sorted(map(json.loads, snapshots), key=_document_order):
            grouped.setdefault(document["provider"]["organisation_number"], []).append(document)
        return grouped

    def _matching(self, where: ServiceFilter) -> list[Document]:
        snapshots = self.session.scalars(
            select(PublishedOffer.snapshot).where(*self._conditions(where))
        )
        documents = [d for d in map(json.loads, snapshots) if document_matches(where, d)]
        return sorted(documents, key=_document_order)

    def _conditions(self, where: ServiceFilter) -> list[ColumnElement[bool]]:
        """The part of the filter the table's columns can answer."""
        conditions: list[ColumnElement[bool]] = []
        numbers = self._organisation_numbers(where)
        if numbers is not None:
            wanted = PublishedOffer.organisation_number.in_(numbers) if numbers else false()
            conditions.append(wanted)
        if where.modified_after:
            conditions.append(PublishedOffer.published_at >= where.modified_after)
        return conditions

    def _organisation_numbers(self, where: ServiceFilter) -> list[str] | None:
        """The organisation numbers ``organization_id`` names (none or one), or None if any."""
        if not where.organization_id:
            return None
        numbers = self.session.scalars(select(LogEntry.organisation_number).distinct())
        return [n for n in numbers if hsds.organization_id(n) == where.organization_id]


def _document_order(document: Mapping[str, Any]) -> tuple[str, str]:
    return sort_key(document["name"], hsds.service_id(document["uri"]))
