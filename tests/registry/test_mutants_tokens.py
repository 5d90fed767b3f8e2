"""API tokens at their edges, found by mutation testing (docs/testing.md): when one expires,
how often its use is recorded, who may issue and revoke it, and what the audit trail says."""

from __future__ import annotations

import base64
import datetime as dt
import re
from unittest import mock

import pytest
from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.models import AuditEntry
from shared.errors import InvalidInput, NotFound, PermissionDenied
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B

NOON = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def at(moment):
    """The accounts services read the clock at ``moment``."""
    return mock.patch("services.registry.accounts.tokens.utcnow", return_value=moment)


def person(db, key):
    return db.scalar(select(User).where(User.email == f"{key}@example.org"))


def acting(db, world, key, *, via_token=False):
    """``key`` of the test world acting in their organisation, in the browser or by token."""
    user = person(db, key)
    org = world.orgs[ORG_B if key.startswith("b_") else ORG_A]
    return Actor(
        user_id=user.id,
        label=user.email,
        roles={org.id: frozenset({Role.READER})},
        token_organisation_id=org.id if via_token else None,
    )


def issue(db, world, key="a_reader", org=ORG_A, **kw):
    with at(NOON):
        issued = accounts.issue_token(db, OPERATOR, person(db, key), world.orgs[org], "ci", **kw)
    db.flush()
    return issued


def test_a_token_reads_prefix_public_id_and_secret_and_the_secret_may_hold_underscores(db, world):
    with mock.patch("secrets.token_urlsafe", return_value="a_b_c" + "x" * 38):
        issued = issue(db, world)
    assert re.fullmatch(r"ntg_[0-9a-f]{16}_a_b_cx{38}", issued.plaintext)
    with at(NOON):
        assert accounts.authenticate_token(db, issued.plaintext) == issued.token
        # The right public id with a wrong or missing secret, or another prefix, is no token.
        assert accounts.authenticate_token(db, issued.plaintext[:-1]) is None
        assert accounts.authenticate_token(db, issued.plaintext.rsplit("_", 3)[0]) is None
        assert accounts.authenticate_token(db, "xyz" + issued.plaintext[3:]) is None


def test_a_token_for_thirty_days_lives_exactly_thirty_days(db, world):
    issued = issue(db, world, expires_in_days=30)
    assert issued.token.created_at == NOON
    assert issued.token.expires_at == dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)
    with at(dt.datetime(2026, 4, 1, 11, 59, 59, tzinfo=dt.UTC)):
        assert accounts.authenticate_token(db, issued.plaintext) == issued.token
    with at(dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)):
        assert accounts.authenticate_token(db, issued.plaintext) is None
    assert issue(db, world).token.expires_at is None


def test_use_is_recorded_at_most_once_a_minute(db, world):
    issued = issue(db, world)
    assert issued.token.last_used_at is None
    for moment, recorded in (
        (NOON, NOON),
        (NOON + dt.timedelta(seconds=60), NOON),  # exactly a minute later: not yet
        (NOON + dt.timedelta(seconds=61), NOON + dt.timedelta(seconds=61)),
    ):
        with at(moment):
            accounts.authenticate_token(db, issued.plaintext)
        assert issued.token.last_used_at == recorded


def test_the_token_of_a_deactivated_person_stops_working(db, world):
    issued = issue(db, world)
    person(db, "a_reader").is_active = False
    db.flush()
    with at(NOON):
        assert accounts.authenticate_token(db, issued.plaintext) is None


def test_issuing_is_for_oneself_in_ones_own_organisations_or_by_a_node_admin(db, world):
    reader, registrar = person(db, "a_reader"), person(db, "a_registrar")
    own = accounts.issue_token(db, acting(db, world, "a_reader"), reader, world.orgs[ORG_A], "x")
    assert own.token.user == reader
    with pytest.raises(PermissionDenied) as refused:
        accounts.issue_token(db, acting(db, world, "a_reader"), registrar, world.orgs[ORG_A], "x")
    assert refused.value.code == "token.only_own"
    with pytest.raises(PermissionDenied) as refused:
        accounts.issue_token(
            db,
            acting(db, world, "a_reader", via_token=True),
            reader,
            world.orgs[ORG_A],
            "x",
        )
    assert refused.value.code == "token.not_by_token"
    with pytest.raises(InvalidInput) as refused:
        accounts.issue_token(db, OPERATOR, reader, world.orgs[ORG_B], "x")
    assert refused.value.code == "token.user_not_member"
    assert refused.value.errors["organisation"][0].code == "token.not_a_member"


def test_issuing_is_audited_with_the_name_and_the_person(db, world):
    issued = issue(db, world)
    entry = db.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "token.created",
            AuditEntry.target_id == issued.token.public_id,
        )
    )
    assert entry.target_type == "token"
    assert entry.organisation_id == world.orgs[ORG_A].id
    assert entry.changes == {"name": "ci", "user": "a_reader@example.org"}


def test_revoking_is_for_the_owner_or_a_node_admin_and_is_audited_once(db, world):
    issued = issue(db, world)
    public_id = issued.token.public_id
    with pytest.raises(NotFound) as refused:
        accounts.revoke_token(db, acting(db, world, "a_registrar"), public_id)
    assert refused.value.code == "token.not_found"
    with pytest.raises(NotFound):
        accounts.revoke_token(db, acting(db, world, "a_reader"), "0123456789abcdef")
    with pytest.raises(PermissionDenied) as refused:
        accounts.revoke_token(db, acting(db, world, "a_reader", via_token=True), public_id)
    assert refused.value.code == "token.revoke_not_by_token"
    assert issued.token.revoked_at is None
    with at(NOON):
        accounts.revoke_token(db, acting(db, world, "a_reader"), public_id)
    with at(NOON + dt.timedelta(hours=1)):
        accounts.revoke_token(db, OPERATOR, public_id)  # again: nothing changes
    db.flush()
    assert issued.token.revoked_at == NOON
    entries = db.scalars(select(AuditEntry).where(AuditEntry.action == "token.revoked")).all()
    assert [(e.target_type, e.target_id, e.organisation_id) for e in entries] == [
        ("token", public_id, world.orgs[ORG_A].id)
    ]


def test_a_person_lists_their_tokens_oldest_first(db, world):
    reader = person(db, "a_reader")
    earlier = issue(db, world)  # issued on 2 March 2026, before the test world's token (now)
    listed = accounts.list_tokens(db, acting(db, world, "a_reader"), reader)
    assert [t.name for t in listed] == ["ci", "tests"]
    assert listed[0] == earlier.token
    accounts.add_member(
        db, OPERATOR, world.orgs[ORG_B], email=reader.email, name=None, roles=["reader"]
    )
    issue(db, world, org=ORG_B)
    via_token = accounts.list_tokens(db, acting(db, world, "a_reader", via_token=True), reader)
    assert {t.organisation.organisation_number for t in via_token} == {ORG_A}
    assert len(accounts.list_tokens(db, acting(db, world, "a_reader"), reader)) == 3


def test_a_tokens_secret_is_256_random_bits(db, world):
    # 32 random bytes, unpadded base64url: 43 characters; every token gets its own.
    secrets_ = {issue(db, world).plaintext.split("_", 2)[2] for _ in range(3)}
    assert len(secrets_) == 3
    for secret in secrets_:
        assert len(secret) == 43
        assert len(base64.urlsafe_b64decode(secret + "=")) == 32
