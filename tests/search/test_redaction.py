"""Redaction end to end: after the publisher removes the personal data from an offer's
published versions, no copy holds the contact any longer — no LDES page (in every format), no
version, CPSV description or HSDS answer of the node, no search row, API or HSDS answer, no
reporting version — by either road, in either order; and every rewritten event still verifies.
A redaction signed by a key not trusted here is refused and purges nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.relay import Relay, RelaySettings
from services.reporting.history.models import OfferVersion
from services.search.index.models import IndexedOffer
from services.search.index.sink import SearchSink
from shared.bus import open_consumer, open_publisher
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.models import OfferRedaction, RejectedEvent
from shared.publication import keys
from shared.publication.events import UnknownKey, check_signature
from tests.conftest import TEST_PASSPHRASE
from tests.federation import Federation, migrated_copies
from tests.publisher.node import ORGANISATIONS
from tests.reporting.federation import History, new_history
from tests.search.conftest import make_search_app
from tests.search.federation import SearchIndex

# A person's own contact details, as a registrar might have entered them, and the strings a
# copy holding any of them would contain (the phone as written, and as HSDS keeps it).
PERSON = {
    "name": "Kari Nordmann",
    "email": "kari.nordmann@example.org",
    "phone": "+47 912 34 567",
    "url": "https://www.example.org/helsestasjon",
}
TRACES = ("Kari Nordmann", "kari.nordmann@example.org", "912 34 567")
DESK = {"name": "Ekspedisjonen", "email": "post@example.org", "phone": "32 04 00 00"}
FORMATS = ("text/turtle", "application/ld+json", "application/n-triples", "application/json")


@pytest.fixture
def node(federation):
    return federation.node("kommune", {"municipality": ORGANISATIONS["municipality"]}, page_size=3)


@pytest.fixture
def history(database_factory, federation) -> Iterator[History]:
    from services.reporting import db as reporting_db

    make = migrated_copies(database_factory, reporting_db.upgrade)
    kept = new_history(make, federation.client())
    yield kept
    kept.engine.dispose()


def _publish(node) -> tuple[str, str]:
    """An offer naming a person (two versions) and one naming a desk; their ids."""
    with node.builder() as b:
        person = b.publish(name="Helsestasjon for ungdom", contact=PERSON)
        b.revise(person, schedule="Tirsdager 14–17.")
        desk = b.publish(name="Familiesenteret", contact=DESK)
    return person, desk


def _leaks(text: str) -> list[str]:
    return [trace for trace in TRACES if trace in text]


def _node_answers(node: Any, person: str) -> dict[str, str]:
    """Every answer of the node's publisher that could hold the offer, by what was asked."""
    client = node.app.test_client()
    answers: dict[str, str] = {}
    pages = client.get("/ldes", headers={"Accept": "application/json"}).get_json()["page_count"]
    for page in range(1, pages + 1):
        for media in FORMATS:
            answers[f"page {page} {media}"] = client.get(
                f"/ldes/pages/{page}", headers={"Accept": media}
            ).get_data(as_text=True)
    for version in (1, 2):
        for media in FORMATS:
            answers[f"version {version} {media}"] = client.get(
                f"/offers/{person}/versions/{version}", headers={"Accept": media}
            ).get_data(as_text=True)
    for media in ("text/turtle", "application/ld+json", "text/html"):
        answers[f"offer {media}"] = client.get(
            f"/offers/{person}", headers={"Accept": media}
        ).get_data(as_text=True)
    for path in ("/hsds/services", f"/hsds/services/{node.public_id(person)}", "/catalog"):
        answers[path] = client.get(path).get_data(as_text=True)
    organisations = client.get("/hsds/organizations").get_json()
    answers["/hsds/organizations"] = str(organisations)
    for item in organisations["contents"]:
        answers[item["id"]] = client.get(f"/hsds/organizations/{item['id']}").get_data(as_text=True)
    return answers


def _search_answers(index: SearchIndex, node: Any, person: str, tmp_path: Any) -> dict[str, str]:
    """The index's rows (every column) and every search answer that could hold the offer."""
    answers: dict[str, str] = {}
    with Session(index.engine) as session:
        for row in session.scalars(select(IndexedOffer)):
            answers[f"row {row.offer_uri}"] = repr(vars(row))
    app = make_search_app(index.url, tmp_path / "search")
    client = app.test_client()
    sid = node.public_id(person)
    for path in (
        "/api/v1/offers",
        "/api/v1/offers?q=helsestasjon",
        f"/api/v1/offers/{sid}",
        "/hsds/services",
        f"/hsds/services/{sid}",
        "/hsds/organizations",
        f"/tilbud/{sid}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        answers[path] = response.get_data(as_text=True)
    app.extensions["nettungen.db"].engine.dispose()
    return answers


def _reporting_rows(history: History) -> dict[str, str]:
    with Session(history.engine) as session:
        return {
            f"version {row.offer_uri} {row.version}": repr(vars(row))
            for row in session.scalars(select(OfferVersion))
        }


def _all_copies(node, index, history, person, tmp_path) -> dict[str, str]:
    return {
        **{f"node {k}": v for k, v in _node_answers(node, person).items()},
        **{f"search {k}": v for k, v in _search_answers(index, node, person, tmp_path).items()},
        **{f"reporting {k}": v for k, v in _reporting_rows(history).items()},
    }


def test_after_redaction_no_feed_page_description_hsds_answer_search_row_or_version_holds_it(
    node, index, history, tmp_path
):
    person, desk = _publish(node)
    index.trust_and_harvest(node_federation(node))
    history.trust_and_harvest(node_federation(node))
    before = _all_copies(node, index, history, person, tmp_path)
    # Each kind of copy held the contact before: the test can fail.
    sid = node.public_id(person)
    for where in (
        "node page 1 text/turtle",
        "node page 1 application/ld+json",
        "node version 1 application/json",
        "node offer text/turtle",
        f"node /hsds/services/{sid}",
        f"search /api/v1/offers/{sid}",
        f"search /hsds/services/{sid}",
        f"search row {node.base_url}/offers/{person}",
    ):
        assert _leaks(before[where]) == list(TRACES), where

    with node.builder() as b:
        b.redact(person)
    for copy in (index, history):
        [report] = copy.harvester().harvest_all()
        assert (report.error, report.rejected) == (None, 0)

    after = _all_copies(node, index, history, person, tmp_path)
    assert {where: _leaks(text) for where, text in after.items() if _leaks(text)} == {}
    # What is not personal stays: the desk's contact, the person offer's web page.
    assert DESK["email"] in after[f"search row {node.base_url}/offers/{desk}"]
    assert PERSON["url"] in after[f"search /api/v1/offers/{sid}"]
    # Every event the node serves, rewritten ones included, verifies with its keys.
    node_keys = {key.key_id: key for key in node.keys()}
    for event in node.events():
        check_signature(event, node_keys, node.base_url)
    assert [e["type"] for e in node.events()][-1] == "no.nettungen.offer.redacted"


def node_federation(node) -> Federation:
    """A federation of the one node (trust_and_harvest trusts every node it holds)."""
    federation = Federation(None, None)
    federation.nodes[node.id] = node
    return federation


def test_a_redaction_that_arrives_before_its_versions_leaves_no_contact(node, index, history):
    person, _ = _publish(node)
    published = node.events()  # as the bus carried them, the contact in them
    with node.builder() as b:
        b.redact(person)
    redaction = node.events()[-1]
    for copy in (index, history):
        copy.trust(node)
        # The redaction first (say, the bus), then the versions as they were first sent
        # (an old message, a page a cache kept), one by one and as a batch.
        assert copy.verifier().take_redaction(redaction, copy.sink())
        copy.apply(published[:1])
        copy.apply_batch(published[1:])
    _no_contact_kept(index, history)
    for copy in (index, history):  # again: nothing changes, nothing fails
        assert copy.verifier().take_redaction(redaction, copy.sink())
    _no_contact_kept(index, history)


def _no_contact_kept(index: SearchIndex, history: History) -> None:
    with Session(index.engine) as session:
        stored = [row.document for row in session.scalars(select(IndexedOffer))]
        [through] = session.scalars(select(OfferRedaction.through_version)).all()
    assert through == 2
    assert len(stored) == 2 and not any(_leaks(document) for document in stored)
    kept = _reporting_rows(history)
    assert len(kept) == 3 and not any(_leaks(row) for row in kept.values())


def test_a_redaction_signed_by_a_key_not_trusted_here_is_refused_and_purges_nothing(node, index):
    person, _ = _publish(node)
    index.trust_and_harvest(node_federation(node))
    # A key the node made without announcing it (or an attacker's): not trusted here.
    with Session(node.engine) as session, session.begin():
        keys.rotate_key(session, keys.Signer(TEST_PASSPHRASE))
    with node.builder() as b:
        b.redact(person)
    redaction = node.events()[-1]
    with pytest.raises(UnknownKey, match="not trusted here"):
        index.verifier().take_redaction(redaction, SearchSink())
    [report] = index.harvester().harvest_all()
    assert "not trusted here" in str(report.error)
    with Session(index.engine) as session:
        stored = " ".join(row.document for row in session.scalars(select(IndexedOffer)))
        assert session.scalars(select(OfferRedaction)).all() == []
    assert _leaks(stored) == list(TRACES)


def test_a_redaction_on_the_bus_purges_the_index(node, index, bus_url, queue_name):
    person, _ = _publish(node)
    index.trust_and_harvest(node_federation(node))
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    consumer = BusIngest(index.sessions, bus, SearchSink(), index.verifier())
    bus.connect()
    try:
        with node.builder() as b:
            b.redact(person)
        relay = Relay(node.engine, open_publisher(bus_url), RelaySettings(idle_seconds=0.05))
        relay.run(threading.Event(), until_caught_up=True)
        consumer.drain(timeout=1.0)
    finally:
        bus.close()
    assert consumer.stats.redactions == 1
    with Session(index.engine) as session:
        stored = " ".join(row.document for row in session.scalars(select(IndexedOffer)))
        mine = select(RejectedEvent).where(RejectedEvent.source == node.base_url)
        assert session.scalars(mine).all() == []
    assert _leaks(stored) == []
