"""The search index: every offer published now, anywhere in the federation.

One row per offer in ``indexed_offers`` with the fields searched, filtered and sorted on, and
the version document itself for rendering. Multi-valued fields live in ``offer_terms`` and
coverage in ``offer_coverage``, each keyed for index-only look-ups.

Coverage is stored at the grain Norway is divided in: municipality codes, county codes (a
region is stored as its counties) and ``NO`` for the whole country, each row with the county it
lies in. "Offers in municipality 3301" is then the index range ``area IN ('3301', '33',
'NO')``, and "offers in county 33" is ``county = '33' OR area = 'NO'``: the same answer as
expanding every coverage to all its municipalities, without writing 357 rows for each national
offer.

Full-text search is the database's own: an FTS5 table on SQLite (filled with terms analysed by
:mod:`shared.text`) and a weighted ``tsvector`` column on PostgreSQL. Both are created by the
migration, not declared here, because they differ by database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.change_count import ChangeCountColumns
from shared.db import BIG_ID, UTCDateTime, make_metadata, parent_key
from shared.ingest.models import CoverageColumns

# Facets with several values per offer, kept in offer_terms.
RISK_GROUP = "risk_group"
AUDIENCE = "audience"
LANGUAGE = "language"
DIAGNOSIS_GROUP = "diagnosis_group"
MULTI_FACETS = (RISK_GROUP, AUDIENCE, LANGUAGE, DIAGNOSIS_GROUP)
FTS_TABLE = "offer_fts"
# PostgreSQL's GiST index on the places' points (earthdistance's ll_to_earth), made by the
# migration because SQLite has no such thing.
EARTH_INDEX = "ix_offer_places_earth"
SEARCH_VECTOR = "search_vector"
# PostgreSQL only (migration 0009): id, including every facet column, for bounded facet counts.
FACET_COUNTS_INDEX = "ix_indexed_offers_facet_counts"
NAME_SORT = String(200).with_variant(String(200, collation="C"), "postgresql")


class SearchBase(DeclarativeBase):
    metadata = make_metadata()


class IndexedOffer(SearchBase):
    __tablename__ = "indexed_offers"
    __table_args__ = (
        Index("ix_indexed_offers_name_sort_id", "name_sort", "id"),
        # An organisation's offers, newest last: its newest version is one index probe.
        Index("ix_indexed_offers_provider_newest", "provider_orgnr", "published_at", "id"),
        # Every scalar facet and the id: facet counts are an index-only scan (migration 0002).
        Index(
            "ix_indexed_offers_facets",
            "level",
            "category",
            "provider_kind",
            "free_of_charge",
            "statutory",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    offer_uri: Mapped[str] = mapped_column(String(500), unique=True)
    # The offer's HSDS service id (its UUID), the id of the public API and pages.
    offer_id: Mapped[str] = mapped_column(String(36), unique=True)
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    # shared.text.sort_key of the name: Norwegian order when compared byte by byte, so never
    # by a locale's collation (which would skip the stand-ins it puts for æ, ø and å).
    name_sort: Mapped[str] = mapped_column(NAME_SORT)
    description: Mapped[str] = mapped_column(Text)
    # Who provides it and how it is classified, in words: searched with less weight.
    keywords: Mapped[str] = mapped_column(Text)
    provider_orgnr: Mapped[str] = mapped_column(String(9))
    # The provider's HSDS organization id (a name-based UUID of the number, see shared.hsds).
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    provider_name: Mapped[str] = mapped_column(String(200))
    provider_kind: Mapped[str] = mapped_column(String(20), index=True)
    provider_home_area: Mapped[str] = mapped_column(String(64))
    agency_name: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(SmallInteger, index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    access: Mapped[str] = mapped_column(String(20))
    measure_status: Mapped[str] = mapped_column(String(20))
    age_min: Mapped[int] = mapped_column(SmallInteger)
    age_max: Mapped[int] = mapped_column(SmallInteger)
    free_of_charge: Mapped[bool] = mapped_column(Boolean)
    statutory: Mapped[bool] = mapped_column(Boolean)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    last_reviewed: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The canonical JSON of the version, as the node signed it.
    document: Mapped[str] = mapped_column(Text)
    # Its offer_terms as "facet:code" words (migration 0009): facet counts read them from one
    # index beside the scalar facets instead of joining offer_terms.
    facet_terms: Mapped[str] = mapped_column(Text, server_default="")
    # How many HSDS locations the version has (shared.hsds.places: its distinct places), so
    # /service_at_locations counts its links as a sum, not by reading every document
    # (migration 0010).
    place_count: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    indexed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OfferCoverage(CoverageColumns, SearchBase):
    """One area an offer covers: a municipality, a county, or the whole country (``NO``)."""

    __tablename__ = "offer_coverage"
    __table_args__ = (Index("ix_offer_coverage_county_offer", "county", "offer_pk"),)

    offer_pk: Mapped[int] = parent_key("indexed_offers")


class OfferTerm(SearchBase):
    """One value of a multi-valued facet: a risk group, audience, language or diagnosis group."""

    __tablename__ = "offer_terms"

    facet: Mapped[str] = mapped_column(String(20), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    offer_pk: Mapped[int] = parent_key("indexed_offers")


class OfferPlace(SearchBase):
    """The point of one of an offer's places (WGS84 degrees): what a search by distance reads.
    ``position`` is the place's index among the version's locations."""

    __tablename__ = "offer_places"
    __table_args__ = (Index("ix_offer_places_latitude_longitude", "latitude", "longitude"),)

    offer_pk: Mapped[int] = parent_key("indexed_offers")
    position: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    # The place is the one its HSDS location keeps (shared.hsds.places): false for a second
    # place of one location, which the search's distance reads but /service_at_locations
    # neither lists nor counts (migration 0010).
    linked: Mapped[bool] = mapped_column(Boolean, server_default=true())


class OfferHours(SearchBase):
    """One weekly period of an offer within one day (shared.timetable.weekly_minutes: a period
    past midnight is two rows), for "open on Tuesday at 18:00": day 0 is Monday, times are
    minutes after midnight, open from ``opens`` up to but not at ``closes``. ``valid_from`` and
    ``valid_to`` are the first and last days the row holds (None: open-ended)."""

    __tablename__ = "offer_hours"
    __table_args__ = (Index("ix_offer_hours_day_opens", "day", "opens", "closes", "offer_pk"),)

    offer_pk: Mapped[int] = parent_key("indexed_offers")
    day: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    opens: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    closes: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    valid_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class WithdrawnOffer(SearchBase):
    """An offer withdrawn and not published again: what the national HSDS API lists, with
    status ``inactive``, to a consumer that asks what changed since a time. The withdrawal
    version is kept without its contact details: a withdrawn offer keeps nobody's name."""

    __tablename__ = "withdrawn_offers"

    offer_uri: Mapped[str] = mapped_column(String(500), primary_key=True)
    offer_id: Mapped[str] = mapped_column(String(36), unique=True)
    node_id: Mapped[str] = mapped_column(String(64))
    provider_id: Mapped[str] = mapped_column(String(36), index=True)
    name_sort: Mapped[str] = mapped_column(NAME_SORT)
    withdrawn_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    document: Mapped[str] = mapped_column(Text)


class IndexChanges(ChangeCountColumns, SearchBase):
    """How many transactions have changed the index (one row), in which epoch: the search
    API's ETag is made of them (:mod:`services.search.index.changes`,
    :mod:`shared.change_count`)."""

    __tablename__ = "index_changes"
