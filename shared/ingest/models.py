"""Tables every ingesting service keeps in its own database, beside its own.

* the node directory: trusted nodes, their public keys and the organisations each may speak for;
* ``ingested_offers``: the newest version applied of every offer, published or withdrawn, which
  makes applying idempotent (a version at or below it is ignored, whichever road it came by);
* ``harvest_cursors``: how far the harvester has read each node's feed;
* ``bus_versions``: versions applied from the bus and not yet seen in the node's feed;
* ``offer_redactions``: for each offer a node redacted, the last version the redaction
  covers, so a version that arrives after its redaction is stored without personal data;
* ``rejected_events``: every event refused, with the reason, for the operator.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, make_metadata

TRANSPORT_BUS = "bus"
TRANSPORT_FEED = "feed"
TRANSPORT_BOTH = "both"
TRANSPORTS = (TRANSPORT_BUS, TRANSPORT_FEED, TRANSPORT_BOTH)
ETAG_CHARS = 200  # an ETag kept for the next poll; a longer one is not kept
# A key verifies events only once trusted: pinned when the node was added, or approved by the
# national operator. A key read from the node's JWKS and not yet approved is pending.
KEY_TRUSTED = "trusted"
KEY_PENDING = "pending"
KEY_STATES = (KEY_TRUSTED, KEY_PENDING)


class IngestBase(DeclarativeBase):
    metadata = make_metadata()


class FederationNode(IngestBase):
    """A node this service trusts: where it is, how it is reached, what it may say."""

    __tablename__ = "federation_nodes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # The node's public base URL: the prefix of its offer URIs and its events' source.
    base_url: Mapped[str] = mapped_column(String(300), unique=True)
    transport: Mapped[str] = mapped_column(String(8), default=TRANSPORT_BOTH)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    keys_fetched_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    keys: Mapped[list[FederationNodeKey]] = relationship(
        cascade="all, delete-orphan", order_by="FederationNodeKey.key_id", lazy="selectin"
    )
    organisations: Mapped[list[FederationNodeOrganisation]] = relationship(
        cascade="all, delete-orphan",
        order_by="FederationNodeOrganisation.organisation_number",
        lazy="selectin",
    )


class FederationNodeKey(IngestBase):
    """One of a node's Ed25519 public keys: trusted (it verifies events) or pending (read from
    the node's JWKS, waiting for the national operator's approval)."""

    __tablename__ = "federation_node_keys"

    node_id: Mapped[str] = mapped_column(
        ForeignKey("federation_nodes.id", ondelete="CASCADE"), primary_key=True
    )
    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    # Set once the node rotated the key out: it signs nothing after this sequence number.
    last_sequence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    state: Mapped[str] = mapped_column(String(8), default=KEY_TRUSTED)
    first_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Who made it trusted and when: "nodes add", "operator", "demo".
    trusted_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    trusted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Since when the node's JWKS no longer lists it (the key is kept, and reported).
    missing_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class FederationNodeOrganisation(IngestBase):
    """An organisation (by organisation number) whose offers the node may publish."""

    __tablename__ = "federation_node_organisations"

    node_id: Mapped[str] = mapped_column(
        ForeignKey("federation_nodes.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_number: Mapped[str] = mapped_column(String(9), primary_key=True, index=True)
    # The organisation's name and kind as the national operator set them: search and reporting
    # show these, not what the node's events say (a node may not rename or reclassify).
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(20), nullable=True)


class IngestedOffer(IngestBase):
    """The newest version of an offer this service has applied (a tombstone once withdrawn)."""

    __tablename__ = "ingested_offers"

    offer_uri: Mapped[str] = mapped_column(String(500), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    withdrawn: Mapped[bool] = mapped_column(Boolean)
    event_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(BigInteger)
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The node's published_at of that version: a later version may not claim an earlier one.
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HarvestCursor(IngestBase):
    """How far the harvester has applied a node's log, and the ETag of the stream's root when
    it last read it (a poll that finds nothing new is one 304)."""

    __tablename__ = "harvest_cursors"

    node_id: Mapped[str] = mapped_column(
        ForeignKey("federation_nodes.id", ondelete="CASCADE"), primary_key=True
    )
    last_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    root_etag: Mapped[str | None] = mapped_column(String(ETAG_CHARS), nullable=True)
    harvested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class BusVersion(IngestBase):
    """A version applied from the bus, of a node that is also harvested, not yet seen in the
    node's feed. The harvester deletes it when the feed brings the same event; one the
    harvester has read past without seeing was on the bus only (a forgery, or a node whose
    feed lost it), and is reported."""

    __tablename__ = "bus_versions"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    offer_uri: Mapped[str] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class OfferRedaction(IngestBase):
    """A node removed the personal contact fields from the versions of an offer up to
    ``through_version`` (:mod:`shared.ingest.redaction`): every stored version up to it has
    been purged, and any that arrives later is stored purged."""

    __tablename__ = "offer_redactions"

    offer_uri: Mapped[str] = mapped_column(String(500), primary_key=True)
    node_id: Mapped[str] = mapped_column(String(64), index=True)
    through_version: Mapped[int] = mapped_column(Integer)
    # The latest redaction event taken for the offer, and when.
    event_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(BigInteger)
    redacted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class RejectedEvent(IngestBase):
    """An event refused by verification, with why; it changed nothing else."""

    __tablename__ = "rejected_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    via: Mapped[str] = mapped_column(String(8))
    # Indexed: a node's status counts the refusals of its feed (node_id) and of the bus from
    # its base URL (source) only.
    node_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    source: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    event_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(500), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    # The start of what was received, for the operator; never the whole (it may be huge).
    excerpt: Mapped[str] = mapped_column(Text)


class CoverageColumns:
    """The columns of a national service's coverage rows, beside the key to its offer
    (:func:`shared.db.parent_key`): one area at the grain of :func:`shared.areas.coverage_grain`
    (a municipality, a county, or the whole country, ``NO``) and the county it lies in."""

    area: Mapped[str] = mapped_column(String(4), primary_key=True)
    # The county the area lies in (itself for a county; none for the whole country).
    county: Mapped[str | None] = mapped_column(String(2), nullable=True)
