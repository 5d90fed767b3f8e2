"""Schemathesis against the reporting API over the fixture federation's history."""

from __future__ import annotations

import pytest
import schemathesis

from tests.fuzzing import FUZZ_SETTINGS, call_and_validate, wsgi_schema
from tests.reporting.conftest import MID


@pytest.fixture
def reporting_schema(fixture, request):  # type: ignore[no-untyped-def]
    return wsgi_schema(
        fixture.app,
        request,
        known={
            "query.area": ["3301", "3303", "33", "bufetat-sor", "NO"],
            "query.other": ["0301", "33"],
            "query.organisation": ["910000012", "910000055"],
            "query.at": [MID.isoformat()],
        },
    )


schema = schemathesis.pytest.from_fixture("reporting_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation(case: schemathesis.Case) -> None:
    call_and_validate(case)
