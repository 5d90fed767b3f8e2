"""Publisher fixtures: one node database with published offers, and the publisher over it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from rdflib import Graph
from sqlalchemy.orm import sessionmaker

from shared.db import create_engine
from tests.conftest import migrated_database
from tests.publisher.node import BASE_URL, build_standard_node
from tests.publisher.rdf import load_standard


@pytest.fixture(scope="session")
def standard_node(database_factory: Callable[[], str]) -> tuple[str, dict[str, str]]:
    """The URL of a node database built by ``build_standard_node``, and its offer ids."""
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        ids = build_standard_node(session)
    engine.dispose()
    return url, ids


def make_publisher(url: str, tmp_path: Any, **overrides: Any) -> Flask:
    from services.publisher import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(tmp_path),
            "NODE_BASE_URL": BASE_URL,
            "TESTING": True,
            **overrides,
        }
    )


@pytest.fixture(scope="session")
def publisher_app(
    standard_node: tuple[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    app = make_publisher(standard_node[0], tmp_path_factory.mktemp("publisher"))
    yield app
    app.extensions["nettungen.db"].engine.dispose()


@pytest.fixture
def publisher(publisher_app: Flask):  # type: ignore[no-untyped-def]
    return publisher_app.test_client()


@pytest.fixture
def offer_ids(standard_node: tuple[str, dict[str, str]]) -> dict[str, str]:
    return standard_node[1]


@pytest.fixture
def service_ids(offer_ids: dict[str, str]) -> dict[str, str]:
    """The HSDS service ids of the standard node's offers (name-based UUIDs of their URIs)."""
    from shared.hsds import service_id

    return {name: service_id(f"{BASE_URL}/offers/{oid}") for name, oid in offer_ids.items()}


@pytest.fixture
def node(database_factory):
    url = database_factory()
    migrated_database(url)
    engine = create_engine(url, sqlite_begin="IMMEDIATE")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def cpsv_shapes() -> tuple[Graph, Graph]:
    ontology = load_standard("cpsv-ap-no", "ontology", "cpsvno.ttl")
    ontology += load_standard("cpsv-ap-no", "shacl", "ontologies.ttl")
    return load_standard("cpsv-ap-no", "shacl", "CPSV-AP-NO_shacl_shapes_v1.ttl"), ontology


@pytest.fixture(scope="session")
def dcat_shapes() -> tuple[Graph, Graph]:
    return (
        load_standard("dcat-ap-no", "shacl", "DCAT-AP-NO-shacl_shapes_2.00.ttl"),
        load_standard("dcat-ap-no", "shacl", "ontologies.ttl"),
    )
