"""Keeping the version history (the reporting service's ingest sink).

:meth:`HistorySink.record` is called for every verified version, published or withdrawn, in
any order and perhaps more than once: a version not yet kept is inserted, and then the offer's
validity intervals are computed again from all its versions, so a version that arrives late
(the feed catching up after the bus) takes its place between the others. ``publish`` and
``withdraw`` have nothing left to do: a withdrawal is a version too, and ends the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from services.reporting.history import documents
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.reporting.norway_time import local_date
from shared.areas import coverage_grain
from shared.dates import add_months
from shared.db import insert_if_absent, utcnow
from shared.ingest.apply import VerifiedEvent

_LOCK_OFFERS = "SELECT pg_advisory_xact_lock(hashtext(u)) FROM unnest(CAST(:uris AS text[])) u"


class HistorySink:
    """The version history as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Keep the versions not kept yet, then recompute those offers' intervals."""
        if not events:
            return
        if session.get_bind().dialect.name == "postgresql":
            # Versions of one offer recorded by two transactions at once (the bus and the
            # feed) must not each miss the other's row when the intervals are recomputed.
            # Taken in one order everywhere, so two batches never wait for each other.
            session.execute(
                text(_LOCK_OFFERS),
                {"uris": sorted({event.offer_uri for event in events})},
            )
        now = utcnow()
        versions: dict[tuple[str, int], VerifiedEvent] = {}
        for event in events:
            versions.setdefault((event.offer_uri, event.version), event)
        statement = insert_if_absent(session, OfferVersion, ["offer_uri", "version"])
        kept = session.execute(
            statement.returning(OfferVersion.id, OfferVersion.offer_uri, OfferVersion.version),
            [_version_row(event, now) for event in versions.values()],
        ).all()
        if not kept:
            return  # kept already
        self._details(session, [(pk, versions[uri, version]) for pk, uri, version in kept])
        recompute_intervals(session, {uri for _, uri, _ in kept})

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Nothing more: :meth:`record_many` has kept the versions."""

    def withdraw_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Nothing more: :meth:`record_many` has kept the withdrawals, which end the last
        versions."""

    @staticmethod
    def _details(session: Session, kept: list[tuple[int, VerifiedEvent]]) -> None:
        coverage, terms = [], []
        for version_pk, event in kept:
            if event.withdrawn:
                continue
            coverage += [
                {"area": a, "county": c, "version_pk": version_pk}
                for a, c in coverage_grain(event.document["coverage"]).items()
            ]
            terms += [
                {"facet": f, "code": c, "version_pk": version_pk}
                for f, c in documents.term_rows(event.document)
            ]
        if coverage:
            session.execute(insert(VersionCoverage), coverage)
        if terms:
            session.execute(insert(VersionTerm), terms)


def _version_row(event: VerifiedEvent, now: dt.datetime) -> dict[str, Any]:
    fields = documents.version_fields(event.document)
    return {
        **fields,
        "node_id": event.node.id,
        "withdrawn": event.withdrawn,
        "first_published": fields["valid_from"],
        "review_due": fields["valid_from"].date(),  # recomputed below
        "document": documents.stored_document(event.event),
        "recorded_at": now,
    }


def recompute_intervals(session: Session, offer_uris: Iterable[str]) -> None:
    """Set every version's ``valid_to`` (the next version's time), ``first_published`` and
    ``review_due`` from all the versions of each offer kept so far."""
    by_offer: dict[str, list[OfferVersion]] = {}
    for row in session.scalars(
        select(OfferVersion)
        .where(OfferVersion.offer_uri.in_(list(offer_uris)))
        .order_by(OfferVersion.offer_uri, OfferVersion.version)
    ):
        by_offer.setdefault(row.offer_uri, []).append(row)
    for versions in by_offer.values():
        _set_intervals(versions)
    session.flush()


def _set_intervals(versions: list[OfferVersion]) -> None:
    published = [v.valid_from for v in versions if not v.withdrawn]
    first: dt.datetime = min(published) if published else versions[0].valid_from
    for current, following in zip(versions, [*versions[1:], None], strict=True):
        valid_to = following.valid_from if following is not None else None
        if current.valid_to != valid_to:
            current.valid_to = valid_to
        if current.first_published != first:
            current.first_published = first
        due = add_months(current.last_reviewed or local_date(first), current.review_interval_months)
        if current.review_due != due:
            current.review_due = due
