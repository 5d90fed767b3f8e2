"""The verifier at its edges: when a node's JWKS is read again (at most every 30 seconds per
node, as docs/operations.md says, and when the keys are older than the maximum age), how large
a JWKS may be (256 KiB), and what the refusals say.

The verifier's clock is replaced by one the test moves by hand, so the edges are exact; every
expectation is written by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.orm import Session

import shared.ingest.http as http_module
import shared.ingest.verifier as verifier_module
from services.search.index.sink import SearchSink
from shared.ingest import directory, node_keys
from shared.ingest.directory import DirectoryCache
from shared.ingest.verifier import Verifier
from shared.publication import keys
from shared.publication.events import EventRejected, UnknownKey
from tests.conftest import TEST_PASSPHRASE
from tests.federation import KONGSBERG, publishing_at
from tests.publisher.node import ORGANISATIONS

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
JWKS = "/.well-known/jwks.json"
NOT_TRUSTED = (
    ": the node's key is not trusted here (a key its JWKS lists waits for the national "
    "operator's approval)"
)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(verifier_module, "time", clock)
    return clock


@pytest.fixture
def node(federation, index):
    node = federation.node("kommune", DRAMMEN)
    index.trust(node)
    return node


def jwks_reads(federation, node) -> int:
    return federation.transport.requests.count(node.base_url + JWKS)


def trusted_node(verifier: Verifier, node):
    return verifier.directory.current().get(node.id)


def test_a_nodes_jwks_is_read_again_at_most_every_30_seconds(federation, index, node, clock):
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), index.client)
    trusted = trusted_node(verifier, node)
    assert verifier.refresh(trusted) is True
    assert jwks_reads(federation, node) == 1
    clock.now += 29.5
    assert verifier.refresh(trusted) is False
    assert jwks_reads(federation, node) == 1
    # Exactly 30 seconds after the last read: due again.
    clock.now = 1030.0
    assert verifier.refresh(trusted) is True
    assert jwks_reads(federation, node) == 2
    # Forced (the harvester's keys past their age): read whenever asked.
    assert verifier.refresh(trusted, force=True) is True
    assert jwks_reads(federation, node) == 3
    # Another node's reads are counted apart.
    other = federation.node("kongsberg", {"kongsberg": KONGSBERG})
    index.trust(other)
    assert verifier.refresh(trusted_node(verifier, other)) is True
    assert jwks_reads(federation, other) == 1


def test_keys_are_read_again_once_older_than_the_maximum_age(federation, index, node, clock):
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), index.client)
    trusted = trusted_node(verifier, node)
    # Never read by this verifier: read at once.
    verifier.refresh_if_stale(trusted)
    assert jwks_reads(federation, node) == 1
    verifier.refresh_if_stale(trusted)
    assert jwks_reads(federation, node) == 1
    # The default maximum age is 300 seconds: at exactly 300, not yet; just past it, read.
    clock.now += 300
    verifier.refresh_if_stale(trusted)
    assert jwks_reads(federation, node) == 1
    clock.now += 0.25
    verifier.refresh_if_stale(trusted)
    assert jwks_reads(federation, node) == 2
    # It reads even within the 30 seconds a refused event must wait.
    short = Verifier(
        index.sessions, DirectoryCache(index.sessions, ttl=0), index.client, keys_max_age=5
    )
    short.refresh(trusted)
    assert jwks_reads(federation, node) == 3
    clock.now += 6
    short.refresh_if_stale(trusted)
    assert jwks_reads(federation, node) == 4


def test_without_a_client_nothing_is_read_and_the_unknown_key_stays_refused(
    federation, index, node
):
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.publish()
    [event] = node.events()
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), None)
    assert verifier.refresh(trusted_node(verifier, node)) is False
    with pytest.raises(UnknownKey) as refused:
        verifier.verify(event, node.id)
    assert str(refused.value).endswith(NOT_TRUSTED)
    assert jwks_reads(federation, node) == 0


def test_an_unknown_key_is_refused_with_the_reason_from_the_feed_and_the_bus(index, node):
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.publish()
    [event] = node.events()
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), index.client)
    for node_id in (node.id, None):
        with pytest.raises(UnknownKey) as refused:
            verifier.verify(event, node_id)
        message = str(refused.value)
        assert message.startswith("unknown signing key")
        assert message.endswith(NOT_TRUSTED)


def test_a_key_approved_elsewhere_is_seen_after_the_next_read(federation, index, node, clock):
    """The directory is cached for an hour here: a read of the JWKS reads it again too."""
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.publish()
    [event] = node.events()
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=3600), index.client)
    with pytest.raises(UnknownKey):
        verifier.verify(event, node.id)
    with index.sessions.begin() as session:
        stored = directory.get_node(session, node.id)
        [pending] = [k.key_id for k in stored.keys if k.state == "pending"]
        node_keys.approve_key(session, node.id, pending)
    # Within 30 seconds the JWKS is not read again, so the cached directory still refuses.
    clock.now += 10
    with pytest.raises(UnknownKey):
        verifier.verify(event, node.id)
    assert jwks_reads(federation, node) == 1
    clock.now += 20
    verified = verifier.verify(event, node.id)
    assert verified.event["signingkey"] == pending
    assert jwks_reads(federation, node) == 2


def test_a_jwks_that_cannot_be_read_is_logged_and_still_waits_its_turn(
    federation, index, node, clock, caplog
):
    failing = httpx.Client(transport=httpx.MockTransport(lambda _: httpx.Response(503)))
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), failing)
    trusted = trusted_node(verifier, node)
    with caplog.at_level(logging.WARNING, logger="shared.ingest.verifier"):
        assert verifier.refresh(trusted) is False
    [record] = caplog.records
    assert record.getMessage() == (
        f"could not refresh the keys of node kommune: {node.base_url}{JWKS} answered 503"
    )
    # A node that does not answer is not asked again at once.
    verifier.client = index.client
    clock.now += 29
    assert verifier.refresh(trusted) is False
    clock.now += 1
    assert verifier.refresh(trusted) is True


def padded_jwks(federation, node, size: int) -> httpx.Client:
    """A client that reaches the node's JWKS as a body of exactly ``size`` bytes."""
    real = federation.client().get(node.base_url + JWKS)
    body = real.content.rstrip()
    assert body.endswith(b"}")
    body = body[:-1] + b" " * (size - len(body)) + b"}"
    assert len(body) == size

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    return httpx.Client(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize(("size", "read"), [(256 * 1024, True), (256 * 1024 + 1, False)])
def test_a_jwks_may_be_256_kib(federation, index, node, size, read):
    client = padded_jwks(federation, node, size)
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), client)
    assert verifier.refresh(trusted_node(verifier, node)) is read


def test_a_node_not_in_the_directory_is_refused_by_name(index, node):
    with node.builder() as b:
        b.publish()
    [event] = node.events()
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), index.client)
    for attempt in (
        lambda: verifier.verify(event, "nowhere"),
        lambda: verifier.take_rotation({**event, "type": "no.nettungen.key.rotated"}, "nowhere"),
        lambda: verifier.take_redaction(
            {**event, "type": "no.nettungen.offer.redacted"}, None, "nowhere"
        ),
    ):
        with pytest.raises(EventRejected) as refused:
            attempt()
        assert str(refused.value) == "node 'nowhere' is not in the directory"
    # An offer's version is neither a rotation nor a redaction: left to verify().
    assert verifier.take_rotation(event, node.id) is False
    assert verifier.take_redaction(event, None, node.id) is False


def test_a_redaction_from_another_nodes_feed_is_refused(federation, index, node):
    """Read from a node's feed, a redaction is that node's: one of another node that the feed
    passes on is refused, even though its own node is trusted here."""
    other = federation.node("kongsberg", {"kongsberg": KONGSBERG})
    index.trust(other)
    with other.builder() as b:
        offer = b.publish("kongsberg")
        b.redact(offer, "kongsberg")
    redaction = other.events()[-1]
    assert redaction["type"] == "no.nettungen.offer.redacted"
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), index.client)
    with pytest.raises(EventRejected) as refused:
        verifier.take_redaction(redaction, SearchSink(), node.id)
    assert str(refused.value) == (f"the event comes from '{other.base_url}', not '{node.base_url}'")
    # From its own node's feed it is taken.
    assert verifier.take_redaction(redaction, SearchSink(), other.id) is True


def test_the_configured_limit_for_versions_dated_ahead_is_the_one_applied(index, node, clock):
    """INGEST_MAX_FUTURE_MINUTES reaches the verifier as ``max_future`` (five minutes when not
    given): a version dated 30 minutes ahead is refused under the default and under 20 minutes,
    and taken under an hour, whether its key was trusted at once or only after the JWKS was
    read again."""
    ahead = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)
    with publishing_at(ahead), node.builder() as b:
        b.publish()
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with publishing_at(ahead), node.builder() as b:
        b.publish(name="Signert med ny nøkkel")
    first, second = node.events()

    def verifier(**kw: Any) -> Verifier:
        cache = DirectoryCache(index.sessions, ttl=3600)
        return Verifier(index.sessions, cache, index.client, **kw)

    for strict in (verifier(), verifier(max_future=dt.timedelta(minutes=20))):
        with pytest.raises(EventRejected, match="in the future"):
            strict.verify(first, node.id)
    with pytest.raises(EventRejected, match="more than 0:20:00 in the future"):
        verifier(max_future=dt.timedelta(minutes=20)).verify(first, node.id)
    lenient = verifier(max_future=dt.timedelta(hours=1))
    assert lenient.verify(first, node.id).sequence == 1
    # The second version's key: pending after the JWKS is read, then approved elsewhere.
    with pytest.raises(UnknownKey):
        lenient.verify(second, node.id)
    with index.sessions.begin() as session:
        stored = directory.get_node(session, node.id)
        [pending] = [k.key_id for k in stored.keys if k.state == "pending"]
        node_keys.approve_key(session, node.id, pending)
    clock.now += 30
    assert lenient.verify(second, node.id).sequence == 2


@pytest.mark.parametrize(("pause", "read"), [(10.0, True), (10.25, False)])
def test_a_jwks_is_read_within_10_seconds(federation, index, node, monkeypatch, pause, read):
    """The node's JWKS arrives in two parts with ``pause`` seconds between them, on a clock
    the test moves (no test waits)."""
    clock = Clock()
    monkeypatch.setattr(http_module, "time", clock)
    body = federation.client().get(node.base_url + JWKS).content
    middle = len(body) // 2

    def parts() -> Iterator[bytes]:
        yield body[:middle]
        clock.now += pause
        yield body[middle:]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=parts(), headers={"Content-Type": "application/json"})

    slow = httpx.Client(transport=httpx.MockTransport(answer))
    verifier = Verifier(index.sessions, DirectoryCache(index.sessions, ttl=0), slow)
    assert verifier.refresh(trusted_node(verifier, node)) is read


def test_after_a_read_of_the_jwks_a_feed_takes_a_rotated_out_keys_events_and_the_bus_not(
    index, node, clock
):
    """A key the node made and rotated out again before we met it: approved, it verifies the
    events it signed when they come from the node's feed, never from the bus (docs/
    operations.md), on the path where the JWKS had to be read again first."""
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.publish()
    [signed] = node.events()
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))

    def verifier() -> Verifier:
        return Verifier(index.sessions, DirectoryCache(index.sessions, ttl=3600), index.client)

    feed, bus = verifier(), verifier()
    bus.directory.current()
    with pytest.raises(UnknownKey):
        feed.verify(signed, node.id)
    with index.sessions.begin() as session:
        stored = {k.key_id: k for k in directory.get_node(session, node.id).keys}
        assert stored[signed["signingkey"]].state == "pending"
        assert stored[signed["signingkey"]].last_sequence == 1
        node_keys.approve_key(session, node.id, signed["signingkey"])
    clock.now += 30
    assert feed.verify(signed, node.id).sequence == 1
    with pytest.raises(EventRejected) as refused:
        bus.verify(signed)
    assert str(refused.value) == (
        "signed by a key the node has rotated out; such events are taken from the node's "
        "feed, not from the bus"
    )
