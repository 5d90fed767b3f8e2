"""Schemathesis against the registry API, as a node administrator who is also admin, registrar
and publisher of an organisation, over a world with drafts and published offers.

Every request runs inside the test's rolled-back transaction, so whatever the fuzzer creates,
changes or deletes is gone afterwards.
"""

from __future__ import annotations

import pytest
import schemathesis
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership
from services.registry.offers import services as offers
from services.registry.offers.schemas import OfferInputSchema
from shared import vocab
from tests.fuzzing import FUZZ_SETTINGS, call_and_validate, run_linked_operations, wsgi_schema
from tests.publisher.node import NodeBuilder
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, PASSWORD, World, offer_input


def _fuzzer_token(db: Session, world: World) -> tuple[str, str]:
    """A node administrator with every role in organisation A: its token, and the id of a
    second token of its own for the fuzzer to revoke."""
    accounts.create_user(db, OPERATOR, "fuzz@example.org", "Fuzzer", PASSWORD, True)
    membership = accounts.add_member(
        db,
        OPERATOR,
        world.orgs[ORG_A],
        email="fuzz@example.org",
        name=None,
        roles=("admin", "registrar", "publisher"),
        agencies=[world.agencies["a_health"], world.agencies["a_family"]],
    )
    token = accounts.issue_token(db, OPERATOR, membership.user, world.orgs[ORG_A], "fuzz")
    spare = accounts.issue_token(db, OPERATOR, membership.user, world.orgs[ORG_A], "spare")
    return token.plaintext, spare.token.id


@pytest.fixture
def registry_schema(db: Session, world: World, request):  # type: ignore[no-untyped-def]
    token, spare_token = _fuzzer_token(db, world)
    node = NodeBuilder(db)
    published = node.publish(name="Helsestasjon for ungdom")
    withdrawn = node.publish(name="Kurs som ble lagt ned")
    node.withdraw(withdrawn)
    registrar = node.provider("municipality").registrar
    draft = offers.create_offer(
        db,
        registrar,
        world.orgs[ORG_A],
        OfferInputSchema().load(offer_input(world.agencies["a_health"])),
        node.base_url,
    ).id
    submitted = offers.create_offer(
        db,
        registrar,
        world.orgs[ORG_A],
        OfferInputSchema().load(offer_input(world.agencies["a_health"], name="Til vurdering")),
        node.base_url,
    ).id
    offers.submit(db, registrar, submitted)
    db.flush()
    return wsgi_schema(
        request.getfixturevalue("app"),
        request,
        headers={"Authorization": f"Bearer {token}"},
        known={
            "path.orgnr": [ORG_A, ORG_B],
            "path.agency_id": list(world.agencies.values()),
            "path.offer_id": [draft, submitted, published, withdrawn],
            "path.number": [1, 2],
            "path.user_id": list(db.scalars(select(Membership.user_id))),
            "path.token_id": [spare_token],
            "path.code": ["hol-3-2-helsestasjon", "3301", "33", "NO"],
            "path.vocabulary_id": [vocab.RISK_GROUPS.id, vocab.PYRAMID_LEVELS.id],
        },
    )


schema = schemathesis.pytest.from_fixture("registry_schema")


@schema.parametrize()
@FUZZ_SETTINGS
def test_every_operation(case: schemathesis.Case) -> None:
    call_and_validate(case)


def test_linked_operations(registry_schema) -> None:  # type: ignore[no-untyped-def]
    run_linked_operations(registry_schema)
