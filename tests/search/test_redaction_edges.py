"""What the national side records of a redaction (shared.ingest.redaction): the furthest
redaction of each offer, with the event that brought it, whatever order the roads bring them
in, each offer's record its own.

Every expectation is written by hand from the node's own events.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.search.index.models import IndexedOffer
from services.search.index.sink import SearchSink
from shared.ingest import redaction as redaction_module
from shared.ingest.models import OfferRedaction
from shared.publication import keys
from shared.publication.events import EventRejected
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.node import ORGANISATIONS

PERSON = {"name": "Kari Nordmann", "email": "kari.nordmann@example.org"}


@pytest.fixture
def node(federation):
    return federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]})


def _records(index) -> dict[str, tuple[int, str, int]]:
    """offer URI -> (through version, event id, sequence) of its redaction record."""
    with Session(index.engine) as session:
        return {
            row.offer_uri: (row.through_version, row.event_id, row.sequence)
            for row in session.scalars(select(OfferRedaction))
        }


def _redactions(node) -> list[dict[str, Any]]:
    return [e for e in node.events() if e["type"] == "no.nettungen.offer.redacted"]


def test_the_furthest_redaction_stays_recorded_whichever_road_brings_it_first(node, index):
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon", contact=PERSON)
        b.revise(offer, schedule="Tirsdager.")
        b.redact(offer)  # through version 2
        b.revise(offer, schedule="Onsdager.", contact=PERSON)  # version 3, a person again
    # Version 3 as first sent (the node's log holds it redacted after the next redaction).
    [version_3] = [e for e in node.events() if e["data"].get("version") == 3]
    assert "Kari Nordmann" in str(version_3)
    with node.builder() as b:
        b.redact(offer)  # through version 3
    first, second = _redactions(node)
    assert (first["data"]["through_version"], second["data"]["through_version"]) == (2, 3)
    uri = f"{node.base_url}/offers/{offer}"
    verifier = index.verifier()
    # The later redaction by the feed, then the earlier one by the bus (an old message).
    assert verifier.take_redaction(second, SearchSink(), node.id) is True
    assert _records(index) == {uri: (3, second["id"], int(second["sequence"]))}
    assert verifier.take_redaction(first, SearchSink()) is True
    assert _records(index) == {uri: (3, second["id"], int(second["sequence"]))}
    # Version 3 as first sent, arriving after both (an old message): stored without the person.
    index.apply([version_3])
    with Session(index.engine) as session:
        [stored] = session.scalars(select(IndexedOffer.document)).all()
    assert "Kari Nordmann" not in stored and "Onsdager." in stored


def test_a_further_redaction_replaces_the_record(node, index):
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon", contact=PERSON)
        b.redact(offer)  # through version 1
        b.revise(offer, schedule="Onsdager.", contact=PERSON)
        b.redact(offer)  # through version 2
    first, second = _redactions(node)
    verifier = index.verifier()
    assert verifier.take_redaction(first, SearchSink()) is True
    assert verifier.take_redaction(second, SearchSink(), node.id) is True
    uri = f"{node.base_url}/offers/{offer}"
    assert _records(index) == {uri: (2, second["id"], int(second["sequence"]))}


def test_each_offers_redaction_is_recorded_on_its_own(node, index):
    index.trust(node)
    with node.builder() as b:
        one = b.publish(name="Helsestasjon", contact=PERSON)
        b.redact(one)
        other = b.publish(name="Familiesenteret", contact=PERSON)
        b.revise(other, schedule="Tirsdager.")
        b.redact(other)
    first, second = _redactions(node)
    verifier = index.verifier()
    for redaction in (first, second):
        assert verifier.take_redaction(redaction, SearchSink()) is True
    assert _records(index) == {
        f"{node.base_url}/offers/{one}": (1, first["id"], int(first["sequence"])),
        f"{node.base_url}/offers/{other}": (2, second["id"], int(second["sequence"])),
    }


def test_a_redaction_signed_before_a_rotation_comes_by_the_feed_not_the_bus(node, index, caplog):
    # The bus takes nothing signed by a key the node has rotated out (whoever still holds it
    # could sign anything with an old sequence number); the node's feed vouches for what that
    # key signed before.
    index.trust(node)
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon", contact=PERSON)
        b.redact(offer)
    with Session(node.engine) as session, session.begin():
        old, _ = keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE), node.base_url)
        old_id = old.key_id
    [redaction] = _redactions(node)
    rotation = node.events()[-1]
    assert redaction["signingkey"] == rotation["signingkey"] == old_id
    verifier = index.verifier()
    assert verifier.take_rotation(rotation) is True
    with pytest.raises(EventRejected, match="signed by a key the node has rotated out"):
        verifier.take_redaction(redaction, SearchSink())
    assert _records(index) == {}
    with caplog.at_level(logging.INFO, logger="shared.ingest.redaction"):
        assert verifier.take_redaction(redaction, SearchSink(), node.id) is True
    uri = f"{node.base_url}/offers/{offer}"
    assert _records(index) == {uri: (1, redaction["id"], int(redaction["sequence"]))}
    # What the operator reads in the service's log.
    assert [r.getMessage() for r in caplog.records if r.name == "shared.ingest.redaction"] == [
        f"redacted {uri} through version 1 (node kommune)"
    ]


def test_a_redaction_no_check_foresaw_is_refused_saying_what_it_tripped_over(
    node, index, monkeypatch
):
    index.trust(node)
    with node.builder() as b:
        b.redact(b.publish(name="Helsestasjon", contact=PERSON))
    [redaction] = _redactions(node)

    def trips(*args: Any) -> Any:
        raise KeyError("offer")

    monkeypatch.setattr(redaction_module, "check_redaction", trips)
    with pytest.raises(EventRejected) as refused:
        index.verifier().take_redaction(redaction, SearchSink())
    assert str(refused.value) == "the redaction cannot be verified: KeyError"
    assert _records(index) == {}
