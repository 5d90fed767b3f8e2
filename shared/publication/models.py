"""The node's publication tables, written by the registry in the publishing transaction.

``publication_log`` is append-only and gap-free: a publishing transaction takes the next sequence
number by updating the single ``publication_log_head`` row, which also serialises publishers, so
sequence order is commit order. A reader that has seen sequence *n* has seen everything before it,
which is what lets the relay resume from a number and lets full LDES pages be immutable.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, make_metadata
from shared.publication.wakeup import notify_log_written


class PublicationBase(DeclarativeBase):
    metadata = make_metadata()


class LogHead(PublicationBase):
    """One row: the last sequence number handed out on this node."""

    __tablename__ = "publication_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)


class LogEntry(PublicationBase):
    """One published or withdrawn offer version, in the order the node made them."""

    __tablename__ = "publication_log"
    __table_args__ = (UniqueConstraint("offer_uri", "version"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    offer_uri: Mapped[str] = mapped_column(String(500), index=True)
    version: Mapped[int] = mapped_column(Integer)
    organisation_number: Mapped[str] = mapped_column(String(9), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The canonical JSON of the offer version (shared.publication.schema).
    snapshot: Mapped[str] = mapped_column(Text)
    # The node's signature of the event (shared.publication.events), made when it was written.
    key_id: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(128))


# The relay listens (shared.publication.wakeup): it reads a row as soon as its transaction
# commits, not on its next poll.
event.listen(LogEntry, "after_insert", notify_log_written)


class PublishedOffer(PublicationBase):
    """The current public version of every offer that is published now."""

    __tablename__ = "published_offers"

    offer_uri: Mapped[str] = mapped_column(String(500), primary_key=True)
    offer_id: Mapped[str] = mapped_column(String(36), unique=True)
    # The HSDS service id: shared.hsds.service_id(offer_uri).
    service_id: Mapped[str] = mapped_column(String(36), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    organisation_number: Mapped[str] = mapped_column(String(9), index=True)
    published_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    log_seq: Mapped[int] = mapped_column(BigInteger)
    snapshot: Mapped[str] = mapped_column(Text)


class NodeKey(PublicationBase):
    """The node's Ed25519 signing keys: one active, the rotated-out ones kept for verifying.

    The registry signs with the active key; the publisher publishes the public halves. A key
    rotated out records the last sequence number it signed and stays valid for those events.
    """

    __tablename__ = "node_signing_keys"

    key_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    # Encrypted PKCS #8 PEM (shared.signing.seal), never shown by any API.
    private_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class RelayCursor(PublicationBase):
    """How far the relay has got: every log row up to ``last_seq`` was confirmed by the bus.

    One row per destination (the bus URL without credentials), written only after the broker
    confirmed every message up to that sequence number.
    """

    __tablename__ = "relay_cursors"

    destination: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
