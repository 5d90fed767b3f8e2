"""Pinned keys: a node's JWKS never makes a key trusted. Whoever controls the node's web server
(or its database, or a certificate for its host) and replaces its JWKS with their own key gets
their forged events refused, on the bus and in the feed; the national operator approves a new
key. Runs on the embedded bus, and on RabbitMQ when TEST_BROKER_URL is set."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.publisher.relay import Relay, RelaySettings
from services.search.index.sink import SearchSink
from shared.bus import open_consumer, open_publisher
from shared.db import utcnow
from shared.errors import Conflict, NotFound
from shared.ingest import node_keys
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.metrics import ingest_gauges
from shared.ingest.models import KEY_PENDING, KEY_TRUSTED, HarvestCursor, RejectedEvent
from shared.publication import keys
from shared.publication.events import EventRejected, UnknownKey
from shared.publication.models import NodeKey
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.node import ORGANISATIONS


@pytest.fixture
def node(federation):
    return federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})


@pytest.fixture
def consumer(index, bus_url, queue_name) -> Iterator[BusIngest]:
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    ingest = BusIngest(index.sessions, bus, SearchSink(), index.verifier())
    bus.connect()
    yield ingest
    bus.close()


def _attacker_takes_over(node) -> str:
    """The node's JWKS now lists only a key the attacker made, and its log signs with it."""
    with Session(node.engine) as session, session.begin():
        _, forged = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
        session.execute(delete(NodeKey).where(NodeKey.key_id != forged.key_id))
        return forged.key_id


def _keys(index) -> dict[str, tuple[str, bool]]:
    with Session(index.engine) as session:
        return {
            row.key_id: (row.state, row.missing_since is not None)
            for row in node_keys.list_keys(session)
        }


def _reasons(index) -> list[str]:
    with Session(index.engine) as session:
        return list(session.scalars(select(RejectedEvent.reason).order_by(RejectedEvent.id)))


def _reason_for(index, event_id: str) -> str:
    """Why the event was refused (on a shared broker, others' events may be refused too)."""
    with Session(index.engine) as session:
        return session.scalars(
            select(RejectedEvent.reason).where(RejectedEvent.event_id == event_id)
        ).one()


def test_a_replaced_jwks_does_not_make_a_forged_event_accepted_from_the_feed(node, index):
    index.trust(node)
    [pinned] = [k.key_id for k in node.keys()]
    forged_key = _attacker_takes_over(node)
    with node.builder() as b:
        b.publish(name="Forfalsket tilbud")
    [report] = index.harvester().harvest_all()
    # The feed waits at the event (nothing after it is lost once the operator approves a
    # rightful key), and says why in the node's status.
    assert report.applied == 0
    assert "not trusted here" in str(report.error)
    assert index.indexed() == {}
    with Session(index.engine) as session:
        [cursor] = session.scalars(select(HarvestCursor)).all()
        assert "not trusted here" in str(cursor.last_error)
    # Refused and recorded, once, however many rounds wait at it.
    [forged] = node.events()
    index.harvester().harvest_all()
    assert "not trusted here" in _reason_for(index, forged["id"])
    # The attacker's key is recorded for the operator to see, not trusted; the pinned key is
    # reported missing from the JWKS, not dropped.
    assert _keys(index) == {forged_key: (KEY_PENDING, False), pinned: (KEY_TRUSTED, True)}
    with Session(index.engine) as session:
        gauges = {name: value for name, _, value in ingest_gauges(session)}
    assert gauges["nettungen_ingest_keys_pending"] == 1
    assert gauges["nettungen_ingest_keys_missing"] == 1


def test_a_replaced_jwks_does_not_make_a_forged_event_accepted_from_the_bus(
    node, index, consumer, bus_url
):
    index.trust(node)
    forged_key = _attacker_takes_over(node)
    with node.builder() as b:
        b.publish(name="Forfalsket tilbud")
    relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
    relay.run(threading.Event(), until_caught_up=True)
    consumer.drain(timeout=1.0)
    [forged] = node.events()
    assert "not trusted here" in _reason_for(index, forged["id"])
    assert index.indexed() == {}
    assert _keys(index)[forged_key] == (KEY_PENDING, False)


def test_the_operator_approves_a_rotated_key_and_its_events_are_then_accepted(node, index):
    index.trust(node)
    with Session(node.engine) as session, session.begin():
        old, new = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
        old_id, new_id = old.key_id, new.key_id
    with node.builder() as b:
        b.publish(name="Signert med ny nøkkel")
    [event] = node.events()
    with pytest.raises(UnknownKey, match="not trusted here"):
        index.apply([event])
    # The JWKS retired the old key (narrowing is safe) and listed the new one as pending.
    with Session(index.engine) as session:
        rows = {row.key_id: row for row in node_keys.list_keys(session, node.id)}
        assert rows[old_id].last_sequence == 0
        assert rows[new_id].state == KEY_PENDING
        assert [row.key_id for row in node_keys.list_keys(session, state=KEY_PENDING)] == [new_id]
    with index.sessions.begin() as session:
        node_keys.approve_key(session, node.id, new_id)
    with index.sessions.begin() as session, pytest.raises(Conflict):
        node_keys.approve_key(session, node.id, new_id)
    with index.sessions.begin() as session, pytest.raises(NotFound):
        node_keys.approve_key(session, node.id, "no-such-key")
    assert len(index.apply([event])) == 1
    assert list(index.indexed().values()) == [1]


def test_a_jwks_cannot_widen_a_retired_key_again(node, index):
    index.trust(node)
    [pinned] = node.keys()
    with index.sessions.begin() as session:
        retired = type(pinned)(pinned.key_id, pinned.public, 3)
        node_keys.observe_keys(session, node.id, [retired])
        revived = type(pinned)(pinned.key_id, pinned.public, None)
        assert node_keys.observe_keys(session, node.id, [revived]) == []
        [row] = node_keys.list_keys(session, node.id)
        assert row.last_sequence == 3


def test_a_version_dated_in_the_future_or_before_its_predecessor_is_refused(node, index):
    index.trust(node)
    with node.builder() as b:
        offer = b.publish()
        b.revise(offer, name="Andre versjon")
    first, second = node.events()
    future = (utcnow().replace(microsecond=0).year + 1, "-01-01T00:00:00+00:00")
    ahead = node.resign(first, data_published_at=f"{future[0]}{future[1]}")
    with pytest.raises(EventRejected, match="in the future"):
        index.apply([ahead])
    index.apply([first])
    back_dated = node.resign(second, data_published_at="2001-01-01T00:00:00+00:00")
    with pytest.raises(EventRejected, match="before version 1"):
        index.apply([back_dated])
    assert list(index.indexed().values()) == [1]
    assert len(index.apply([second])) == 1


def _rotate(node) -> tuple[str, str]:
    """``registry key rotate``: the old key's last event announces the new key."""
    with Session(node.engine) as session, session.begin():
        old, new = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), node.base_url)
        return old.key_id, new.key_id


def test_a_rotation_event_signed_by_the_old_key_makes_the_new_key_trusted_from_the_feed(
    node, index
):
    index.trust(node)
    with node.builder() as b:
        b.publish(name="Før rotasjonen")
    old, new = _rotate(node)
    with node.builder() as b:
        b.publish(name="Etter rotasjonen")
    assert [e["type"] for e in node.events()][1] == "no.nettungen.key.rotated"
    [report] = index.harvester().harvest_all()
    assert (report.error, report.applied) == (None, 2)
    assert _keys(index) == {old: (KEY_TRUSTED, False), new: (KEY_TRUSTED, False)}
    with Session(index.engine) as session:
        rows = {row.key_id: row for row in node_keys.list_keys(session)}
    assert rows[old].last_sequence == 2  # the rotation event is the old key's last
    assert rows[new].trusted_by == f"rotation by {old}"


def test_a_rotation_event_signed_by_the_old_key_makes_the_new_key_trusted_from_the_bus(
    node, index, consumer, bus_url
):
    index.trust(node)
    old, new = _rotate(node)
    with node.builder() as b:
        b.publish(name="Etter rotasjonen")
    relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
    relay.run(threading.Event(), until_caught_up=True)
    consumer.drain(timeout=1.0)
    assert (consumer.stats.rotations, consumer.stats.applied) == (1, 1)
    with Session(index.engine) as session:
        mine = select(RejectedEvent).where(RejectedEvent.source == node.base_url)
        assert session.scalars(mine).all() == []
    assert _keys(index)[new] == (KEY_TRUSTED, False)
    assert len(index.indexed()) == 1


def test_a_rotation_event_signed_by_an_untrusted_key_trusts_nothing(node, index, consumer, bus_url):
    index.trust(node)
    attacker = _attacker_takes_over(node)
    _, announced = _rotate(node)  # signed by the attacker's key
    rotation = next(e for e in node.events() if e["type"] == "no.nettungen.key.rotated")
    assert rotation["signingkey"] == attacker
    relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
    relay.run(threading.Event(), until_caught_up=True)
    consumer.drain(timeout=1.0)
    assert "key rotation signed by a key not trusted here" in _reason_for(index, rotation["id"])
    [report] = index.harvester().harvest_all()
    assert "not trusted here" in str(report.error)
    # The harvester read the JWKS, which lists both: pending, never trusted.
    assert _keys(index)[announced] == _keys(index)[attacker] == (KEY_PENDING, False)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"data_previous_key_id": "x"}, "signed by the key it retires"),
        ({"data_key_id": "x"}, "thumbprint"),
        ({"data_public_key": "!"}, "not base64url"),
        ({"data_extra": "x"}, "exactly"),
        ({"subject": "https://kommune.node.test/keys/other"}, "subject"),
    ],
)
def test_a_malformed_rotation_event_is_refused(node, index, changes, reason):
    index.trust(node)
    with Session(node.engine) as session, session.begin():
        # Announced, but kept active, so the test can sign variants with the trusted key.
        old, new = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), node.base_url)
        new.retired_at, old.retired_at, old.last_seq = utcnow(), None, None
    [rotation] = node.events()
    with pytest.raises(EventRejected, match=reason):
        index.verifier().take_rotation(node.resign(rotation, **changes))
    assert len(_keys(index)) == 1
