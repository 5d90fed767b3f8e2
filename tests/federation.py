"""A federation for tests of national services: real nodes (registry service layer, signed
logs, publisher apps) and a service database with its directory and ingest, whatever its sink.

Nodes are reached over HTTP by the harvester and the key refresher through
:class:`NodesTransport`, which hands each request to the publisher app of the node whose host
it names, so no port is opened. :func:`publishing_at` sets the time nodes publish at, for
histories with versions in the past.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import httpx
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from shared.db import create_engine
from shared.hsds import service_id
from shared.ingest import directory
from shared.ingest.apply import Outcome, Sink, apply_event, apply_events
from shared.ingest.directory import DirectoryCache
from shared.ingest.harvester import Harvester, HarvestSettings
from shared.ingest.http import Limits
from shared.ingest.verifier import Verifier
from shared.publication.events import signing_input
from shared.publication.keys import entry_event, verification_keys
from shared.publication.models import LogEntry, NodeKey, PublishedOffer
from shared.signing import sign, unseal
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.conftest import make_publisher
from tests.publisher.node import NodeBuilder

# Fictional organisation numbers with valid check digits; the areas are real.
KONGSBERG = ("910000055", "Kongsberg kommune", "municipality", "3303")
OSLO = ("910000063", "Oslo kommune", "municipality", "0301")
VESTLAND = ("910000071", "Vestland fylkeskommune", "county", "46")
BUFETAT_SOR = ("910000098", "Bufetat, region sør", "region", "bufetat-sor")
RED_CROSS = ("910000101", "Røde Kors Buskerud", "voluntary", "33")


@dataclass
class TestNode:
    """One node: its database, its publisher app, and a builder for its offers."""

    id: str
    base_url: str
    engine: Engine
    app: Any
    organisations: dict[str, tuple[str, str, str, str]]

    @contextmanager
    def builder(self) -> Iterator[NodeBuilder]:
        """A builder of the node's offers, in one transaction."""
        with sessionmaker(self.engine, expire_on_commit=False).begin() as session:
            yield NodeBuilder(session, base_url=self.base_url, organisations=self.organisations)

    def public_id(self, offer_id: str) -> str:
        """The service id national services know the node's offer by."""
        return service_id(f"{self.base_url}/offers/{offer_id}")

    def events(self, after: int = 0) -> list[dict[str, Any]]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(LogEntry).where(LogEntry.seq > after).order_by(LogEntry.seq)
            )
            return [entry_event(row) for row in rows]

    def published(self) -> dict[str, int]:
        """offer URI -> version of every offer published now."""
        with Session(self.engine) as session:
            return dict(
                session.execute(select(PublishedOffer.offer_uri, PublishedOffer.version)).all()
            )

    def keys(self) -> list[Any]:
        with Session(self.engine) as session:
            return list(verification_keys(session).values())

    def orgnrs(self) -> list[str]:
        return [org[0] for org in self.organisations.values()]

    def resign(self, event: dict[str, Any], **changes: Any) -> dict[str, Any]:
        """``event`` changed and signed again with the node's active key (a node
        misbehaving); ``data_<name>`` changes a field of the offer version."""
        changed = copy.deepcopy(event)
        for name, value in changes.items():
            if name.startswith("data_"):
                changed["data"][name[5:]] = value
            else:
                changed[name] = value
        with Session(self.engine) as session:
            row = session.scalars(select(NodeKey).where(NodeKey.retired_at.is_(None))).one()
            private = unseal(row.private_key, TEST_PASSPHRASE)
        changed["signingkey"] = row.key_id
        changed["signature"] = sign(private, signing_input(changed))
        return changed


class NodesTransport(httpx.BaseTransport):
    """Routes each request to the WSGI app of the node whose host it names."""

    def __init__(self) -> None:
        self.apps: dict[str, httpx.WSGITransport] = {}
        self.requests: list[str] = []

    def add(self, node: TestNode) -> None:
        self.apps[httpx.URL(node.base_url).host] = httpx.WSGITransport(app=node.app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        transport = self.apps.get(request.url.host)
        if transport is None:
            raise httpx.ConnectError(f"no node at {request.url.host}", request=request)
        return transport.handle_request(request)


@dataclass
class Federation:
    node_database_factory: Any
    tmp_path: Any
    nodes: dict[str, TestNode] = field(default_factory=dict)
    transport: NodesTransport = field(default_factory=NodesTransport)

    def node(
        self,
        node_id: str,
        organisations: dict[str, tuple[str, str, str, str]],
        page_size: int = 250,
        base_url: str | None = None,
    ) -> TestNode:
        """A node at ``https://<node_id>.node.test`` (reached through :attr:`transport`), or
        at ``base_url`` where the test serves its app itself."""
        url = self.node_database_factory()
        base = base_url or f"https://{node_id}.node.test"
        app = make_publisher(
            url, self.tmp_path / node_id, NODE_BASE_URL=base, LDES_PAGE_SIZE=page_size
        )
        node = TestNode(
            node_id, base, create_engine(url, sqlite_begin="IMMEDIATE"), app, organisations
        )
        self.nodes[node_id] = node
        self.transport.add(node)
        return node

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport)

    def close(self) -> None:
        for node in self.nodes.values():
            node.engine.dispose()
            node.app.extensions["nettungen.db"].engine.dispose()


def national_app(
    create_app: Callable[[dict[str, Any]], Flask],
    url: str,
    tmp_path: Any,
    public_base_url: str,
    **overrides: Any,
) -> Flask:
    """A national service's app over the database at ``url``, with an embedded bus."""
    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path),
            "PUBLIC_BASE_URL": public_base_url,
            "BROKER_URL": f"embedded://{tmp_path / 'bus.sqlite'}",
            "TESTING": True,
            **overrides,
        }
    )


def migrated_copies(
    database_factory: Callable[..., str], upgrade: Callable[[str], None]
) -> Callable[[], str]:
    """Makes migrated databases quickly: the migrations run once, into a template copied."""
    template = database_factory()
    upgrade(template)
    return lambda: database_factory(template=template)


@contextmanager
def publishing_at(moment: dt.datetime) -> Iterator[None]:
    """Nodes publish and withdraw at ``moment`` (a node's log times still never go back)."""
    with mock.patch("services.registry.offers.publishing.utcnow", return_value=moment):
        yield


@dataclass
class IngestingDatabase:
    """A national service's database with the federation's nodes in its directory."""

    url: str
    engine: Engine
    client: httpx.Client
    sink: Callable[[], Sink]

    @property
    def sessions(self) -> sessionmaker[Session]:
        return sessionmaker(self.engine, expire_on_commit=False)

    def trust(self, node: TestNode, organisations: list[str] | None = None, **kw: Any) -> None:
        kw.setdefault("allow_http_loopback", True)  # nodes a test serves on this machine
        with self.sessions.begin() as session:
            directory.add_node(
                session,
                node_id=node.id,
                name=node.id,
                url=node.base_url,
                keys=node.keys(),
                organisations=node.orgnrs() if organisations is None else organisations,
                **kw,
            )

    def trust_and_harvest(self, federation: Federation) -> None:
        """Trust every node of ``federation`` and harvest them all, which must go cleanly."""
        for node in federation.nodes.values():
            self.trust(node)
        reports = self.harvester().harvest_all()
        assert all(r.error is None and r.rejected == 0 for r in reports), reports  # noqa: S101

    def verifier(self) -> Verifier:
        return Verifier(self.sessions, DirectoryCache(self.sessions, ttl=0), self.client)

    def harvester(self, **settings: Any) -> Harvester:
        return Harvester(
            self.sessions,
            self.sink(),
            self.verifier(),
            self.client,
            HarvestSettings(**{"limits": Limits(timeout=10.0), **settings}),
        )

    def apply(self, events: list[dict[str, Any]], node_id: str | None = None) -> list[Outcome]:
        """Verify and apply events as the consumer does (raises EventRejected)."""
        verifier = self.verifier()
        outcomes = []
        for event in events:
            verified = verifier.verify(event, node_id)
            with self.sessions.begin() as session:
                outcomes.append(apply_event(session, self.sink(), verified))
        return outcomes

    def apply_batch(
        self, events: list[dict[str, Any]], node_id: str | None = None
    ) -> list[Outcome]:
        """Verify events, then apply them as one batch in one transaction, as the harvester
        applies a page and the consumer a run of messages (raises EventRejected)."""
        verifier = self.verifier()
        verified = [verifier.verify(event, node_id) for event in events]
        with self.sessions.begin() as session:
            return apply_events(session, self.sink(), verified)
