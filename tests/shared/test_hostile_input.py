"""Hostile federation input: one catalogue, sent on both roads into both national services.

Every case is an event (or a message body, or a feed page) a hostile or broken node, or anyone
who can publish on the bus, might send. Each goes on the bus to the consumer and in a feed page
to the harvester, of search (the index) and of reporting (the version history), which share
``shared.ingest``. Each must be refused with its reason recorded (a ``rejected_events`` row for
an event; the cursor's ``last_error`` for a whole page, the cursor staying put) and write
nothing: every table but the ingest bookkeeping is compared row by row before and after. An
exact duplicate is the one input that is not refused: it is ignored, since both roads bring
every event. A genuine event sent last is applied, so the comparison can see a write.
"""

from __future__ import annotations

import copy
import functools
import json
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, MetaData, Table, func, select
from sqlalchemy.orm import Session

from shared.bus import OutgoingMessage, open_consumer, open_publisher
from shared.ingest.apply import MAX_EVENT_BYTES
from shared.ingest.consumer import BINDINGS, BusIngest
from shared.ingest.http import Limits
from shared.ingest.models import HarvestCursor, RejectedEvent
from shared.publication.events import format_sequence, signing_input
from shared.signing import generate_private_key, sign
from tests import federation as test_federation
from tests.federation import (
    KONGSBERG,
    OSLO,
    Federation,
    IngestingDatabase,
)
from tests.publisher.node import ORGANISATIONS
from tests.reporting.federation import new_history
from tests.search.federation import new_search_index

DRAMMEN = {"municipality": ORGANISATIONS["municipality"], "kongsberg": KONGSBERG}
# The feed road reads pages of at most this many bytes; the bus takes messages up to 1 MiB.
FEED_PAGE_BYTES = 2 * MAX_EVENT_BYTES
# What ingest itself keeps up to date whatever arrives: compared separately, or not at all.
BOOKKEEPING = {
    "rejected_events",
    "harvest_cursors",
    "federation_nodes",
    "federation_node_keys",
    "federation_node_organisations",
    "alembic_version",
}


@dataclass
class Scene:
    """A node trusted for Drammen and Kongsberg that has also published for Oslo."""

    federation: Federation
    node: test_federation.TestNode
    events: list[dict[str, Any]]  # offer A v1, A v2, Oslo's offer, offer B

    @property
    def current(self) -> dict[str, Any]:
        return self.events[1]  # A v2, applied before every case

    def fresh(self, sequence: int, **changes: Any) -> dict[str, Any]:
        """Offer B, never sent before, signed at ``sequence``: applied unless tampered with."""
        return self.node.resign(self.events[3], sequence=format_sequence(sequence), **changes)


@dataclass(frozen=True)
class Body:
    """Raw bytes: a message body on the bus, a whole page on the feed."""

    content: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Hostile:
    kind: str
    name: str
    make: Callable[[Scene, int], Any]  # (scene, a free sequence number) -> event or Body
    reason: str  # what the rejection says (a regex)
    feed_reason: str | None = None  # when the feed says it otherwise
    feed_page: bool = False  # the feed refuses the whole page: the cursor stays
    bus_only: bool = False
    ignored: bool = False  # a duplicate: ignored, not refused


def _without(event: dict[str, Any], name: str) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != name}


def _tampered(event: dict[str, Any], **data: Any) -> dict[str, Any]:
    forged = copy.deepcopy(event)
    forged["data"].update(data)
    return forged


def _stranger_signed(event: dict[str, Any]) -> dict[str, Any]:
    return {**event, "signature": sign(generate_private_key(), signing_input(event))}


def _nested(depth: int) -> list[Any]:
    return json.loads("[" * depth + "]" * depth)


def _deep(scene: Scene, seq: int) -> dict[str, Any]:
    event = scene.fresh(seq)
    event["data"]["nested"] = _nested(900)
    return event


def _with_nan(scene: Scene, seq: int) -> Body:
    return Body(json.dumps(scene.fresh(seq, data_age_min=float("nan"))).encode())


TURTLE = b"""@prefix cpsv: <http://purl.org/vocab/cpsv#> .
<https://kommune.node.test/offers/1> a cpsv:PublicService ; <http://purl.org/dc/terms/title> "x"
"""
BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description
rdf:about="https://kommune.node.test/offers/1"><t>&c;</t></rdf:Description></rdf:RDF>"""
JSON_LD = json.dumps(
    {"@context": {"dct": "http://purl.org/dc/terms/"}, "@id": "urn:x", "dct:title": "x"}
).encode()

CATALOGUE = [
    Hostile("unsigned", "no signature", lambda s, q: _without(s.fresh(q), "signature"),
            "no valid 'signature'"),
    Hostile("unsigned", "an empty signature", lambda s, q: {**s.fresh(q), "signature": ""},
            "signature does not match"),
    Hostile("forged", "content changed after signing",
            lambda s, q: _tampered(s.fresh(q), name="Forfalsket"), "signature does not match"),
    Hostile("forged", "another node's source",
            lambda s, q: {**s.fresh(q), "source": "https://evil.example"},
            "not a node in the directory", feed_reason="comes from 'https://evil.example'"),
    Hostile("wrong key", "a stranger's key under the node's key id",
            lambda s, q: _stranger_signed(s.fresh(q)), "signature does not match"),
    Hostile("wrong key", "a key id the node never had",
            lambda s, q: {**s.fresh(q), "signingkey": "not-a-key"}, "unknown signing key",
            bus_only=True),  # on the feed it waits for the node's next JWKS (test_harvester)
    Hostile("replayed", "the same event again", lambda s, q: s.current, "", ignored=True),
    Hostile("replayed", "another event id for the current version",
            lambda s, q: s.node.resign(s.current, id=str(uuid.uuid4()),
                                       sequence=format_sequence(q)),
            "replays the identity"),
    Hostile("replayed", "the current event's id for a new version",
            lambda s, q: s.node.resign(s.current, data_version=3, sequence=format_sequence(q)),
            "replays the identity"),
    Hostile("replayed", "a new version at an old sequence number",
            lambda s, q: s.node.resign(s.current, id=str(uuid.uuid4()), data_version=3,
                                       sequence=format_sequence(1)),
            "not after sequence"),
    Hostile("out of authority", "an organisation the node may not speak for",
            lambda s, q: s.node.resign(s.events[2], sequence=format_sequence(q)),
            "may not publish for organisation 910000063"),
    Hostile("out of authority", "an offer under another node's address",
            lambda s, q: s.fresh(q, subject="https://other.node.test/offers/1",
                                 data_uri="https://other.node.test/offers/1"),
            "does not belong to the event's subject and source"),
    Hostile("oversized", "an event of more than 1 MiB",
            lambda s, q: s.fresh(q, data_description="x" * MAX_EVENT_BYTES),
            "the message is 10[0-9]{5} bytes",
            feed_reason="the event is 10[0-9]{5} bytes; events are at most 1048576"),
    Hostile("oversized", "a body beyond the limit",
            lambda s, q: Body(b" " * FEED_PAGE_BYTES + b"{}"),
            "the message is 2097154 bytes", feed_reason="is 2097154 bytes; the limit is 2097152"),
    Hostile("malformed JSON", "not JSON", lambda s, q: Body(b'{"id": "x", "source'),
            "not usable JSON"),
    Hostile("malformed JSON", "NaN, which JSON does not have", _with_nan, "not usable JSON"),
    Hostile("malformed JSON", "nesting too deep to parse", lambda s, q: Body(b"[" * 100_000),
            "not usable JSON"),
    Hostile("malformed JSON", "nesting that would exhaust the stack", _deep,
            "nested more than 16 deep"),
    Hostile("malformed JSON", "nesting deeper than offers go, signed",
            lambda s, q: s.fresh(q, data_nested=_nested(40)), "nested more than 16 deep"),
    Hostile("malformed JSON", "not an object", lambda s, q: ["a", "list"],
            "an event is a JSON object", feed_reason="out of order or out of range at None",
            feed_page=True),
    Hostile("malformed RDF", "Turtle", lambda s, q: Body(TURTLE, "text/turtle; charset=utf-8"),
            "not usable JSON", feed_reason="is text/turtle; charset=utf-8, not application/json"),
    Hostile("malformed RDF", "RDF/XML with entity expansion",
            lambda s, q: Body(BILLION_LAUGHS, "application/rdf+xml"),
            "not usable JSON", feed_reason="is application/rdf\\+xml, not application/json"),
    Hostile("malformed RDF", "JSON-LD", lambda s, q: Body(JSON_LD, "application/ld+json"),
            "the source None is not a node", feed_reason="is application/ld\\+json, not"),
    Hostile("malformed RDF", "an HTML page", lambda s, q: Body(b"<html></html>", "text/html"),
            "not usable JSON", feed_reason="is text/html, not application/json"),
    Hostile("wrong types", "a contract field of the wrong type",
            lambda s, q: s.fresh(q, data_age_min="3"), "fails the contract"),
    Hostile("wrong types", "data that is not an object",
            lambda s, q: s.fresh(q, data="Helsestasjon"), "fails the contract"),
    Hostile("wrong types", "an unknown event type",
            lambda s, q: s.fresh(q, type="no.nettungen.offer.deleted"), "unknown event type"),
    Hostile("wrong types", "another CloudEvents version",
            lambda s, q: {**s.fresh(q), "specversion": "0.3"}, "not a CloudEvents 1.0"),
    Hostile("wrong types", "a signing key id that is a list",
            lambda s, q: {**s.fresh(q), "signingkey": ["x"]}, "no valid 'signingkey'"),
    Hostile("wrong types", "a source that is an object",
            lambda s, q: {**s.fresh(q), "source": {"a": 1}}, "is not a node in the directory",
            feed_reason="no valid 'source'"),
    Hostile("wrong types", "an id that is not a UUID",
            lambda s, q: s.fresh(q, id="urn:uuid:1"), "not a UUID"),
    Hostile("wrong types", "a sequence number as a number",
            lambda s, q: {**s.fresh(q), "sequence": q}, "no valid 'sequence'",
            feed_reason="out of order or out of range at None", feed_page=True),
]  # fmt: skip

FIRST_FREE_SEQUENCE = 100


@pytest.fixture(scope="module")
def scene(node_database_factory, tmp_path_factory) -> Iterator[Scene]:
    federation = Federation(node_database_factory, tmp_path_factory.mktemp("hostile"))
    node = federation.node("kommune", {**DRAMMEN, "oslo": OSLO})
    with node.builder() as b:
        offer = b.publish(name="Helsestasjon")
        b.revise(offer, name="Helsestasjon for ungdom")
        b.publish("oslo", name="I Oslo", coverage=["0301"])
        b.publish(name="Sendes til slutt")
    yield Scene(federation, node, node.events())
    federation.close()


@pytest.fixture(params=["search", "reporting"])
def service(request, scene, service_databases) -> Iterator[IngestingDatabase]:
    """The national service's database, trusting the node for Drammen and Kongsberg, with
    offer A's two versions applied."""
    make = new_search_index if request.param == "search" else new_history
    database = make(service_databases[request.param], scene.federation.client())
    database.trust(scene.node, organisations=[DRAMMEN["municipality"][0], KONGSBERG[0]])
    database.apply(scene.events[:2])
    yield database
    database.engine.dispose()


@functools.cache
def _tables(engine: Engine) -> list[Table]:
    metadata = MetaData()
    metadata.reflect(engine)
    return [table for table in metadata.sorted_tables if table.name not in BOOKKEEPING]


def _snapshot(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table but the ingest bookkeeping."""
    with engine.connect() as connection:
        return {
            table.name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for table in _tables(engine)
        }


def _rejections(service: IngestingDatabase, after: int = 0) -> list[RejectedEvent]:
    with Session(service.engine) as session:
        return list(
            session.scalars(
                select(RejectedEvent).where(RejectedEvent.id > after).order_by(RejectedEvent.id)
            )
        )


def _last_rejection_id(service: IngestingDatabase) -> int:
    with Session(service.engine) as session:
        return session.scalar(select(func.max(RejectedEvent.id))) or 0


def _cases(road: str) -> list[tuple[Hostile, int]]:
    return [
        (case, FIRST_FREE_SEQUENCE + i)
        for i, case in enumerate(CATALOGUE)
        if road == "bus" or not case.bus_only
    ]


def _print_counts(service: str, road: str, refused: Counter[str], ignored: int) -> None:
    print(
        f"\nhostile input refused by {service} via {road}: {sum(refused.values())} "
        f"({', '.join(f'{kind} {n}' for kind, n in sorted(refused.items()))}); "
        f"duplicates ignored: {ignored}"
    )


def _name(request: pytest.FixtureRequest) -> str:
    return str(request.node.callspec.params["service"])


def test_hostile_input_on_the_bus_is_refused_and_writes_nothing(
    scene, service, request, bus_url, queue_name
):
    bus = open_consumer(bus_url, queue_name, BINDINGS)
    consumer = BusIngest(service.sessions, bus, service.sink(), service.verifier())
    bus.connect()
    cases = _cases("bus")
    refused = [case for case, _ in cases if not case.ignored]
    messages = []
    for case, seq in cases:
        made = case.make(scene, seq)
        body = made.content if isinstance(made, Body) else json.dumps(made).encode()
        messages.append(OutgoingMessage(f"hostile-{seq}", ["published.33.3301"], body))
    genuine = OutgoingMessage(
        "genuine", ["published.33.3301"], json.dumps(scene.events[3]).encode()
    )
    before = _snapshot(service.engine)
    publisher = open_publisher(bus_url)
    publisher.connect()
    try:
        publisher.publish_batch(messages, timeout=30)
        assert consumer.drain(timeout=1.0) == len(cases)
        stats = consumer.stats
        assert (stats.rejected, stats.ignored, stats.applied) == (
            len(refused),
            len(cases) - len(refused),
            0,
        )
        assert _snapshot(service.engine) == before
        rows = _rejections(service)
        for case, row in zip(refused, rows, strict=True):
            assert row.via == "bus", case.name
            assert re.search(case.reason, row.reason), (case.name, row.reason)
        # The comparison sees a write: a genuine event after them all is applied.
        publisher.publish_batch([genuine], timeout=30)
        assert consumer.drain(timeout=1.0) == 1 and stats.applied == 1
        assert _snapshot(service.engine) != before
    finally:
        publisher.close()
        bus.close()
    _print_counts(
        _name(request), "bus", Counter(c.kind for c in refused), len(cases) - len(refused)
    )


def _feed_page(seq: int, made: Any) -> httpx.Response:
    if isinstance(made, Body):
        return httpx.Response(
            200, content=made.content, headers={"Content-Type": made.content_type}
        )
    return httpx.Response(200, json={"page": seq, "complete": True, "events": [made]})


def _serving_page(scene: Scene, seq: int, page: httpx.Response) -> httpx.Client:
    """The node's feed with ``page`` as page ``seq`` (one event a page) and its last; the
    node's keys as the node serves them."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/ldes":
            return httpx.Response(200, json={"page_size": 1, "last_sequence": seq})
        if request.url.path == f"/ldes/pages/{seq}":
            return page
        return scene.federation.transport.handle_request(request)

    return httpx.Client(transport=httpx.MockTransport(handle))


def _place(service: IngestingDatabase, node_id: str, last_sequence: int) -> None:
    with service.sessions.begin() as session:
        cursor = session.get(HarvestCursor, node_id)
        if cursor is None:
            session.add(HarvestCursor(node_id=node_id, last_sequence=last_sequence))
        else:
            cursor.last_sequence, cursor.last_error = last_sequence, None


def _cursor(service: IngestingDatabase, node_id: str) -> HarvestCursor:
    with Session(service.engine) as session:
        cursor = session.get(HarvestCursor, node_id)
        assert cursor is not None
        return cursor


def test_hostile_input_in_feed_pages_is_refused_and_writes_nothing(scene, service, request):
    harvester = service.harvester(limits=Limits(timeout=10.0, max_bytes=FEED_PAGE_BYTES))
    refused: Counter[str] = Counter()
    ignored = 0
    before = _snapshot(service.engine)
    for case, free in _cases("feed"):
        made = case.make(scene, free)
        # The event's own sequence number says where it lies; a page has no other.
        seq = (
            int(made["sequence"])
            if isinstance(made, dict) and isinstance(made.get("sequence"), str)
            else free
        )
        _place(service, scene.node.id, seq - 1)
        seen = _last_rejection_id(service)
        harvester.client = _serving_page(scene, seq, _feed_page(seq, made))
        [report] = harvester.harvest_all()
        rows = _rejections(service, after=seen)
        cursor = _cursor(service, scene.node.id)
        reason = case.feed_reason or case.reason
        if case.ignored:
            assert (report.ignored, report.rejected, rows, cursor.last_sequence) == (1, 0, [], seq)
            ignored += 1
        elif case.feed_page or isinstance(made, Body):
            # The whole page is refused: nothing of it applied, the cursor stays before it.
            assert re.search(reason, report.error or ""), (case.name, report.error)
            assert (cursor.last_error, cursor.last_sequence, rows) == (report.error, seq - 1, [])
            refused[case.kind] += 1
        else:
            # The event is refused, recorded and passed; the node's next event comes next.
            assert (report.error, report.rejected, report.applied) == (None, 1, 0), case.name
            [row] = rows
            assert re.search(reason, row.reason), (case.name, row.reason)
            assert (row.via, row.node_id, cursor.last_sequence) == ("feed", scene.node.id, seq)
            refused[case.kind] += 1
        assert _snapshot(service.engine) == before, case.name
    # The comparison sees a write: the genuine event in the same place is applied.
    genuine = scene.fresh(FIRST_FREE_SEQUENCE + len(CATALOGUE))
    seq = int(genuine["sequence"])
    _place(service, scene.node.id, seq - 1)
    harvester.client = _serving_page(scene, seq, _feed_page(seq, genuine))
    assert [r.applied for r in harvester.harvest_all()] == [1]
    assert _snapshot(service.engine) != before
    _print_counts(_name(request), "feed", refused, ignored)
