"""Fixtures of the tests of shared code that ingest into the national services' databases."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.federation import migrated_copies


@pytest.fixture(scope="session")
def service_databases(database_factory) -> dict[str, Callable[[], str]]:
    """Makers of migrated search and reporting databases (copies of one template each)."""
    from services.reporting import db as reporting_db
    from services.search import db as search_db

    return {
        "search": migrated_copies(database_factory, search_db.upgrade),
        "reporting": migrated_copies(database_factory, reporting_db.upgrade),
    }
