"""``nettungen demo``: the whole federation on this machine.

Three nodes (a large municipality hosting its own node, a hosted node for small municipalities
and voluntary organisations, and a county/state node), each with its registry, publisher and
relay, and national search and reporting over them. The composition root may import every
service. Each service runs as its own process with its own settings, exactly as an operator
would start it; the demo only prepares the databases, the national services' directory entries
and bus queues, then waits until search and reporting hold everything the nodes published.

Everything shares one bus: the embedded one in ``instance/demo/bus.sqlite`` by default,
RabbitMQ when ``BROKER_URL`` is set. ``DATABASE_URL`` (PostgreSQL) gives every node and national
service a database of its own beside the one it names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.config import ConfigKey, load_config
from shared.db import create_engine, sqlite_url_in

DEMO_DIR = Path("instance/demo")


NATIONAL_SERVICES = ("search", "reporting")


def _sibling_name(url: str, suffix: str) -> str:
    return f"{make_url(url).database}_{suffix}".replace("-", "_")


def _admin(url: str) -> Any:
    # The server's maintenance database: the one DATABASE_URL names need not exist.
    return sa_create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def sibling_database(url: str, suffix: str) -> str:
    """A database ``<name>_<suffix>`` beside ``url``'s on the same server, made if missing."""
    name = _sibling_name(url, suffix)
    admin = _admin(url)
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@dataclass(frozen=True)
class Ports:
    first_registry: int = 8010  # node i: registry first + 2i, publisher first + 2i + 1
    search: int = 8020
    reporting: int = 8030


@dataclass
class Federation:
    """Where the demo federation lives: its folder, its bus, and a database server if any."""

    folder: Path
    broker_url: str
    database_server: str | None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Federation:
        environ = os.environ if environ is None else environ
        folder = DEMO_DIR.resolve()
        broker = environ.get("BROKER_URL") or f"embedded://{folder / 'bus.sqlite'}"
        return cls(folder, broker, environ.get("DATABASE_URL"))

    def database_for(self, name: str, folder: Path, file_name: str) -> str:
        if self.database_server:
            return sibling_database(self.database_server, name)
        return sqlite_url_in(folder, file_name)

    def reset(self, nodes: Sequence[str]) -> None:
        """Start again: the folder, and on real backends the demo's databases and queues."""
        import shutil

        if self.folder.exists():
            shutil.rmtree(self.folder)
        if self.database_server:
            admin = _admin(self.database_server)
            with admin.connect() as conn:
                for suffix in (*(f"node_{n}" for n in nodes), *NATIONAL_SERVICES):
                    name = _sibling_name(self.database_server, suffix)
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        if self.broker_url.startswith("amqp"):
            from kombu import Connection

            with Connection(self.broker_url) as connection:
                channel = connection.channel()
                for service in NATIONAL_SERVICES:
                    for queue in (f"nettungen.{service}", f"nettungen.{service}.dead"):
                        channel.queue_delete(queue)


@dataclass
class NodeSetup:
    name: str
    title: str
    registry_url: str
    publisher_url: str
    environment: dict[str, str]
    members: list[str]
    logins: list[Any]
    loaded_now: bool

    @property
    def database_url(self) -> str:
        return self.environment["DATABASE_URL"]


def prepare_node(federation: Federation, name: str, index: int, ports: Ports) -> NodeSetup:
    """Migrate one node's database and load its demo data once."""
    from services.registry import db as registry_db
    from services.registry.config import CONFIG
    from services.registry.demo import NODES, demo_logins

    registry_port = ports.first_registry + 2 * index
    environment = _node_environment(federation, name, registry_port, ports)
    settings = load_config(CONFIG, environ=environment)
    registry_db.upgrade(settings["DATABASE_URL"])
    loaded_now = _load_node(settings, name)
    return NodeSetup(
        name=name,
        title=NODES[name].title,
        registry_url=f"http://127.0.0.1:{registry_port}",
        publisher_url=settings["NODE_BASE_URL"],
        environment=environment,
        members=[org["organisation_number"] for org in NODES[name].organisations],
        logins=demo_logins(name),
        loaded_now=loaded_now,
    )


def _node_environment(
    federation: Federation, name: str, registry_port: int, ports: Ports
) -> dict[str, str]:
    from services.registry.demo import NODES

    folder = federation.folder / name
    return {
        "INSTANCE_PATH": str(folder),
        "NODE_BASE_URL": f"http://127.0.0.1:{registry_port + 1}",
        # Links in the node's mails lead to its registry.
        "REGISTRY_BASE_URL": f"http://127.0.0.1:{registry_port}",
        "NODE_TITLE": NODES[name].title,
        "DATABASE_URL": federation.database_for(f"node_{name}", folder, "node.sqlite"),
        "BROKER_URL": federation.broker_url,
        "SESSION_COOKIE_SECURE": "false",
        # The registry's session cookie is per host, and every demo node is on 127.0.0.1.
        "SESSION_COOKIE_NAME": f"nettungen_{name.replace('-', '_')}",
        "WEB_CONCURRENCY": "1",  # one person at a time; the national sites keep two workers
        # The dashboard and assessment show the whole area and each offer's national status.
        "NATIONAL_SEARCH_URL": f"http://127.0.0.1:{ports.search}",
        "NATIONAL_REPORTING_URL": f"http://127.0.0.1:{ports.reporting}",
    }


def _load_node(settings: Mapping[str, Any], name: str) -> bool:
    """Seed the duty catalogue, and load the node's demo data unless it has organisations
    already; whether it was loaded now."""
    from services.registry.accounts.permissions import Actor
    from services.registry.demo import load_demo_data
    from services.registry.duties import services as duties
    from services.registry.organisations.services import list_organisations
    from shared.publication.keys import Signer

    engine = create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE")
    operator = Actor.operator()
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        duties.seed_catalogue(session, operator, duties.load_catalogue_file())
        loaded = not list_organisations(session, operator)
        if loaded:
            signer = Signer(settings["SIGNING_KEY_PASSPHRASE"])
            load_demo_data(session, operator, settings["NODE_BASE_URL"], signer, name)
    engine.dispose()
    return loaded


def prepare_national(
    federation: Federation,
    nodes: Sequence[NodeSetup],
    service: str,
    config: Sequence[ConfigKey],
    upgrade: Callable[[str], None],
    port: int,
) -> dict[str, str]:
    """A national service's environment, database, directory entries and queue."""
    from shared.bus import open_consumer
    from shared.ingest.consumer import BINDINGS

    folder = federation.folder / service
    environment = {
        "INSTANCE_PATH": str(folder),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "BROKER_URL": federation.broker_url,
        "DATABASE_URL": federation.database_for(service, folder, f"{service}.sqlite"),
        "HARVEST_INTERVAL_SECONDS": "5",
    }
    settings = load_config(config, environ=environment)
    upgrade(settings["DATABASE_URL"])
    engine = create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE")
    for node in nodes:
        _trust_node(engine, node)
    engine.dispose()
    # The queue exists before the relays publish, so nothing a node publishes is unroutable.
    queue = open_consumer(settings["BROKER_URL"], settings["INGEST_QUEUE"], BINDINGS)
    queue.connect()
    queue.close()
    return environment


def _trust_node(engine: Engine, node: NodeSetup) -> None:
    """Put the node in a national service's directory, or bring its entry up to date: its
    organisations and its current verification keys."""
    from shared.ingest import directory, node_keys
    from shared.publication.keys import verification_keys

    node_engine = create_engine(node.database_url)
    with Session(node_engine) as session:
        keys = list(verification_keys(session).values())
    node_engine.dispose()
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        known = {n.id for n in directory.list_nodes(session)}
        if node.name not in known:
            directory.add_node(
                session,
                node_id=node.name,
                name=node.title,
                url=node.publisher_url,
                keys=keys,
                organisations=node.members,
                allow_http_loopback=True,  # the demo's nodes are on this machine
            )
        else:
            directory.grant(session, node.name, node.members)
            # The demo's operator runs the nodes too, so it knows their keys are theirs.
            node_keys.trust_keys(session, node.name, keys, by="demo")


def prepare_search(federation: Federation, nodes: Sequence[NodeSetup], port: int) -> dict[str, str]:
    from services.search import db as search_db
    from services.search.config import CONFIG

    return prepare_national(federation, nodes, "search", CONFIG, search_db.upgrade, port)


def prepare_reporting(
    federation: Federation, nodes: Sequence[NodeSetup], port: int
) -> dict[str, str]:
    from services.reporting import db as reporting_db
    from services.reporting.config import CONFIG

    return prepare_national(federation, nodes, "reporting", CONFIG, reporting_db.upgrade, port)


def published_count(database_url: str) -> int:
    from shared.publication.models import PublishedOffer

    engine = create_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(PublishedOffer)) or 0
    engine.dispose()
    return int(count)


def wait_until_counted(
    url: str,
    count: Callable[[Any], int],
    expected: int,
    timeout: float = 120.0,
    stop: threading.Event | None = None,
) -> int:
    """Poll the JSON at ``url`` until ``count`` of it reaches ``expected``; the last count."""
    deadline = time.monotonic() + timeout
    total = -1
    while time.monotonic() < deadline and not (stop and stop.is_set()):
        try:
            total = count(httpx.get(url, timeout=5).json())
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            total = -1
        if total >= expected:
            break
        time.sleep(0.5)
    return total


def wait_until_searchable(search_url: str, expected: int, stop: threading.Event | None) -> int:
    """Poll the search API until it holds ``expected`` offers; how many it holds."""
    return wait_until_counted(
        f"{search_url}/api/v1/offers?per_page=1",
        lambda answer: answer["total"],
        expected,
        stop=stop,
    )


def wait_until_reported(reporting_url: str, expected: int, stop: threading.Event | None) -> int:
    """Poll the national pyramid until it counts ``expected`` offers; how many it counts."""
    return wait_until_counted(
        f"{reporting_url}/api/v1/reports/pyramid?area=NO",
        lambda answer: answer["summary"]["offers"],
        expected,
        stop=stop,
    )


def ready_document(nodes: Sequence[NodeSetup], search: str, reporting: str) -> dict[str, Any]:
    """What ``--ready-file`` holds once everything is ingested."""
    return {
        "search": search,
        "reporting": reporting,
        "nodes": [
            {"name": n.name, "registry": n.registry_url, "publisher": n.publisher_url}
            for n in nodes
        ],
    }


def write_ready_file(path: Path, document: Mapping[str, Any]) -> None:
    """Write atomically, so a reader never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=2), encoding="utf-8")
    partial.replace(path)


class Processes:
    """Child processes of the demo, stopped together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, *args: str, environment: Mapping[str, str] | None = None) -> None:
        env = {**os.environ, **(environment or {})}
        child = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [sys.executable, "-m", "services.cli", *args], env=env
        )
        self.children.append((" ".join(args), child))

    def exited(self) -> list[str]:
        """The children that have stopped on their own."""
        return [name for name, child in self.children if child.poll() is not None]

    def stop(self) -> None:
        for _name, child in self.children:
            if child.poll() is None:
                child.terminate()
        for _name, child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
