"""Which of a node's keys verify its events: pinned, never adopted.

A national service trusts the keys it read when the operator added the node (adding is the
approval) and those the operator approved since. The node's JWKS is where keys are *read*: a key
it lists that we do not hold is recorded as pending and verifies nothing until the operator
approves it (``nettungen <service> nodes keys approve NODE KEYID``). Whoever controls the node's
web server, or a certificate for its host, can change the JWKS, so nothing in it may widen trust.
It may narrow trust: a ``last_sequence`` it gives retires a key after that event, and a rotation
is never undone. A key the JWKS no longer lists is kept (it still verifies what it signed) and
reported as missing. Every change is logged, and counted by :mod:`shared.ingest.metrics`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import utcnow
from shared.errors import Conflict, InvalidInput, NotFound
from shared.ingest.directory import MAX_KEYS, get_node
from shared.ingest.models import (
    KEY_PENDING,
    KEY_TRUSTED,
    FederationNode,
    FederationNodeKey,
    RejectedEvent,
)
from shared.ingest.rejections import record_rejection
from shared.messages import Message
from shared.signing import VerificationKey, b64url

log = logging.getLogger(__name__)

PENDING = "pending"  # read from the JWKS, waiting for approval
RETIRED = "retired"  # the JWKS gave it a last sequence number
MISSING = "missing"  # the JWKS no longer lists it
LISTED_AGAIN = "listed again"
APPROVED = "approved"
CONFLICTING = "conflicting"  # the JWKS gives another public key under a key id we hold


@dataclass(frozen=True)
class KeyChange:
    """One change to a node's keys, as logged and shown to the operator."""

    node_id: str
    key_id: str
    change: str

    def __str__(self) -> str:
        return f"node {self.node_id}: key {self.key_id} {self.change}"


def _log(changes: list[KeyChange]) -> list[KeyChange]:
    for change in changes:
        quiet = change.change in (RETIRED, LISTED_AGAIN, APPROVED)
        (log.info if quiet else log.warning)("%s", change)
    return changes


def _retire(row: FederationNodeKey, last_sequence: int | None) -> bool:
    """Narrow the key to events up to ``last_sequence``; a rotation is never undone, so the
    earliest number ever given wins. Whether it changed."""
    if last_sequence is None or (
        row.last_sequence is not None and row.last_sequence <= last_sequence
    ):
        return False
    row.last_sequence = last_sequence
    return True


def _checked(keys: Sequence[VerificationKey]) -> None:
    if len(keys) > MAX_KEYS:
        raise InvalidInput(
            "node.too_many_keys_given",
            {"keys": [Message("node.too_many_keys", largest=MAX_KEYS)]},
        )


def observe_keys(
    session: Session, node_id: str, keys: Sequence[VerificationKey]
) -> list[KeyChange]:
    """Record what the node's JWKS lists now (see the module's docstring); the changes."""
    _checked(keys)
    node = get_node(session, node_id)
    now = utcnow()
    held = {row.key_id: row for row in node.keys}
    listed = {key.key_id: key for key in keys}
    changes = [_observe_one(node, held.get(key.key_id), key, now) for key in keys]
    for key_id, row in held.items():
        if key_id not in listed and row.missing_since is None:
            row.missing_since = now
            changes.append(KeyChange(node.id, key_id, MISSING))
    node.keys_fetched_at = now
    found = [change for change in changes if change is not None]
    if found:
        node.updated_at = now
    return _log(found)


def _observe_one(
    node: FederationNode, row: FederationNodeKey | None, key: VerificationKey, now: dt.datetime
) -> KeyChange | None:
    if row is None:
        if sum(k.state == KEY_PENDING for k in node.keys) >= MAX_KEYS:
            return KeyChange(node.id, key.key_id, "not recorded: too many keys are pending")
        node.keys.append(
            FederationNodeKey(
                key_id=key.key_id,
                public_key=b64url(key.public),
                last_sequence=key.last_sequence,
                state=KEY_PENDING,
                first_seen_at=now,
            )
        )
        return KeyChange(node.id, key.key_id, PENDING)
    if row.public_key != b64url(key.public):
        return KeyChange(node.id, key.key_id, CONFLICTING)
    if row.missing_since is not None:
        row.missing_since = None
        _retire(row, key.last_sequence)
        return KeyChange(node.id, key.key_id, LISTED_AGAIN)
    if _retire(row, key.last_sequence):
        return KeyChange(node.id, key.key_id, RETIRED)
    return None


def approve_key(session: Session, node_id: str, key_id: str, by: str = "operator") -> KeyChange:
    """Trust a pending key of the node: it verifies the node's events from now on."""
    node = get_node(session, node_id)
    row = next((k for k in node.keys if k.key_id == key_id), None)
    if row is None:
        raise NotFound("node.key_not_found", id=node_id, key=key_id)
    if row.state == KEY_TRUSTED:
        raise Conflict("node.key_already_trusted", id=node_id, key=key_id)
    row.state, row.trusted_by, row.trusted_at = KEY_TRUSTED, by, utcnow()
    node.updated_at = utcnow()
    return _log([KeyChange(node_id, key_id, APPROVED)])[0]


def trust_keys(
    session: Session, node_id: str, keys: Sequence[VerificationKey], by: str
) -> list[KeyChange]:
    """Record ``keys`` as the node's JWKS and approve every one of them: the national
    operator's act when they have the node's keys from the node's operator themselves."""
    changes = observe_keys(session, node_id, keys)
    pending = {k.key_id for k in get_node(session, node_id).keys if k.state == KEY_PENDING}
    return changes + [
        approve_key(session, node_id, k.key_id, by) for k in keys if k.key_id in pending
    ]


def list_keys(
    session: Session, node_id: str | None = None, state: str | None = None
) -> list[FederationNodeKey]:
    """The keys of one node or of all, perhaps only those in ``state``."""
    statement = select(FederationNodeKey).order_by(
        FederationNodeKey.node_id, FederationNodeKey.key_id
    )
    if node_id is not None:
        get_node(session, node_id)
        statement = statement.where(FederationNodeKey.node_id == node_id)
    if state is not None:
        statement = statement.where(FederationNodeKey.state == state)
    return list(session.scalars(statement))


def describe(row: FederationNodeKey) -> str:
    """One line about a key for the operator."""
    parts = [row.node_id, row.key_id, row.state]
    if row.trusted_by:
        parts.append(f"trusted by {row.trusted_by}")
    if row.last_sequence is not None:
        parts.append(f"retired after sequence {row.last_sequence}")
    if row.missing_since is not None:
        parts.append(f"MISSING from the JWKS since {row.missing_since:%Y-%m-%d %H:%M}Z")
    return "  ".join(parts)


def trust_announced_key(
    session: Session, node_id: str, key: VerificationKey, signed_by: str, sequence: int
) -> list[KeyChange]:
    """Trust ``key``, announced by a rotation event the node's trusted key ``signed_by``
    signed as its event ``sequence`` (verified by the caller); that key signs nothing after
    it. Announcing a key trusted already changes nothing (the event comes by both roads)."""
    node = get_node(session, node_id)
    held = {row.key_id: row for row in node.keys}
    changes = []
    old = held.get(signed_by)
    if old is not None and _retire(old, sequence):
        changes.append(KeyChange(node_id, signed_by, RETIRED))
    row = held.get(key.key_id)
    now = utcnow()
    if row is None:
        row = FederationNodeKey(
            key_id=key.key_id, public_key=b64url(key.public), state=KEY_PENDING, first_seen_at=now
        )
        node.keys.append(row)
    if row.public_key != b64url(key.public):
        changes.append(KeyChange(node_id, key.key_id, CONFLICTING))
    elif row.state != KEY_TRUSTED:
        row.state, row.trusted_by, row.trusted_at = KEY_TRUSTED, f"rotation by {signed_by}", now
        changes.append(KeyChange(node_id, key.key_id, "trusted: announced by a rotation event"))
    if changes:
        node.updated_at = now
    return _log(changes)


def record_untrusted_once(
    sessions: sessionmaker[Session], node_id: str, event: Any, reason: str
) -> None:
    """Record that the node's feed waits at ``event``, signed by a key not trusted here, once
    (the harvester meets it again every round until the key is approved)."""
    event_id = event.get("id") if isinstance(event, dict) else None
    with sessions() as session:
        recorded = session.scalar(
            select(RejectedEvent.id)
            .where(RejectedEvent.node_id == node_id, RejectedEvent.event_id == event_id)
            .limit(1)
        )
    if recorded is None:
        record_rejection(sessions, via="feed", reason=reason, received=event, node_id=node_id)
