"""The version history: every version of every offer the federation has published.

One row per (offer URI, version) in ``offer_versions``, withdrawals included, each valid from
its own time (the version's ``published_at``, or when reporting received it if the node
published it after it joined the directory and it arrived later: see
:func:`~services.reporting.history.sink.counted_from`) until the next version's time
(``valid_to``; none while it is the newest). "The offers as of an instant t" are then the
published rows with ``valid_from < t <= valid_to`` (or no ``valid_to``), one per offer at most,
and a report drawn for today and one drawn for a past date run the same query.

Only what the reports count, list and export is kept (docs/privacy.md, "What reporting
stores"): never the version document as the node signed it, so never its contact, its
locations, its schedule or its guides. The reports read the columns below and nothing else.

Coverage is stored at the grain of :func:`shared.areas.coverage_grain` (municipalities,
counties, ``NO``) in ``version_coverage``, so "offers available in Drammen at t" is an index
range over ``area IN ('3301', '33', 'NO')`` joined to the rows valid at t. Multi-valued fields
(risk groups, diagnosis groups, audiences, statutory duties) are rows of ``version_terms``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.change_count import ChangeCountColumns
from shared.db import BIG_ID, UTCDateTime, make_metadata, parent_key
from shared.ingest.models import CoverageColumns

# Facets of version_terms.
RISK_GROUP = "risk_group"
DIAGNOSIS_GROUP = "diagnosis_group"
AUDIENCE = "audience"
DUTY = "duty"


class HistoryBase(DeclarativeBase):
    metadata = make_metadata()


class OfferVersion(HistoryBase):
    """One version of an offer as its node published it, with the fields reports count by."""

    __tablename__ = "offer_versions"
    __table_args__ = (
        UniqueConstraint("offer_uri", "version"),
        Index("ix_offer_versions_valid", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True, autoincrement=True)
    offer_uri: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(64))
    offer_id: Mapped[str] = mapped_column(String(36))
    withdrawn: Mapped[bool] = mapped_column(Boolean)
    # When the version counts from (see services.reporting.history.sink.counted_from): the
    # node's published_at, or when we received the version if that is later.
    valid_from: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The node's own time of the version, as it signed it.
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The next version's time; none while this is the offer's newest version.
    valid_to: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name as a Norwegian reader orders it (shared.text.sort_key), on every database.
    name_sort: Mapped[str] = mapped_column(String(200))
    # The distinct analysed terms (shared.text) of the name and the description, for finding
    # near-identical offers without analysing every text again for every report. The
    # description itself is not kept: no report shows it.
    name_terms: Mapped[str] = mapped_column(Text)
    description_terms: Mapped[str] = mapped_column(Text)
    provider_orgnr: Mapped[str] = mapped_column(String(9), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(20))
    provider_home_area: Mapped[str] = mapped_column(String(64))
    agency_id: Mapped[str] = mapped_column(String(36))
    agency_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger)
    category: Mapped[str] = mapped_column(String(40))
    age_min: Mapped[int] = mapped_column(SmallInteger)
    age_max: Mapped[int] = mapped_column(SmallInteger)
    user_participation: Mapped[bool] = mapped_column(Boolean)
    evaluated: Mapped[bool] = mapped_column(Boolean)
    good_practice: Mapped[bool] = mapped_column(Boolean)
    evidence_based: Mapped[bool] = mapped_column(Boolean)
    measure_status: Mapped[str] = mapped_column(String(20))
    review_interval_months: Mapped[int] = mapped_column(SmallInteger)
    # The resources behind the offer as registered (none when not registered): staff in
    # full-time equivalents (årsverk) and the yearly budget in NOK. The resources reports
    # (services.reporting.reports.resources) sum these two columns, never the document.
    staff_fte: Mapped[float | None] = mapped_column(Float, nullable=True)
    budget_nok: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # It covers municipalities outside its provider's home area (the quality report flags it).
    outside_home: Mapped[bool] = mapped_column(Boolean, default=False)
    # It has a way to get in touch (shared.publication.schema.reachable): the quality report
    # lists those without. None for versions recorded before it was kept.
    reachable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    # Its only way in is a mobile number (shared.reach.only_a_mobile): the quality report lists
    # those too. None for versions recorded before it was kept.
    only_mobile: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # When the offer was first published (of the versions known), and so when it is due for
    # review: the interval after the last review, or after the first publication if never.
    first_published: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    review_due: Mapped[dt.date] = mapped_column(Date)
    # When reporting received the version (beside the node's published_at).
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class VersionCoverage(CoverageColumns, HistoryBase):
    """One area a published version covers: a municipality, a county, or ``NO``."""

    __tablename__ = "version_coverage"
    __table_args__ = (Index("ix_version_coverage_county_version", "county", "version_pk"),)

    version_pk: Mapped[int] = parent_key("offer_versions")


class VersionTerm(HistoryBase):
    """One value of a multi-valued field of a published version (a risk group, a duty ...)."""

    __tablename__ = "version_terms"

    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    version_pk: Mapped[int] = parent_key("offer_versions")


class HistoryChanges(ChangeCountColumns, HistoryBase):
    """How many transactions have changed the history (one row), in which epoch: the report
    answers' ETag is made of them (:mod:`services.reporting.history.changes`,
    :mod:`shared.change_count`)."""

    __tablename__ = "history_changes"
