"""Keeping the version history (the reporting service's ingest sink).

:meth:`HistorySink.record` is called for every verified version, published or withdrawn, in
any order and perhaps more than once: a version not yet kept is inserted, and then the offer's
validity intervals are computed again from all its versions, so a version that arrives late
(the feed catching up after the bus) takes its place between the others. ``publish`` and
``withdraw`` have nothing left to do: a withdrawal is a version too, and ends the one before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.reporting.history import documents
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.reporting.norway_time import local_date
from shared.areas import coverage_grain
from shared.dates import add_months
from shared.db import insert_if_absent, utcnow
from shared.ingest.apply import VerifiedEvent


class HistorySink:
    """The version history as an ingest :class:`~shared.ingest.apply.Sink`."""

    def record(self, session: Session, event: VerifiedEvent) -> None:
        """Keep the version if it is new, then recompute the offer's intervals."""
        postgresql = session.get_bind().dialect.name == "postgresql"
        if postgresql:
            # Versions of one offer recorded by two transactions at once (the bus and the
            # feed) must not each miss the other's row when the intervals are recomputed.
            session.execute(select(func.pg_advisory_xact_lock(func.hashtext(event.offer_uri))))
        values = version_values(event.node.id, event.event, event.document, event.withdrawn)
        statement = insert_if_absent(session, OfferVersion, ["offer_uri", "version"], **values)
        version_pk = session.execute(statement.returning(OfferVersion.id)).scalar_one_or_none()
        if version_pk is None:
            return  # kept already
        if not event.withdrawn:
            self._details(session, version_pk, event)
        recompute_intervals(session, event.offer_uri)

    def publish(self, session: Session, event: VerifiedEvent) -> None:
        """Nothing more: :meth:`record` has kept the version."""

    def withdraw(self, session: Session, event: VerifiedEvent) -> None:
        """Nothing more: :meth:`record` has kept the withdrawal, which ends the last version."""

    @staticmethod
    def _details(session: Session, version_pk: int, event: VerifiedEvent) -> None:
        coverage, terms = detail_rows(event.document, version_pk)
        if coverage:
            session.execute(insert(VersionCoverage), coverage)
        if terms:
            session.execute(insert(VersionTerm), terms)


def version_values(
    node_id: str,
    event: Mapping[str, Any],
    document: Mapping[str, Any],
    withdrawn: bool,
    stored: str | None = None,
) -> dict[str, Any]:
    """The ``offer_versions`` row of a version; ``first_published`` and ``review_due`` as if
    it were the offer's only version (:func:`recompute_intervals` corrects them). ``stored``
    is the event's :func:`~documents.stored_document` when the caller has made it already."""
    fields = documents.version_fields(document)
    return {
        **fields,
        "node_id": node_id,
        "withdrawn": withdrawn,
        "first_published": fields["valid_from"],
        "review_due": review_due(
            fields["last_reviewed"], fields["valid_from"], fields["review_interval_months"]
        ),
        "document": documents.stored_document(event) if stored is None else stored,
        "recorded_at": utcnow(),
    }


def detail_rows(
    document: Mapping[str, Any], version_pk: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The ``version_coverage`` and ``version_terms`` rows of a published version."""
    coverage = coverage_grain(document["coverage"])
    return (
        [{"area": a, "county": c, "version_pk": version_pk} for a, c in coverage.items()],
        [
            {"facet": f, "code": c, "version_pk": version_pk}
            for f, c in documents.term_rows(document)
        ],
    )


def review_due(
    last_reviewed: dt.date | None, first_published: dt.datetime, interval_months: int
) -> dt.date:
    """When a version is due for review: the interval after its last review, or after the
    offer's first publication (as a Norwegian day) if never reviewed."""
    return add_months(last_reviewed or local_date(first_published), interval_months)


def recompute_intervals(session: Session, offer_uri: str) -> None:
    """Set every version's ``valid_to`` (the next version's time), ``first_published`` and
    ``review_due`` from all the versions of the offer kept so far."""
    versions = list(
        session.scalars(
            select(OfferVersion)
            .where(OfferVersion.offer_uri == offer_uri)
            .order_by(OfferVersion.version)
        )
    )
    published = [v.valid_from for v in versions if not v.withdrawn]
    first: dt.datetime = min(published) if published else versions[0].valid_from
    for current, following in zip(versions, [*versions[1:], None], strict=True):
        valid_to = following.valid_from if following is not None else None
        if current.valid_to != valid_to:
            current.valid_to = valid_to
        if current.first_published != first:
            current.first_published = first
        due = review_due(current.last_reviewed, first, current.review_interval_months)
        if current.review_due != due:
            current.review_due = due
    session.flush()
