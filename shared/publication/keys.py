"""The node's signing keys over time, and the signing of log rows.

One key is active at a time. Rotation happens under the log head's row lock, the same lock every
publishing transaction takes before it signs, so the retired key's ``last_seq`` is exactly the
last sequence number it signed and the new key signs everything after.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.errors import Conflict, ServiceUnavailable
from shared.publication import EVENT_KEY_ROTATED
from shared.publication.events import signing_input, unsigned_event
from shared.publication.models import LogEntry, LogHead, NodeKey
from shared.publication.schema import canonical_json
from shared.publication.uris import key_uri
from shared.signing import (
    VerificationKey,
    b64url,
    b64url_decode,
    generate_private_key,
    key_id,
    public_bytes,
    seal,
    sign,
    unseal,
)


def _lock_head(session: Session) -> int:
    """Take the log head's row lock (as publishing does) and return the last sequence number."""
    statement = (
        update(LogHead)
        .where(LogHead.id == 1)
        .values(last_seq=LogHead.last_seq)
        .returning(LogHead.last_seq)
    )
    return int(session.execute(statement).scalar_one())


def active_key(session: Session) -> NodeKey | None:
    return session.scalars(select(NodeKey).where(NodeKey.retired_at.is_(None))).one_or_none()


def all_keys(session: Session) -> list[NodeKey]:
    return list(session.scalars(select(NodeKey).order_by(NodeKey.created_at)))


def verification_keys(session: Session) -> dict[str, VerificationKey]:
    """The node's public keys, as a verifier (and the JWKS) sees them."""
    return {
        row.key_id: VerificationKey(row.key_id, b64url_decode(row.public_key), row.last_seq)
        for row in all_keys(session)
    }


def _new_key(session: Session, passphrase: str) -> NodeKey:
    private = generate_private_key()
    public = public_bytes(private)
    row = NodeKey(
        key_id=key_id(public),
        public_key=b64url(public),
        private_key=seal(private, passphrase),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def generate_key(session: Session, signer: Signer) -> NodeKey:
    """Create the node's first key."""
    _lock_head(session)
    if active_key(session) is not None:
        raise Conflict("key.exists")
    return _new_key(session, signer.passphrase)


def rotate_key(
    session: Session, signer: Signer, base_url: str | None = None
) -> tuple[NodeKey, NodeKey]:
    """Retire the active key after the last event it signed and make a new one active.

    With the node's ``base_url``, the last event the old key signs announces the new key (a
    key-rotation event in the log, relayed and in the feed like any other), which is what
    lets national services trust the new key without their operator's approval.
    """
    last_seq = _lock_head(session)
    old = active_key(session)
    if old is None:
        raise Conflict("key.missing")
    new = _new_key(session, signer.passphrase)
    if base_url is not None:
        last_seq = _announce(session, signer, old, new, base_url, last_seq + 1)
    old.retired_at = utcnow()
    old.last_seq = last_seq
    session.flush()
    return old, new


def _announce(
    session: Session, signer: Signer, old: NodeKey, new: NodeKey, base_url: str, seq: int
) -> int:
    """Append the rotation event, signed by ``old``, as log row ``seq``; ``seq``."""
    previous = session.scalar(select(LogEntry.occurred_at).where(LogEntry.seq == seq - 1))
    entry = LogEntry(
        seq=seq,
        event_id=str(uuid.uuid4()),
        event_type=EVENT_KEY_ROTATED,
        offer_uri=key_uri(base_url, new.key_id),
        version=1,
        organisation_number="",
        # Log times never decrease, whatever this host's clock says.
        occurred_at=utcnow() if previous is None else max(utcnow(), previous),
        snapshot=canonical_json(
            {"key_id": new.key_id, "public_key": new.public_key, "previous_key_id": old.key_id}
        ),
    )
    entry.key_id = old.key_id
    entry.signature = sign(signer.private(old), signing_input(_unsigned(entry, old.key_id)))
    session.add(entry)
    session.execute(update(LogHead).where(LogHead.id == 1).values(last_seq=seq))
    session.flush()
    return seq


class Signer:
    """Signs log rows with the node's active key; unsealed keys are kept in memory."""

    def __init__(self, passphrase: str) -> None:
        self.passphrase = passphrase
        self._keys: dict[str, Ed25519PrivateKey] = {}
        self._lock = threading.Lock()

    def private(self, row: NodeKey) -> Ed25519PrivateKey:
        """The key's private half, unsealed once."""
        with self._lock:
            key = self._keys.get(row.key_id)
            if key is None:
                try:
                    key = unseal(row.private_key, self.passphrase)
                except ValueError:
                    raise ServiceUnavailable("key.wrong_passphrase") from None
                self._keys[row.key_id] = key
            return key

    def sign_entry(self, session: Session, entry: LogEntry) -> None:
        """Sign the row's event with the active key. Call it holding the log head's lock."""
        self.sign_entries(session, [entry])

    def sign_entries(self, session: Session, entries: list[LogEntry]) -> None:
        """Sign the rows' events with the active key, read once for all of them (a key
        rotation takes the log head's lock, so it cannot change while the caller holds it)."""
        row = active_key(session)
        if row is None:
            raise ServiceUnavailable("key.none_to_sign")
        private = self.private(row)
        for entry in entries:
            entry.key_id = row.key_id
            entry.signature = sign(private, signing_input(_unsigned(entry, row.key_id)))

    def resign_entries(self, session: Session, entries: list[LogEntry]) -> None:
        """Sign rows whose snapshot was rewritten (a redaction) again, each with the key that
        signed it first: a key covers the sequence numbers it signed, so whoever could verify
        the original row can verify the rewritten one, with the key it already trusts."""
        for entry in entries:
            row = session.get(NodeKey, entry.key_id)
            if row is None:
                raise ServiceUnavailable("key.none_to_sign")
            entry.signature = sign(self.private(row), signing_input(_unsigned(entry, row.key_id)))


def _unsigned(entry: LogEntry, key_id: str) -> dict[str, Any]:
    return unsigned_event(
        event_id=entry.event_id,
        event_type=entry.event_type,
        subject=entry.offer_uri,
        sequence=entry.seq,
        time=entry.occurred_at,
        snapshot=entry.snapshot,
        key_id=key_id,
    )


def entry_event(entry: LogEntry) -> dict[str, Any]:
    """The signed CloudEvent of a log row, exactly as it was signed."""
    event = _unsigned(entry, entry.key_id)
    event["signature"] = entry.signature
    return event
