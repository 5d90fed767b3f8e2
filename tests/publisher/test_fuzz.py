"""Schemathesis against the node publisher (feeds, linked data, HSDS) over the standard node."""

from __future__ import annotations

import pytest
import schemathesis

from shared import hsds, vocab
from tests.fuzzing import FUZZ_SETTINGS, call_and_validate, run_linked_operations, wsgi_schema
from tests.publisher.node import ORGANISATIONS


@pytest.fixture
def publisher_schema(publisher_app, offer_ids, service_ids, request):  # type: ignore[no-untyped-def]
    return wsgi_schema(
        publisher_app,
        request,
        known={
            "path.offer_id": list(offer_ids.values()),
            "path.service_id": list(service_ids.values()),
            "path.organization_id": [
                hsds.organization_id(orgnr) for orgnr, *_ in ORGANISATIONS.values()
            ],
            "path.taxonomy_id": [hsds.taxonomy_id(vocab.RISK_GROUPS)],
            "path.vocabulary_id": [vocab.RISK_GROUPS.id, vocab.PYRAMID_LEVELS.id],
            "path.code": ["3301", "33", "NO"],
            "path.version": [1, 2],
            "path.page": [1, 2],
        },
    )


schema = schemathesis.pytest.from_fixture("publisher_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation(case: schemathesis.Case) -> None:
    call_and_validate(case)


def test_linked_operations(publisher_schema) -> None:  # type: ignore[no-untyped-def]
    run_linked_operations(publisher_schema)
