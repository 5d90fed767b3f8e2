"""Verifying an event against the directory and applying it, exactly once per version.

:func:`verify` accepts an event only when it is a well-formed signed CloudEvent from a node in
the directory, signed by one of that node's keys (within the key's validity), with a version
document that fulfils the contract and belongs to an organisation the node may speak for.

:func:`apply_event` then compares the event's version with the newest one applied for the
offer (``ingested_offers``): a newer published version replaces the current one, a newer
withdrawal removes it, and an older or equal version changes nothing. Both roads (bus and
feed) go through here, inside the caller's transaction, so they converge on the same state.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import insert_if_absent, utcnow
from shared.ingest.directory import Directory, TrustedNode
from shared.ingest.models import IngestedOffer
from shared.ingest.purge import lock_offers, redacted_events, redactions_for
from shared.publication import EVENT_WITHDRAWN
from shared.publication.canonical import is_plain
from shared.publication.events import (
    EventRejected,
    check_event,
    plain_signing_input,
    sequence_of,
    signing_input,
)
from shared.signing import VerificationKey

# An offer version is a few kilobytes; an event anywhere near this is not one of ours, whether
# it comes as a message on the bus or inside a feed page.
MAX_EVENT_BYTES = 1024 * 1024
# An offer version nests a handful of levels deep (event, data, lists of objects).
MAX_EVENT_DEPTH = 16
# How far ahead of our clock a version's published_at may be (INGEST_MAX_FUTURE_MINUTES).
DEFAULT_MAX_FUTURE = dt.timedelta(minutes=5)


def _deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON ``value`` nests objects and arrays more than ``limit`` deep."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children and depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


@dataclass(frozen=True)
class VerifiedEvent:
    node: TrustedNode
    event: Mapping[str, Any]
    document: dict[str, Any]  # the offer version, loaded by the contract's schema
    sequence: int
    # A withdrawal for an organisation the node is no longer trusted for (see verify).
    authority_lapsed: bool = False
    # The event's data as canonical JSON (what the search index stores), when verification
    # wrote it on the way (shared.ingest.documents.stored_document otherwise).
    stored: str | None = field(default=None, repr=False, compare=False)

    @property
    def offer_uri(self) -> str:
        return str(self.document["uri"])

    @property
    def version(self) -> int:
        return int(self.document["version"])

    @property
    def withdrawn(self) -> bool:
        return self.event["type"] == EVENT_WITHDRAWN

    @property
    def published_at(self) -> dt.datetime:
        return self.document["published_at"]


class Sink(Protocol):
    """What a service does with verified events; called inside the ingest transaction, with
    the events of a batch (a feed page, a run of bus messages) at once."""

    def record_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Every verified version, in any order, perhaps more than once (history keepers
        insert those absent; the others do nothing)."""

    def publish_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Each event is the newest published version of its offer (one per offer): make it
        current."""

    def withdraw_many(self, session: Session, events: Sequence[VerifiedEvent]) -> None:
        """Each event withdraws its offer (one per offer): nothing of it is current any more."""

    def redact_many(self, session: Session, through: Mapping[str, int]) -> None:
        """Remove the personal contact fields (:mod:`shared.publication.redaction`) from every
        stored version of each offer up to its version in ``through``, wherever the service
        stores them (:mod:`shared.ingest.redaction`)."""


class Outcome(enum.Enum):
    APPLIED = "applied"
    IGNORED = "ignored"  # a duplicate, a replay or an older version


# What a check can raise on input of a shape no check foresaw (a list where a string belongs,
# say). It is still the event's fault, so it refuses the event; were it to escape, the bus would
# hand the same message back for ever and nothing behind it would be applied.
# An OverflowError is a date or a number past what the arithmetic can represent.
_UNFORESEEN_SHAPES = (
    TypeError,
    ValueError,
    KeyError,
    IndexError,
    AttributeError,
    OverflowError,
)


def verify(
    event: Any,
    directory: Directory,
    expected_node: TrustedNode | None = None,
    max_future: dt.timedelta = DEFAULT_MAX_FUTURE,
) -> VerifiedEvent:
    """Check ``event`` fully; raise :class:`EventRejected` saying why it must not be applied.
    A version dated more than ``max_future`` ahead of our clock is refused: dated ahead, it
    would stand in reports "as of" days before the node made it."""
    try:
        verified = _verify(event, directory, expected_node)
    except EventRejected:
        raise
    except _UNFORESEEN_SHAPES as exc:
        raise EventRejected(
            f"the event cannot be verified: {type(exc).__name__} on a value of an unexpected type"
        ) from exc
    if (dated := verified.published_at) > utcnow() + max_future:
        raise EventRejected(f"dated {dated.isoformat()}, more than {max_future} in the future")
    return verified


def _verify(event: Any, directory: Directory, expected_node: TrustedNode | None) -> VerifiedEvent:
    """The checks of :func:`verify`.

    ``expected_node`` is the node whose feed it came from (the page's place in the node's own
    stream vouches for it); an event from the bus names its node by its ``source``, and on
    the bus a key the node has rotated out is not accepted at all: whoever still holds it
    could sign anything with an old sequence number. Events that key signed before the
    rotation reach us through the node's feed.

    A withdrawal is accepted from the node that published the offer even after the
    directory stopped trusting it for the offer's organisation (``authority_lapsed``), so a
    node can always take back what it said; :func:`apply_event` checks that the offer is
    already here.
    """
    node = node_of(event, directory, expected_node)
    keys = node.keys if expected_node is not None else bus_keys(node, event)
    signed, stored = _signing_input(event)
    document = check_event(event, keys, expected_source=node.base_url, signed=signed)
    organisation = document["provider"]["organisation_number"]
    lapsed = organisation not in node.organisations
    if lapsed and event["type"] != EVENT_WITHDRAWN:
        raise EventRejected(
            f"node {node.id!r} may not publish for organisation {organisation} "
            "(not in its directory entry)"
        )
    document["provider"] = node.provider(document["provider"])  # the directory's name and kind
    return VerifiedEvent(
        node, event, document, sequence_of(event), authority_lapsed=lapsed, stored=stored
    )


def node_of(event: Any, directory: Directory, expected_node: TrustedNode | None) -> TrustedNode:
    """The enabled node the event comes from: the feed's, or the one its source names."""
    if not isinstance(event, Mapping):
        raise EventRejected("an event is a JSON object")
    source = event.get("source")
    node = expected_node or (directory.by_source(source) if isinstance(source, str) else None)
    if node is None:
        raise EventRejected(f"the source {source!r} is not a node in the directory")
    if not node.enabled:
        raise EventRejected(f"node {node.id!r} is disabled in the directory")
    return node


def bus_keys(node: TrustedNode, event: Mapping[str, Any]) -> dict[str, VerificationKey]:
    """The node's keys that may sign an event on the bus: those it has not rotated out."""
    keys = {k: key for k, key in node.keys.items() if key.last_sequence is None}
    key_id = event.get("signingkey")
    if isinstance(key_id, str) and key_id in node.keys and key_id not in keys:
        raise EventRejected(
            "signed by a key the node has rotated out; such events are taken from the "
            "node's feed, not from the bus"
        )
    return keys


def _signing_input(event: Mapping[str, Any]) -> tuple[bytes, str | None]:
    """What the event's signature covers, once the event is known to be of a sane size; and
    the canonical JSON of its ``data`` when the same encoding gave it (else ``None``)."""
    if is_plain(event, MAX_EVENT_DEPTH):
        # What nearly every event is: nested no deeper than the limit (is_plain looks no
        # deeper), written by the fast encoder.
        signed, stored = plain_signing_input(event)
    elif _deeper_than(event, MAX_EVENT_DEPTH):
        # Checked without recursion: anything deeper could pass one check and then exhaust
        # the stack in a later one (the sink's), which would refuse nothing and stop ingest.
        raise EventRejected(f"the event is nested more than {MAX_EVENT_DEPTH} deep")
    else:
        signed, stored = signing_input(event), None
    if len(signed) > MAX_EVENT_BYTES:
        raise EventRejected(
            f"the event is {len(signed)} bytes; events are at most {MAX_EVENT_BYTES}"
        )
    return signed, stored


@dataclass
class _Applied:
    """The newest version applied for an offer: what ``ingested_offers`` says of it."""

    version: int
    event_id: str
    sequence: int
    published_at: dt.datetime | None


def _ingest_row(event: VerifiedEvent, now: dt.datetime) -> dict[str, Any]:
    return {
        "offer_uri": event.offer_uri,
        "node_id": event.node.id,
        "version": event.version,
        "withdrawn": event.withdrawn,
        "event_id": str(event.event["id"]),
        "sequence": event.sequence,
        "applied_at": now,
        "published_at": event.published_at,
    }


def _claim(
    session: Session, first: Mapping[str, VerifiedEvent], now: dt.datetime
) -> tuple[dict[str, _Applied], set[str]]:
    """The ingest rows of the offers (each with its first event of the batch), locked for
    this transaction, and the offers seen for the first time (a row has been inserted for
    each, from that first event)."""
    # Insert first, then lock the others: an insert waits for a concurrent one of the same
    # offer to commit, so every row this does not insert exists when it is locked. Both go in
    # the order of the offers' URIs, so two batches sharing offers (the bus and the feed) wait
    # for each other rather than deadlock.
    statement = insert_if_absent(session, IngestedOffer, ["offer_uri"])
    inserted = set(
        session.scalars(
            statement.returning(IngestedOffer.offer_uri),
            [_ingest_row(first[uri], now) for uri in sorted(first)],
        )
    )
    existing = [uri for uri in first if uri not in inserted]
    applied: dict[str, _Applied] = {}
    if existing:
        rows = session.execute(
            select(
                IngestedOffer.offer_uri,
                IngestedOffer.version,
                IngestedOffer.event_id,
                IngestedOffer.sequence,
                IngestedOffer.published_at,
            )
            .where(IngestedOffer.offer_uri.in_(existing))
            .order_by(IngestedOffer.offer_uri)
            .with_for_update()
        )
        applied = {row[0]: _Applied(row[1], row[2], row[3], row[4]) for row in rows}
    return applied, inserted


def _refuse_reused_identity(current: _Applied, event: VerifiedEvent) -> None:
    """A node's events each have an id of their own and each version has one event, so the
    same event again is a duplicate (ignored), but an event that reuses the id of the current
    version for another version, or another id for the current version, is a replay of
    something else: refused."""
    event_id = str(event.event["id"])
    if (event_id == current.event_id) != (event.version == current.version):
        raise EventRejected(
            f"event {event_id} for version {event.version} replays the identity of event "
            f"{current.event_id} for version {current.version} of {event.offer_uri}"
        )


def _refuse_back_dated(current: _Applied, event: VerifiedEvent) -> None:
    """A version dated before the one it follows would rewrite the past: refused."""
    if current.published_at is not None and event.published_at < current.published_at:
        raise EventRejected(
            f"version {event.version} is dated {event.published_at.isoformat()}, before "
            f"version {current.version} ({current.published_at.isoformat()})"
        )


def _decide(applied: dict[str, _Applied], event: VerifiedEvent) -> Outcome:
    """The event's outcome against the newest version applied so far (which it then is, if
    it is applied); raises :class:`EventRejected` for an event that must be refused.

    A node numbers its log in the order it publishes, so a later version of an offer always
    has a later sequence number; an event that claims a later version with an earlier
    sequence number is refused (it could only come from a key used out of turn).
    """
    current = applied.get(event.offer_uri)
    if current is None:
        if event.authority_lapsed:
            raise EventRejected(
                f"node {event.node.id!r} may not publish for organisation "
                f"{event.document['provider']['organisation_number']}, and has nothing here "
                "to withdraw"
            )
    else:
        _refuse_reused_identity(current, event)
        if current.version >= event.version:
            return Outcome.IGNORED
        if event.sequence <= current.sequence:
            raise EventRejected(
                f"version {event.version} comes with sequence {event.sequence}, not after "
                f"sequence {current.sequence} of version {current.version}"
            )
        _refuse_back_dated(current, event)
    applied[event.offer_uri] = _Applied(
        event.version, str(event.event["id"]), event.sequence, event.published_at
    )
    return Outcome.APPLIED


def apply_events(session: Session, sink: Sink, events: Sequence[VerifiedEvent]) -> list[Outcome]:
    """Apply verified events in order in the caller's transaction, each idempotent by
    (offer, version), with a fixed number of statements however many there are.

    The outcome of each is decided in order against the offer's newest applied version, so
    several versions of one offer in a batch end as if applied one by one. The first refusal
    raises :class:`EventRejected` after some writes: the caller rolls the batch back (and may
    apply its events one by one to learn which to refuse).
    """
    if not events:
        return []
    now = utcnow()
    # A version its offer's redaction covers is stored without the personal fields, whenever
    # it arrives (shared.ingest.redaction); the lock keeps a redaction from passing unseen.
    lock_offers(session, (event.offer_uri for event in events))
    events = redacted_events(events, redactions_for(session, (e.offer_uri for e in events)))
    sink.record_many(session, events)
    first: dict[str, VerifiedEvent] = {}
    for event in events:
        first.setdefault(event.offer_uri, event)
    applied, inserted = _claim(session, first, now)
    outcomes, newest = [], {}  # newest: the last event applied to each offer
    for event in events:
        outcome = _decide(applied, event)
        if outcome is Outcome.APPLIED:
            newest[event.offer_uri] = event
        outcomes.append(outcome)
    # A row inserted by _claim holds its offer's first event; the others change here.
    changed = [
        _ingest_row(event, now)
        for uri, event in newest.items()
        if uri not in inserted or event is not first[uri]
    ]
    if changed:
        session.execute(update(IngestedOffer), changed)
    sink.publish_many(session, [event for event in newest.values() if not event.withdrawn])
    sink.withdraw_many(session, [event for event in newest.values() if event.withdrawn])
    return outcomes


def apply_event(session: Session, sink: Sink, event: VerifiedEvent) -> Outcome:
    """Apply one verified event in the caller's transaction: :func:`apply_events` of one."""
    return apply_events(session, sink, [event])[0]
