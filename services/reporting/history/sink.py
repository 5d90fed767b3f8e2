"""Keeping the version history (the reporting service's ingest sink).

:meth:`HistorySink.record_many` is called for every verified version, published or withdrawn,
in any order and perhaps more than once: a version not yet kept is inserted, and then the
offer's validity intervals are computed again from all its versions, so a version that arrives
late (the feed catching up after the bus) takes its place between the others.
``publish_many`` and ``withdraw_many`` have nothing left to do: a withdrawal is a version too,
and ends the one before.

A transaction that records a version or redacts one counts one change of the history
(:mod:`services.reporting.history.changes`), of which the report answers' ETag is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from services.reporting.history import changes, documents
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.reporting.norway_time import local_date
from shared.areas import coverage_grain
from shared.dates import add_months
from shared.db import insert_if_absent, utcnow
from shared.db_copy import copy_rows
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
        versions: dict[tuple[str, int], VerifiedEvent] = {}
        for event in events:
            versions.setdefault((event.offer_uri, event.version), event)
        statement = insert_if_absent(session, OfferVersion, ["offer_uri", "version"])
        kept = session.execute(
            statement.returning(OfferVersion.id, OfferVersion.offer_uri, OfferVersion.version),
            [
                version_values(
                    event.node.id,
                    event.document,
                    event.withdrawn,
                    admitted_at=event.node.admitted_at,
                )
                for event in versions.values()
            ],
        ).all()
        if not kept:
            return  # kept already
        changes.COUNT.mark_changed(session)
        self._details(session, [(pk, versions[uri, version]) for pk, uri, version in kept])
        recompute_intervals(session, {uri for _, uri, _ in kept})

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Nothing more: :meth:`record_many` has kept the versions."""

    def withdraw_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Nothing more: :meth:`record_many` has kept the withdrawals, which end the last
        versions."""

    def redact_many(self, session: Session, through: Mapping[str, int]) -> None:
        """Nothing to purge: reporting keeps no contact, only the columns its reports use
        (docs/privacy.md, "What reporting stores"). One of them is made of the contact: whether
        a mobile number was a version's only way in. The redaction removes the phone, so the
        versions it covers are no longer reached on one (``reachable`` stays: whether a reason
        was stated is not kept here)."""
        for offer_uri, version in through.items():
            purged = session.execute(
                update(OfferVersion)
                .where(
                    OfferVersion.offer_uri == offer_uri,
                    OfferVersion.version <= version,
                    OfferVersion.only_mobile.is_(True),
                )
                .values(only_mobile=False)
            )
            if purged.rowcount:  # type: ignore[attr-defined]
                changes.COUNT.mark_changed(session)

    @staticmethod
    def _details(session: Session, kept: list[tuple[int, VerifiedEvent]]) -> None:
        coverage: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        for version_pk, event in kept:
            if not event.withdrawn:
                covers, classified = detail_rows(event.document, version_pk)
                coverage += covers
                terms += classified
        copy_rows(session, VersionCoverage.__table__, coverage)  # type: ignore[arg-type]
        copy_rows(session, VersionTerm.__table__, terms)  # type: ignore[arg-type]


def version_values(
    node_id: str,
    document: Mapping[str, Any],
    withdrawn: bool,
    admitted_at: dt.datetime | None = None,
) -> dict[str, Any]:
    """The ``offer_versions`` row of a version; ``first_published`` and ``review_due`` as if
    it were the offer's only version (:func:`recompute_intervals` corrects them);
    ``admitted_at`` when the node was added to the directory (see :func:`counted_from`).
    Only the fields the reports use (:func:`~services.reporting.history.documents.
    version_fields`): the document itself, with its contact, is not kept."""
    received = utcnow()
    fields = documents.version_fields(document)
    fields["valid_from"] = counted_from(fields["published_at"], received, admitted_at)
    return {
        **fields,
        "node_id": node_id,
        "withdrawn": withdrawn,
        "first_published": fields["valid_from"],
        "review_due": review_due(
            fields["last_reviewed"], fields["valid_from"], fields["review_interval_months"]
        ),
        "recorded_at": received,
    }


def counted_from(
    published_at: dt.datetime, received_at: dt.datetime, admitted_at: dt.datetime | None
) -> dt.datetime:
    """When a version counts in reports "as of" an instant: its ``published_at``, but never
    before reporting received it, for a version the node dated after it joined the directory
    (``admitted_at``). So a version that arrives late, back-dated, cannot change what a report
    as of any earlier instant says. The history a node brings when it joins (dated before
    ``admitted_at``) counts as the node dates it: the operator admitted it with the node."""
    if admitted_at is None or published_at < admitted_at:
        return published_at
    return max(published_at, received_at)


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
        due = review_due(current.last_reviewed, first, current.review_interval_months)
        if current.review_due != due:
            current.review_due = due
