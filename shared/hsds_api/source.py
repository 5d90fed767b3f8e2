"""What the HSDS views ask of a service's storage: the :class:`HsdsSource` protocol.

A source is made over one SQLAlchemy session (``SourceFactory``): the request's session for a
page or one item, or a session of its own for an NDJSON stream, which is read after the
request has finished. Documents are offer-version documents as ``shared.hsds`` maps them;
providers are their ``provider`` blocks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from sqlalchemy.orm import Session

Document = Mapping[str, Any]
Provider = Mapping[str, Any]
# Rows read from the database at a time when streaming.
STREAM_BATCH = 200


@dataclass(frozen=True)
class ServiceFilter:
    """The HSDS ``/services`` filters; all that are given must hold (the HSDS rule).

    Ids are lower-case UUID text, and ``modified_after`` is timezone-aware (UTC if sent bare).
    """

    search: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: dt.datetime | None = None
    # /service_at_locations' near and radius (our extension), as (latitude, longitude, km): a
    # source may leave out the services with no place within radius km of the point (the
    # national index does, in SQL); the caller measures each place all the same.
    within: tuple[float, float, float] | None = None

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> ServiceFilter:
        """The filter the validated ``/services`` parameters describe."""
        moment = query.get("modified_after")
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return cls(
            search=query.get("search"),
            taxonomy_term_id=id_text(query.get("taxonomy_term_id")),
            taxonomy_id=id_text(query.get("taxonomy_id")),
            organization_id=id_text(query.get("organization_id")),
            modified_after=moment,
            within=(*query["near"], query["radius"])
            if "near" in query and "radius" in query
            else None,
        )


class HsdsSource(Protocol):
    """The published offers and their providers, as one service stores them."""

    def services_page(
        self, where: ServiceFilter, number: int, per_page: int
    ) -> tuple[list[Document], int]:
        """Page ``number`` (from 1) of the matches, ordered by name then service id, and how
        many match in all. A page beyond the last is empty."""
        ...

    def stream_services(self, where: ServiceFilter) -> Iterator[Document]:
        """Every match, in service-id order, read in batches (never all at once)."""
        ...

    def withdrawn_services(self, where: ServiceFilter) -> list[Document]:
        """The withdrawal versions of offers withdrawn at or after ``where.modified_after``
        (and not published again since), of those that match the rest of ``where``, ordered by
        name then service id. Only asked when ``modified_after`` is given."""
        ...

    def service(self, service_id: str) -> Document:
        """The published version behind an HSDS service id; ``NotFound`` if none."""
        ...

    def providers(self, search: str | None) -> list[Provider]:
        """The provider block of each organisation's newest published version, of those whose
        name holds every word of ``search``, ordered by name then organization id."""
        ...

    def provider(self, organization_id: str) -> Provider:
        """The provider an HSDS organization id names; ``NotFound`` if it publishes nothing."""
        ...

    def services_of(self, organisation_numbers: Collection[str]) -> dict[str, list[Document]]:
        """The published versions of these organisations, by organisation number, each
        ordered by name then service id."""
        ...


@runtime_checkable
class PlacesNear(Protocol):
    """A source that measures and orders places by distance in its database (the national
    index), so ``/service_at_locations?near=`` reads one page, not every service."""

    def places_near(
        self,
        where: ServiceFilter,
        near: tuple[float, float],
        radius: float | None,
        start: int,
        stop: int,
    ) -> tuple[list[tuple[Document, int]], int, int]:
        """The places with a point of the services matching ``where`` (within ``radius`` km
        of ``near`` if given; of the places of one HSDS location only the one
        ``shared.hsds.places`` keeps), nearest first, then by service id, then the place's order:
        those from ``start`` up to ``stop`` as (document, index in its ``locations``); how
        many places with a point there are; and how many places in all (with a radius,
        the same)."""
        ...


SourceFactory = Callable[[Session], HsdsSource]


def id_text(value: object | None) -> str | None:
    """A parsed UUID parameter as lower-case text (None stays None)."""
    return str(value) if value is not None else None
