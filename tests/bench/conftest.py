"""The benchmarks' tests use the search and reporting suites' migrated-database factories."""

from tests.reporting.conftest import reporting_database_factory
from tests.search.conftest import search_database_factory

__all__ = ["reporting_database_factory", "search_database_factory"]
