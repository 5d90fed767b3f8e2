"""Reporting fixtures: the fixture federation (tests.reporting.federation) harvested once into
a history, and the reporting app over it; tests that change things make their own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from tests.federation import Federation, migrated_copies, national_app
from tests.reporting.federation import (
    MUNICIPAL_NODE,
    History,
    build_fixture_federation,
    new_history,
)

# The days the tests draw reports for (see the timetable in tests.reporting.federation).
PAST = dt.date(2025, 6, 30)  # after T3
MID = dt.date(2025, 12, 31)  # after T4
NOW = dt.date(2026, 3, 31)  # after T5, the last change


def make_reporting_app(url: str, tmp_path: Any, **overrides: Any) -> Flask:
    from services.reporting import create_app

    return national_app(create_app, url, tmp_path, "https://rapport.test", **overrides)


@pytest.fixture(scope="session")
def reporting_database_factory(database_factory) -> Callable[[], str]:
    """Makes migrated reporting databases by copying one migrated template."""
    from services.reporting import db as reporting_db

    return migrated_copies(database_factory, reporting_db.upgrade)


@dataclass
class Fixture:
    federation: Federation
    history: History
    app: Flask
    ids: dict[str, str]

    def uri(self, name: str) -> str:
        node = {"D": "kommune", "K": "kommune", "C": "fylke", "R": "fylke", "S": "fylke"}
        host = node.get(name[0], "frivillig" if name[0] == "V" else "oslo")
        return f"https://{host}.node.test/offers/{self.ids[name]}"


@pytest.fixture(scope="session")
def fixture(
    node_database_factory, reporting_database_factory, tmp_path_factory
) -> Iterator[Fixture]:
    tmp_path = tmp_path_factory.mktemp("reporting")
    federation = Federation(node_database_factory, tmp_path)
    ids = build_fixture_federation(federation)
    history = new_history(reporting_database_factory, federation.client())
    history.trust_and_harvest(federation)
    app = make_reporting_app(history.url, tmp_path / "app")
    yield Fixture(federation, history, app, ids)
    app.extensions["nettungen.db"].engine.dispose()
    history.engine.dispose()
    federation.close()


@pytest.fixture
def api(fixture):  # type: ignore[no-untyped-def]
    return fixture.app.test_client()


# A federation, a history and a municipality's node of one test's own, for the tests that
# change things (the history's ingest, what it stores).
@pytest.fixture
def federation(node_database_factory, tmp_path):  # type: ignore[no-untyped-def]
    federation = Federation(node_database_factory, tmp_path)
    yield federation
    federation.close()


@pytest.fixture
def history(reporting_database_factory, federation):  # type: ignore[no-untyped-def]
    history = new_history(reporting_database_factory, federation.client())
    yield history
    history.engine.dispose()


@pytest.fixture
def node(federation):  # type: ignore[no-untyped-def]
    return federation.node("kommune", MUNICIPAL_NODE)
