"""Applying a batch of events (a feed page, a run of bus messages) at once ends exactly as
applying them one by one in order: several versions of an offer, duplicates, a withdrawal
after a publication; a refusal anywhere refuses the batch, with nothing written."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.search.index.models import IndexedOffer, OfferCoverage, OfferTerm
from shared.ingest.apply import Outcome
from shared.ingest.models import IngestedOffer
from shared.publication.events import EventRejected
from tests.federation import KONGSBERG
from tests.publisher.node import ORGANISATIONS

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
APPLIED, IGNORED = Outcome.APPLIED, Outcome.IGNORED


@pytest.fixture
def node(federation):
    return federation.node("kommune", DRAMMEN)


def _state(index) -> tuple[dict, dict, int, int]:
    """The index and the ingest bookkeeping, as comparable values."""
    with Session(index.engine) as session:
        ingested = {
            row.offer_uri: (row.version, row.withdrawn, row.event_id, row.sequence)
            for row in session.scalars(select(IngestedOffer))
        }
        details = [
            session.scalar(select(func.count()).select_from(model))
            for model in (OfferCoverage, OfferTerm)
        ]
        names = dict(session.execute(select(IndexedOffer.offer_uri, IndexedOffer.name)).all())
    return ingested, names, *details


def _scenario(node) -> list[dict]:
    with node.builder() as b:
        kept = b.publish(name="Helsestasjon")
        b.revise(kept, name="Helsestasjon for ungdom")
        gone = b.publish("kongsberg", name="PPT", coverage=["3303"])
        b.withdraw(gone, "kongsberg")
        b.revise(kept, name="Helsestasjon, tredje versjon")
        back = b.publish(name="Kommer tilbake")
        b.withdraw(back)
        b.revise(back, name="Kom tilbake")
    return node.events()


def test_a_batch_ends_as_its_events_one_by_one(node, index, search_database_factory, federation):
    from tests.search.federation import new_search_index

    events = _scenario(node)
    one_by_one = new_search_index(search_database_factory, federation.client())
    for target in (index, one_by_one):
        target.trust(node)
    duplicated = [*events[:3], events[1], events[0], *events[3:], events[2]]
    expected = one_by_one.apply(duplicated)
    assert index.apply_batch(duplicated) == expected
    assert expected == [APPLIED] * 3 + [IGNORED] * 2 + [APPLIED] * 5 + [IGNORED]
    assert _state(index) == _state(one_by_one)
    assert index.indexed() == node.published()
    # Applied again, in another order: nothing changes.
    assert index.apply_batch(list(reversed(duplicated))) == [IGNORED] * len(duplicated)
    assert _state(index) == _state(one_by_one)
    one_by_one.engine.dispose()


def test_a_batch_over_offers_already_here_replaces_them(node, index):
    events = _scenario(node)
    index.trust(node)
    assert index.apply_batch(events[:3]) == [APPLIED] * 3
    assert index.apply_batch(events) == [IGNORED] * 3 + [APPLIED] * 5
    assert index.indexed() == node.published()


def test_a_refusal_in_the_middle_refuses_the_batch_and_writes_nothing(node, index):
    index.trust(node)
    with node.builder() as b:
        first = b.publish(name="Første")
        b.revise(first, name="Andre")
        b.publish(name="Et annet tilbud")
    v1, v2, other = node.events()
    index.apply_batch([v1])
    before = _state(index)
    # Version 3 claiming a sequence before version 2's: a key used out of turn.
    out_of_turn = node.resign(v2, id=str(uuid.uuid4()), data_version=3, sequence=v1["sequence"])
    with pytest.raises(EventRejected, match="not after sequence"):
        index.apply_batch([v2, out_of_turn, other])
    assert _state(index) == before
    # A reused identity is refused inside a batch as well.
    replay = node.resign(v2, id=v1["id"])
    with pytest.raises(EventRejected, match="replays the identity"):
        index.apply_batch([other, replay])
    assert _state(index) == before
