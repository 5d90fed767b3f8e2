"""``nettungen demo``: a node with demo data, and national search and reporting over it, on this
machine.

The composition root may import every service. Each service runs as its own process with its
own settings, exactly as an operator would start it; the demo only prepares their databases,
the national services' directory entries for the node, and their bus queues, then waits until
search and reporting have ingested what the node published.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared.config import ConfigKey, load_config
from shared.db import create_engine

DEMO_DIR = Path("instance/demo")


def sibling_database(url: str, suffix: str) -> str:
    """A database beside ``url`` on the same PostgreSQL server, made if missing."""
    parsed = make_url(url)
    name = f"{parsed.database}_{suffix}"
    admin = sa_create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


@dataclass
class NodeSetup:
    registry_url: str
    publisher_url: str
    database_url: str
    broker_url: str
    logins: list[Any] | None


def prepare_node(port: int, publisher_port: int) -> NodeSetup:
    """Migrate the node database and load the demo data once."""
    from services.publisher.config import CONFIG as PUBLISHER_CONFIG
    from services.registry import db as registry_db
    from services.registry.accounts.permissions import Actor
    from services.registry.config import CONFIG
    from services.registry.demo import load_demo_data
    from services.registry.duties import services as duties
    from services.registry.organisations.services import list_organisations
    from shared.publication.keys import Signer

    os.environ.setdefault("INSTANCE_PATH", str((DEMO_DIR / "node").resolve()))
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("NODE_BASE_URL", f"http://127.0.0.1:{publisher_port}")
    settings = load_config(CONFIG)
    registry_db.upgrade(settings["DATABASE_URL"])
    engine = create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE")
    operator = Actor.operator()
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        duties.seed_catalogue(session, operator, duties.load_catalogue_file())
        logins = None
        if not list_organisations(session, operator):
            logins = load_demo_data(
                session,
                operator,
                settings["NODE_BASE_URL"],
                Signer(settings["SIGNING_KEY_PASSPHRASE"]),
            )
    engine.dispose()
    return NodeSetup(
        registry_url=f"http://127.0.0.1:{port}",
        publisher_url=settings["NODE_BASE_URL"],
        database_url=settings["DATABASE_URL"],
        broker_url=load_config(PUBLISHER_CONFIG)["BROKER_URL"],
        logins=logins,
    )


def prepare_national(
    node: NodeSetup,
    service: str,
    config: Sequence[ConfigKey],
    upgrade: Callable[[str], None],
    port: int,
) -> dict[str, str]:
    """A national service's environment, database, directory entry for the node and queue."""
    from services.registry.organisations.models import Organisation
    from shared.bus import open_consumer
    from shared.ingest import directory
    from shared.ingest.consumer import BINDINGS
    from shared.publication.keys import verification_keys

    environment = {
        "INSTANCE_PATH": str((DEMO_DIR / service).resolve()),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "BROKER_URL": node.broker_url,
        "HARVEST_INTERVAL_SECONDS": "5",
    }
    if make_url(node.database_url).get_backend_name() == "postgresql":
        environment["DATABASE_URL"] = sibling_database(node.database_url, service)
    settings = load_config(config, environ=environment)
    environment["DATABASE_URL"] = settings["DATABASE_URL"]
    upgrade(settings["DATABASE_URL"])
    node_engine = create_engine(node.database_url)
    with Session(node_engine) as session:
        keys = list(verification_keys(session).values())
        members = list(session.scalars(select(Organisation.organisation_number)))
    node_engine.dispose()
    engine = create_engine(settings["DATABASE_URL"], sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        known = {n.base_url: n for n in directory.list_nodes(session)}
        if node.publisher_url not in known:
            directory.add_node(
                session,
                node_id="demo-node",
                name="Demo node",
                url=node.publisher_url,
                keys=keys,
                organisations=members,
            )
        else:
            directory.grant(session, known[node.publisher_url].id, members)
            directory.replace_keys(session, known[node.publisher_url].id, keys)
    engine.dispose()
    # The queue exists before the relay publishes, so nothing the node publishes is unroutable.
    queue = open_consumer(settings["BROKER_URL"], settings["INGEST_QUEUE"], BINDINGS)
    queue.connect()
    queue.close()
    return environment


def prepare_search(node: NodeSetup, port: int) -> dict[str, str]:
    from services.search import db as search_db
    from services.search.config import CONFIG

    return prepare_national(node, "search", CONFIG, search_db.upgrade, port)


def prepare_reporting(node: NodeSetup, port: int) -> dict[str, str]:
    from services.reporting import db as reporting_db
    from services.reporting.config import CONFIG

    return prepare_national(node, "reporting", CONFIG, reporting_db.upgrade, port)


def published_count(database_url: str) -> int:
    from shared.publication.models import PublishedOffer

    engine = create_engine(database_url)
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(PublishedOffer)) or 0
    engine.dispose()
    return int(count)


def wait_until_counted(
    url: str, count: Callable[[Any], int], expected: int, timeout: float = 90.0
) -> int:
    """Poll the JSON at ``url`` until ``count`` of it reaches ``expected``; the last count."""
    deadline = time.monotonic() + timeout
    total = -1
    while time.monotonic() < deadline:
        try:
            total = count(httpx.get(url, timeout=5).json())
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            total = -1
        if total >= expected:
            break
        time.sleep(0.5)
    return total


def wait_until_searchable(search_url: str, expected: int) -> int:
    """Poll the search API until it holds ``expected`` offers; how many it holds."""
    return wait_until_counted(
        f"{search_url}/api/v1/offers?per_page=1", lambda answer: answer["total"], expected
    )


def wait_until_reported(reporting_url: str, expected: int) -> int:
    """Poll the national pyramid until it counts ``expected`` offers; how many it counts."""
    return wait_until_counted(
        f"{reporting_url}/api/v1/reports/pyramid?area=NO",
        lambda answer: answer["summary"]["offers"],
        expected,
    )


class Processes:
    """Child processes of the demo, stopped together."""

    def __init__(self) -> None:
        self.children: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, environment: Mapping[str, str] | None = None) -> None:
        env = {**os.environ, **(environment or {})}
        self.children.append(
            subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
                [sys.executable, "-m", "services.cli", *args], env=env
            )
        )

    def stop(self) -> None:
        for child in self.children:
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
