"""Schemathesis against the national search API over the standard federation's index."""

from __future__ import annotations

import pytest
import schemathesis

from tests.fuzzing import FUZZ_SETTINGS, call_and_validate, run_linked_operations, wsgi_schema


@pytest.fixture
def search_schema(standard, request):  # type: ignore[no-untyped-def]
    services = list(standard.ids.values())
    return wsgi_schema(
        standard.app,
        request,
        known={
            "path.offer_id": services,
            "path.service_id": services,
            "query.municipality": ["3301", "3303", "0301"],
            "query.county": ["33", "46"],
        },
    )


schema = schemathesis.pytest.from_fixture("search_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation(case: schemathesis.Case) -> None:
    call_and_validate(case)


def test_linked_operations(search_schema) -> None:  # type: ignore[no-untyped-def]
    run_linked_operations(search_schema)
