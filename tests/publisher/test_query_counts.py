"""The node's HSDS service list runs as many SQL statements for 30 offers as for 3."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from shared.db import create_engine
from tests.publisher.conftest import make_publisher
from tests.publisher.node import ORGANISATIONS, NodeBuilder
from tests.queries import MANY, check_flat

KINDS = list(ORGANISATIONS)


def test_hsds_services(node_database_factory, tmp_path):
    url = node_database_factory()
    node = create_engine(url, sqlite_begin="IMMEDIATE")
    app = make_publisher(url, tmp_path)
    published: list[str] = []

    def grow(count: int) -> None:
        with sessionmaker(node, expire_on_commit=False).begin() as session:
            builder = NodeBuilder(session)
            for i in range(len(published), len(published) + count):
                published.append(builder.publish(KINDS[i % len(KINDS)], name=f"Tilbud {i}"))

    try:
        drawn = check_flat(
            app.extensions["nettungen.db"].engine,
            grow,
            {"node HSDS services": lambda: app.test_client().get("/hsds/services?per_page=50")},
        )
    finally:
        node.dispose()
        app.extensions["nettungen.db"].engine.dispose()
    assert drawn["node HSDS services"].get_json()["total_items"] == MANY
