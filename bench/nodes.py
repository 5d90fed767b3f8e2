"""Benchmark nodes: a node's signed log of any size, built fast, and a search index trusting it.

The registry's service layer publishes one real offer (organisation, agency, people, a version
the contract validated). Its version document is the template for the rest: each new version
gets its own offer id, URI, name, coverage and time, goes through the contract's dump (the same
validation the registry applies), is signed by the node's key with the registry's ``Signer``
and is bulk-inserted into ``publication_log`` with the log head moved once, in one transaction
per chunk. That is how a 100,000-version node takes seconds rather than 100,000 clicks. Only
the log is bulk-built: the published snapshot (``published_offers``) keeps the one real offer,
as neither the relay nor the LDES feed reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, insert, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from shared.db import utcnow
from shared.ingest import directory
from shared.ingest.models import HarvestCursor, IngestedOffer
from shared.publication import EVENT_PUBLISHED
from shared.publication.keys import Signer, verification_keys
from shared.publication.models import LogEntry, LogHead, RelayCursor
from shared.publication.schema import canonical_json, dump_offer_version, load_offer_version
from shared.publication.uris import offer_uri
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.node import NodeBuilder

NODE_ID = "bench"
# Where the bulk versions' offers are offered: municipalities, a county, the whole country.
COVERAGES = (["3301"], ["3312", "3301"], ["0301"], ["4601"], ["33"], ["NO"], ["5001", "50"])
CHUNK = 2_000


@dataclass(frozen=True)
class BenchNode:
    engine: Engine
    url: str
    base_url: str
    organisation_number: str


def _template(session: Session, base_url: str) -> tuple[dict[str, Any], str]:
    builder = NodeBuilder(session, base_url=base_url)
    builder.publish(name="Helsestasjon for ungdom")
    snapshot = session.scalar(select(LogEntry.snapshot).order_by(LogEntry.seq.desc()).limit(1))
    orgnr = builder.providers["municipality"].organisation.organisation_number
    return json.loads(str(snapshot)), orgnr


def _version(template: dict[str, Any], base_url: str, i: int, at: dt.datetime) -> str:
    offer_id = str(uuid.uuid4())
    document = {
        **template,
        "uri": offer_uri(base_url, offer_id),
        "id": offer_id,
        "name": f"Tilbud {i}: {template['name']}",
        "coverage": COVERAGES[i % len(COVERAGES)],
        "published_at": at.isoformat(),
    }
    if i < len(COVERAGES):
        # The contract's full dump for each shape once; the others differ only in id, URI,
        # name and time (checking every one would cost a millisecond each).
        return dump_offer_version(load_offer_version(canonical_json(document)))
    return canonical_json(document)


def append_versions(engine: Engine, base_url: str, template: dict[str, Any], count: int) -> None:
    """Append ``count`` signed published versions (one new offer each) to the node's log."""
    signer = Signer(TEST_PASSPHRASE)
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        with Session(engine) as session, session.begin():
            last = session.execute(
                update(LogHead)
                .where(LogHead.id == 1)
                .values(last_seq=LogHead.last_seq + size)
                .returning(LogHead.last_seq)
            ).scalar_one()
            at = utcnow()
            entries = []
            for n in range(size):
                snapshot = _version(template, base_url, done + n, at)
                document = json.loads(snapshot)
                entries.append(
                    LogEntry(
                        seq=last - size + n + 1,
                        event_id=str(uuid.uuid4()),
                        event_type=EVENT_PUBLISHED,
                        offer_uri=document["uri"],
                        version=1,
                        organisation_number=document["provider"]["organisation_number"],
                        occurred_at=at,
                        snapshot=snapshot,
                    )
                )
            signer.sign_entries(session, entries)
            session.execute(
                insert(LogEntry),
                [{c.key: getattr(e, c.key) for c in LogEntry.__table__.c} for e in entries],
            )
        done += size


def build_node(engine: Engine, url: str, base_url: str, versions: int) -> BenchNode:
    """A node at ``base_url`` whose log holds ``versions`` signed versions (at least one)."""
    with Session(engine) as session, session.begin():
        template, orgnr = _template(session, base_url)
    if versions > 1:
        append_versions(engine, base_url, template, versions - 1)
    return BenchNode(engine, url, base_url, orgnr)


def trust(search: Engine, node: BenchNode) -> None:
    """Put the node in the search service's directory, with its keys and its organisation."""
    with Session(node.engine) as session:
        keys = list(verification_keys(session).values())
    with sessionmaker(search).begin() as session:
        directory.add_node(
            session,
            node_id=NODE_ID,
            name="Benchmark node",
            url=node.base_url,
            keys=keys,
            organisations=[node.organisation_number],
            allow_http_loopback=True,
        )


def forget_index(search: Engine) -> None:
    """Empty the search index and the ingest state, keeping the directory: a fresh run."""
    from services.search.index.models import FTS_TABLE, IndexedOffer, OfferCoverage, OfferTerm

    with Session(search) as session, session.begin():
        for model in (OfferCoverage, OfferTerm, IndexedOffer, IngestedOffer, HarvestCursor):
            session.execute(delete(model))
        if search.dialect.name == "sqlite":
            session.execute(text(f"DELETE FROM {FTS_TABLE}"))  # noqa: S608 - a constant


def forget_relay(engine: Engine) -> None:
    """Let the relay start from the beginning of the log again."""
    with Session(engine) as session, session.begin():
        session.execute(delete(RelayCursor))


def log_size(engine: Engine) -> int:
    with Session(engine) as session:
        head = session.get(LogHead, 1)
        return head.last_seq if head else 0


def relay_all(node_url: str, broker: str) -> tuple[int, float]:
    """The node's relay, from its cursor until the log is done: (events relayed, seconds).

    Run in a process of its own (see :func:`bench.processes.in_process`) for its memory.
    """
    import threading
    import time

    from services.publisher.relay import Relay, RelaySettings
    from shared.bus import open_publisher
    from shared.db import create_engine

    engine = create_engine(node_url)
    relay = Relay(engine, open_publisher(broker), RelaySettings())
    before = relay.cursor()
    started = time.perf_counter()
    relay.run(threading.Event(), until_caught_up=True)
    seconds = time.perf_counter() - started
    relayed = relay.cursor() - before
    engine.dispose()
    return relayed, seconds


def purge(broker: str, queue: str) -> None:
    """Empty a queue between runs."""
    if broker.startswith("amqp"):
        from kombu import Connection

        with Connection(broker) as connection:
            connection.channel().queue_purge(queue)
        return
    from shared.bus import EmbeddedConsumer

    bus = EmbeddedConsumer(broker, queue, [])
    with bus.transaction() as db:
        db.execute("DELETE FROM messages WHERE queue = ?", (queue,))
    bus.close()
