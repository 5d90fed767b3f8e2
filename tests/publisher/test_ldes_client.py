"""The node's LDES replicates completely with the standard client, ``ldes-client`` from npm.

The publisher is served over real HTTP; the client follows every relation and prints each
member. Installed by ``.ci/run`` (``npm ci --prefix tools/ldes``); skipped where it is not.
NETTUNGEN_LDES_OFFERS sets the node's size (the issue's acceptance run used 1000).
"""

from __future__ import annotations

import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.serving import make_server

from shared.db import create_engine
from shared.publication.models import LogEntry
from tests.conftest import migrated_database
from tests.publisher.conftest import make_publisher
from tests.publisher.node import NodeBuilder

CLIENT = Path(__file__).resolve().parents[2] / "tools/ldes/node_modules/.bin/ldes-client"
OFFERS = int(os.environ.get("NETTUNGEN_LDES_OFFERS", "40"))
# Several pages either way; the production size (250) at acceptance scale.
PAGE_SIZE = 250 if OFFERS >= 1000 else 25
pytestmark = pytest.mark.skipif(
    not CLIENT.exists(), reason="ldes-client is not installed (npm ci --prefix tools/ldes)"
)


@pytest.fixture
def served_node(database_factory, tmp_path) -> Iterator[tuple[str, str]]:
    """A node on a free local port: ``OFFERS`` offers, every 5th revised, every 7th withdrawn."""
    url = database_factory()
    migrated_database(url)
    server = make_server("127.0.0.1", 0, app=None, threaded=True)  # type: ignore[arg-type]
    base = f"http://127.0.0.1:{server.server_port}"
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        node = NodeBuilder(session, base_url=base)
        kinds = ["municipality", "county", "state", "voluntary"]
        for i in range(OFFERS):
            kind = kinds[i % len(kinds)]
            offer = node.publish(kind, name=f"Tilbud nummer {i}")
            if i % 5 == 0:
                node.revise(offer, kind, schedule=f"Revidert {i}")
            if i % 7 == 0:
                node.withdraw(offer, kind)
    engine.dispose()
    app = make_publisher(url, tmp_path, NODE_BASE_URL=base, LDES_PAGE_SIZE=PAGE_SIZE)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, url
    finally:
        server.shutdown()
        app.extensions["nettungen.db"].engine.dispose()


def test_ldes_client_replicates_every_version(served_node):
    base, url = served_node
    result = subprocess.run(  # noqa: S603 - our own pinned tool, fixed arguments
        [str(CLIENT), f"{base}/ldes"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "LOG_LEVEL": "verbose"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = re.search(r"Found (\d+) members", result.stderr)
    assert found, result.stderr[-2000:]
    engine = create_engine(url)
    with Session(engine) as session:
        versions = session.scalar(select(func.count()).select_from(LogEntry))
        withdrawals = session.scalar(
            select(func.count()).where(LogEntry.event_type.endswith("withdrawn"))
        )
    engine.dispose()
    members = set(
        re.findall(r"^<(" + re.escape(base) + r"/offers/[^>]+/versions/\d+)>", result.stdout, re.M)
    )
    print(f"ldes-client: {found.group(0)}; the log holds {versions} versions")
    assert int(found.group(1)) == versions == len(members)
    deletes = re.findall(r"activitystreams#Delete>", result.stdout)
    assert len(deletes) == withdrawals > 0
