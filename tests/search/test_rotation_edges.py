"""Key rotation events at their edges (shared.ingest.rotation): which node's rotation a feed may
bring, what a key rotated out may still sign on the bus, how far the old key then signs, and
the refusal of a rotation no check foresaw.

The rotation events are the node's own (``registry key rotate``), re-signed where a test needs a
node misbehaving; every expectation is written by hand.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from shared.db import utcnow
from shared.ingest import node_keys, rotation
from shared.ingest.models import KEY_TRUSTED
from shared.publication import keys
from shared.publication.events import EventRejected
from shared.publication.uris import key_uri
from shared.signing import b64url, generate_private_key, key_id, public_bytes
from tests.conftest import TEST_PASSPHRASE
from tests.federation import KONGSBERG
from tests.publisher.node import ORGANISATIONS


@pytest.fixture
def node(federation):
    return federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})


def _rotate_keeping_the_old_key_active(node) -> tuple[dict[str, Any], str, str]:
    """A rotation event (the node's first event), with the old key still signing in the
    node's database, as a thief of the old key could; the event, the old and the new key id."""
    with Session(node.engine) as session, session.begin():
        old, new = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), node.base_url)
        new.retired_at, old.retired_at, old.last_seq = utcnow(), None, None
        old_id, new_id = old.key_id, new.key_id
    [event] = node.events()
    return event, old_id, new_id


def _held(index) -> dict[str, tuple[str, int | None]]:
    """The keys held here: state and the last sequence each may sign."""
    with Session(index.engine) as session:
        return {row.key_id: (row.state, row.last_sequence) for row in node_keys.list_keys(session)}


def test_from_the_bus_the_old_key_signs_nothing_after_its_rotation(node, index):
    index.trust(node)
    event, old, new = _rotate_keeping_the_old_key_active(node)
    assert event["sequence"] == "00000000000000000001"
    assert index.verifier().take_rotation(event) is True
    # No JWKS was read: the rotation event alone narrows the old key to its own sequence.
    assert _held(index) == {old: (KEY_TRUSTED, 1), new: (KEY_TRUSTED, None)}


def test_a_key_rotated_out_cannot_announce_another_key_on_the_bus(node, index):
    # Whoever still holds the old key signs a second rotation with its last sequence number,
    # announcing a key of their own: on the bus, a key rotated out signs nothing at all.
    index.trust(node)
    event, old, new = _rotate_keeping_the_old_key_active(node)
    verifier = index.verifier()
    assert verifier.take_rotation(event) is True
    theirs = public_bytes(generate_private_key())
    forged = node.resign(
        event,
        id="c0ffee00-0000-4000-8000-000000000001",
        subject=key_uri(node.base_url, key_id(theirs)),
        data_key_id=key_id(theirs),
        data_public_key=b64url(theirs),
    )
    assert forged["signingkey"] == old
    with pytest.raises(EventRejected, match="signed by a key the node has rotated out"):
        verifier.take_rotation(forged)
    assert _held(index) == {old: (KEY_TRUSTED, 1), new: (KEY_TRUSTED, None)}


def test_a_feed_brings_only_its_own_nodes_rotations(federation, index, node):
    other = federation.node("kongsberg", {"kongsberg": KONGSBERG})
    for each in (node, other):
        index.trust(each)
    event, old, new = _rotate_keeping_the_old_key_active(other)
    verifier = index.verifier()
    with pytest.raises(EventRejected) as refused:
        verifier.take_rotation(event, node.id)
    assert str(refused.value) == f"the event comes from '{other.base_url}', not '{node.base_url}'"
    assert new not in _held(index)
    # Signed by the node's own key, but naming another source: refused all the same.
    mine, _, _ = _rotate_keeping_the_old_key_active(node)
    elsewhere = "https://elsewhere.node.test"
    moved = node.resign(mine, source=elsewhere, subject=key_uri(elsewhere, mine["data"]["key_id"]))
    with pytest.raises(EventRejected) as refused:
        verifier.take_rotation(moved, node.id)
    assert str(refused.value) == f"the event comes from '{elsewhere}', not '{node.base_url}'"
    # From its own node's feed, the other node's rotation is taken.
    assert verifier.take_rotation(event, other.id) is True
    assert _held(index)[new] == (KEY_TRUSTED, None)


def test_a_rotation_no_check_foresaw_is_refused_saying_what_it_tripped_over(
    node, index, monkeypatch
):
    index.trust(node)
    event, _, new = _rotate_keeping_the_old_key_active(node)

    def trips(*args: Any) -> Any:
        raise TypeError("a list where a string belongs")

    monkeypatch.setattr(rotation, "check_key_rotation", trips)
    with pytest.raises(EventRejected) as refused:
        index.verifier().take_rotation(event)
    assert str(refused.value) == "the key rotation cannot be verified: TypeError"
    assert new not in _held(index)
