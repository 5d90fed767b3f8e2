"""The version history: every version kept once, valid from its time to the next version's,
whatever order the versions arrive in; withdrawals end an offer; the ingest's rules decide
what is written at all."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.publisher.relay import Relay, RelaySettings
from services.reporting import norway_time
from services.reporting.history.models import OfferVersion, VersionCoverage, VersionTerm
from services.reporting.history.sink import HistorySink
from shared.bus import open_consumer, open_publisher
from shared.ingest.apply import Outcome
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.models import RejectedEvent
from shared.publication.events import EventRejected
from tests.federation import publishing_at
from tests.reporting.federation import (
    MUNICIPAL_NODE,
    T1,
    T2,
    T3,
    T4,
    T5,
)


def test_the_fixture_history_has_every_version_with_its_interval(fixture):
    history = fixture.history
    d3 = history.versions(fixture.uri("D3"))
    assert [(v.version, v.level, v.valid_from, v.valid_to) for v in d3] == [
        (1, 2, T2, T4),
        (2, 1, T4, None),
    ]
    assert [v.first_published for v in d3] == [T2, T2]
    # Never reviewed: due a year after the first publication; reviewed: a year after that.
    assert [v.review_due for v in d3] == [dt.date(2026, 3, 10), dt.date(2026, 9, 1)]
    v2 = history.versions(fixture.uri("V2"))
    assert [(v.version, v.withdrawn, v.valid_from, v.valid_to) for v in v2] == [
        (1, False, T3, T5),
        (2, True, T5, None),
    ]
    region = history.versions(fixture.uri("R1"))[0].id
    pmto = history.versions(fixture.uri("D4"))[0].id
    with Session(history.engine) as session:
        # 15 offers, 2 revisions, 1 withdrawal
        assert session.scalar(select(func.count()).select_from(OfferVersion)) == 18
        # The withdrawal has no coverage or terms: it is never counted.
        withdrawal = v2[1].id
        assert not session.scalar(
            select(func.count()).where(VersionCoverage.version_pk == withdrawal)
        )
        # Coverage at the grain of municipalities, counties and the whole country.
        areas = session.scalars(
            select(VersionCoverage.area).where(VersionCoverage.version_pk == region)
        ).all()
        assert sorted(areas) == ["33", "39", "40", "42"]
        duties = session.scalars(
            select(VersionTerm.code).where(
                VersionTerm.version_pk == pmto,
                VersionTerm.facet == "duty",
            )
        ).all()
        assert duties == ["bvl-3-1-hjelpetiltak"]


def _one_offer_with_four_versions(node) -> tuple[str, list[dict]]:
    with node.builder() as b:
        with publishing_at(T1):
            offer = b.publish(name="Helsestasjon")
        with publishing_at(T2):
            b.revise(offer, name="Helsestasjon for ungdom")
        with publishing_at(T3):
            b.withdraw(offer)
        with publishing_at(T4):
            b.revise(offer, name="Helsestasjon igjen")
    return f"{node.base_url}/offers/{offer}", node.events()


def _intervals(history, uri):
    return [(v.version, v.withdrawn, v.valid_from, v.valid_to) for v in history.versions(uri)]


EXPECTED = [(1, False, T1, T2), (2, False, T2, T3), (3, True, T3, T4), (4, False, T4, None)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_versions_in_any_order_and_repeated_give_the_same_history(history, node, seed):
    history.trust(node)
    uri, events = _one_offer_with_four_versions(node)
    shuffled = events + events[:2]
    random.Random(seed).shuffle(shuffled)  # noqa: S311 - an order, not a secret
    history.apply(shuffled)
    assert _intervals(history, uri) == EXPECTED


def test_a_late_version_takes_its_place_between_the_others(history, node):
    history.trust(node)
    uri, (v1, v2, gone, v4) = _one_offer_with_four_versions(node)
    assert history.apply([v1, v4]) == [Outcome.APPLIED, Outcome.APPLIED]
    assert _intervals(history, uri) == [(1, False, T1, T4), (4, False, T4, None)]
    # The newest is applied already, so these are ignored by the index but kept by history.
    assert history.apply([gone, v2]) == [Outcome.IGNORED, Outcome.IGNORED]
    assert _intervals(history, uri) == EXPECTED


def test_history_comes_the_same_by_feed(history, node):
    history.trust(node)
    uri, _events = _one_offer_with_four_versions(node)
    [report] = history.harvester().harvest_all()
    assert report.error is None and report.applied == 4
    assert _intervals(history, uri) == EXPECTED


def test_history_comes_the_same_by_the_bus_and_the_feed_adds_nothing(
    history, node, bus_url, queue_name
):
    history.trust(node)
    uri, _events = _one_offer_with_four_versions(node)
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    bus.connect()  # the queue exists before the relay publishes
    try:
        relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
        relay.run(threading.Event(), until_caught_up=True)
        consumer = BusIngest(history.sessions, bus, HistorySink(), history.verifier())
        assert consumer.drain(timeout=2.0) == 4
    finally:
        bus.close()
    assert _intervals(history, uri) == EXPECTED
    [report] = history.harvester().harvest_all()
    assert (report.applied, report.ignored, report.error) == (0, 4, None)
    assert _intervals(history, uri) == EXPECTED


def test_what_the_ingest_refuses_is_not_kept(history, node, federation):
    # The node may speak for Drammen only: Kongsberg's offer is outside its authority.
    history.trust(node, organisations=[MUNICIPAL_NODE["municipality"][0]])
    with node.builder() as b, publishing_at(T5):
        b.publish("kongsberg", name="PPT", coverage=["3303"])
    with pytest.raises(EventRejected, match="may not publish for organisation 910000055"):
        history.apply(node.events())
    [report] = history.harvester().harvest_all()
    assert report.rejected == 1
    with Session(history.engine) as session:
        assert session.scalar(select(func.count()).select_from(OfferVersion)) == 0
        reasons = session.scalars(select(RejectedEvent.reason)).all()
        assert reasons and all("may not publish" in r for r in reasons)


def test_a_batch_ends_as_one_by_one_in_the_history(history, node):
    history.trust(node)
    uri, (v1, v2, gone, v4) = _one_offer_with_four_versions(node)
    # Publication, revision and withdrawal in one batch, a duplicate among them.
    assert history.apply_batch([v1, v2, v1, gone]) == [Outcome.APPLIED] * 2 + [
        Outcome.IGNORED,
        Outcome.APPLIED,
    ]
    assert _intervals(history, uri) == [*EXPECTED[:2], (3, True, T3, None)]
    assert history.apply_batch([v4, v2, gone]) == [Outcome.APPLIED] + [Outcome.IGNORED] * 2
    assert _intervals(history, uri) == EXPECTED
    with Session(history.engine) as session:
        kept = session.scalar(select(func.count()).select_from(OfferVersion))
        details = session.scalar(select(func.count()).select_from(VersionCoverage))
    assert kept == 4 and details


def test_a_batch_out_of_order_keeps_every_version_in_its_place(history, node):
    history.trust(node)
    uri, (v1, v2, gone, v4) = _one_offer_with_four_versions(node)
    assert history.apply_batch([v4, v1, gone, v2]) == [Outcome.APPLIED] + [Outcome.IGNORED] * 3
    assert _intervals(history, uri) == EXPECTED


def test_a_refused_event_in_a_batch_keeps_nothing_of_the_batch(history, node):
    history.trust(node)
    uri, (v1, v2, gone, _v4) = _one_offer_with_four_versions(node)
    replay = node.resign(gone, id=v2["id"])  # another version under version 2's event id
    history.apply_batch([v1])
    with pytest.raises(EventRejected, match="replays the identity"):
        history.apply_batch([v2, replay])
    assert _intervals(history, uri) == [(1, False, T1, None)]


def test_a_late_back_dated_version_counts_from_when_it_was_received(history, node):
    from unittest import mock

    from shared.db import utcnow

    history.trust(node)
    admitted = utcnow()
    with node.builder() as b:
        with publishing_at(admitted + dt.timedelta(minutes=1)):
            offer = b.publish(name="Helsestasjon")
        with publishing_at(admitted + dt.timedelta(minutes=2)):
            b.revise(offer, name="Helsestasjon, tilbakedatert")
    uri = f"{node.base_url}/offers/{offer}"
    v1, v2 = node.events()
    history.apply([v1])
    # The second version reaches reporting a day after the time it claims.
    received = admitted + dt.timedelta(days=1)
    with mock.patch("services.reporting.history.sink.utcnow", return_value=received):
        history.apply([v2])
    first, second = history.versions(uri)
    assert (first.valid_from, first.valid_to) == (first.published_at, received)
    # A report as of any instant before it arrived says what it said then.
    assert (second.valid_from, second.published_at, second.recorded_at) == (
        received,
        admitted + dt.timedelta(minutes=2),
        received,
    )


def test_coverage_outside_the_providers_home_area_is_flagged_in_the_quality_report(history, node):
    from services.reporting.reports.quality import quality
    from services.reporting.reports.scope import area_scope

    history.trust(node)
    with node.builder() as b:
        b.publish(name="I Drammen")
        # Drammen municipality offering across the whole county.
        b.publish(name="I hele Buskerud", coverage=["33"])
    history.apply(node.events())
    with Session(history.engine) as session:
        flags = dict(session.execute(select(OfferVersion.name, OfferVersion.outside_home)).all())
        report = quality(session, area_scope("3301", norway_time.today()))
    assert flags == {"I Drammen": False, "I hele Buskerud": True}
    assert report.overall.marks["outside_home"] == 1
    assert report.overall.share("outside_home") == 50
