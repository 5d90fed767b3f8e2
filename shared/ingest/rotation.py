"""Key-rotation events: a node's trusted key announces the key that signs after it.

The event (:func:`shared.publication.keys.rotate_key`) comes by both roads like an offer event.
Whichever brings it first makes the new key trusted (in a transaction of its own, before the
events after it are verified); the other finds it trusted already. One signed by a key not
trusted here changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from shared.ingest import node_keys
from shared.ingest.apply import bus_keys, node_of
from shared.ingest.directory import Directory, TrustedNode
from shared.publication import EVENT_KEY_ROTATED
from shared.publication.events import EventRejected, check_key_rotation, sequence_of


def is_rotation(event: Any) -> bool:
    return isinstance(event, Mapping) and event.get("type") == EVENT_KEY_ROTATED


def take_rotation(
    sessions: sessionmaker[Session],
    event: Mapping[str, Any],
    directory: Directory,
    expected_node: TrustedNode | None = None,
) -> list[node_keys.KeyChange]:
    """Verify the rotation event (from the feed of ``expected_node``, or from the bus) and
    trust the key it announces; raises :class:`EventRejected` (:class:`UnknownKey` when its
    signing key is not trusted here) for one that must not be taken."""
    node = node_of(event, directory, expected_node)
    keys = node.keys if expected_node is not None else bus_keys(node, event)
    try:
        key = check_key_rotation(event, keys, node.base_url)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        if isinstance(exc, EventRejected):
            raise
        raise EventRejected(f"the key rotation cannot be verified: {type(exc).__name__}") from exc
    with sessions.begin() as session:
        return node_keys.trust_announced_key(
            session, node.id, key, str(event["signingkey"]), sequence_of(event)
        )
