"""Users, their passwords and the acting user at their edges, found by mutation testing
(docs/testing.md): the address as stored and looked up, who may make a node administrator or
set someone's password, what the audit trail says, and which roles and agencies an actor holds
(only active organisations, only the token's, sections below sections)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import BrowserSession, User
from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.models import AuditEntry
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Agency
from shared.errors import Conflict, PermissionDenied
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, PASSWORD

CHOSEN = "valgt-av-en-annen"  # pragma: allowlist secret


def _entries(db, action):
    return db.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _person(db, key):
    return db.scalar(select(User).where(User.email == f"{key}@example.org"))


def _agency_id(db, public_id):
    return db.scalar(select(Agency.id).where(Agency.public_id == public_id))


# --- users -------------------------------------------------------------------------------------


def test_a_new_user_is_stored_by_a_folded_address_and_audited(db):
    user = accounts.create_user(db, OPERATOR, "  Ny.Person@Example.ORG ", "  Ny Person ", PASSWORD)
    db.flush()
    assert (user.email, user.name) == ("ny.person@example.org", "Ny Person")
    assert user.is_node_admin is False and user.must_change_password is False
    assert accounts.verify_password(user, PASSWORD)
    assert accounts.get_user_by_email(db, " NY.PERSON@example.org") is user
    assert accounts.normalise_email(" A@B.No ") == "a@b.no"
    (entry,) = _entries(db, "user.created")
    assert (entry.actor_user_id, entry.actor_label) == (None, "cli")
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))
    assert entry.changes == {"email": "ny.person@example.org"}


def test_a_user_without_a_password_has_none_to_change(db):
    user = accounts.create_user(db, OPERATOR, "uten@example.org", "Uten", must_change_password=True)
    db.flush()
    assert user.password_hash is None and user.must_change_password is False
    chosen = accounts.create_user(
        db, OPERATOR, "valgt@example.org", "Valgt", CHOSEN, must_change_password=True
    )
    assert chosen.must_change_password is True
    admin = accounts.create_user(db, OPERATOR, "admin@example.org", "Admin", PASSWORD, True)
    assert admin.is_node_admin is True


def test_only_a_node_administrator_makes_one_and_an_address_is_taken_once(db, world):
    admin = accounts.build_actor(db, _person(db, "a_admin"))
    created = len(_entries(db, "user.created"))
    with pytest.raises(PermissionDenied) as refused:
        accounts.create_user(db, admin, "ny@example.org", "Ny", PASSWORD, True)
    assert refused.value.code == "role.node_admin_for_node_admins"
    with pytest.raises(Conflict) as taken:
        accounts.create_user(db, OPERATOR, " A_Admin@example.org", "Igjen", PASSWORD)
    assert taken.value.code == "user.email_taken"
    assert {k: [m.code for m in v] for k, v in taken.value.errors.items()} == {
        "email": ["value.already_in_use"]
    }
    assert len(_entries(db, "user.created")) == created
    assert accounts.get_user_by_email(db, "ny@example.org") is None


def test_setting_a_password_ends_the_other_sessions_and_is_audited(db, world):
    user = _person(db, "a_reader")
    here = accounts.begin_session(db, user, "192.0.2.1", "here")
    accounts.begin_session(db, user, "192.0.2.2", "elsewhere")
    db.flush()
    own = accounts.build_actor(db, user)
    accounts.set_password(db, own, user, CHOSEN, here)
    db.flush()
    agents = db.scalars(select(BrowserSession.user_agent).where(BrowserSession.user_id == user.id))
    assert list(agents) == ["here"]
    assert user.must_change_password is False
    assert accounts.verify_password(user, CHOSEN)
    (entry,) = _entries(db, "user.password_set")
    assert (entry.actor_user_id, entry.actor_label) == (user.id, user.email)
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))
    accounts.set_password(db, OPERATOR, user, PASSWORD, must_change=True)
    db.flush()
    assert user.must_change_password is True
    assert db.scalars(select(BrowserSession).where(BrowserSession.user_id == user.id)).all() == []


def test_only_the_person_or_a_node_administrator_sets_a_password(db, world):
    user = _person(db, "a_reader")
    other = accounts.build_actor(db, _person(db, "a_admin"))
    with pytest.raises(PermissionDenied) as refused:
        accounts.set_password(db, other, user, CHOSEN)
    assert refused.value.code == "password.only_own"
    assert user.password_hash is None  # as the world made it
    assert _entries(db, "user.password_set") == []


# --- the acting user ---------------------------------------------------------------------------


def test_an_actor_holds_the_agencies_chosen_and_every_section_below_them(db, world):
    org = world.orgs[ORG_A]
    health = world.agencies["a_health"]
    section = organisations.create_agency(db, OPERATOR, org, "Skolehelse", health)
    below = organisations.create_agency(db, OPERATOR, org, "Skolehelse Nord", section.public_id)
    organisations.create_agency(
        db, OPERATOR, org, "Familiens hus, seksjon", world.agencies["a_family"]
    )
    db.flush()
    actor = accounts.build_actor(db, _person(db, "a_registrar"))
    assert actor.agencies == {org.id: frozenset({_agency_id(db, health), section.id, below.id})}
    assert actor.roles == {org.id: frozenset({Role.REGISTRAR})}
    assert (actor.user_id, actor.label) == (
        _person(db, "a_registrar").id,
        "a_registrar@example.org",
    )
    assert actor.is_node_admin is False and actor.token_organisation_id is None


def test_an_actor_holds_roles_only_in_active_organisations_and_by_token_only_the_tokens(db, world):
    person = _person(db, "a_admin")
    org_a, org_b = world.orgs[ORG_A], world.orgs[ORG_B]
    accounts.add_member(db, OPERATOR, org_b, email=person.email, name=None, roles=["publisher"])
    person.is_node_admin = True
    db.flush()
    actor = accounts.build_actor(db, person)
    assert actor.roles == {
        org_a.id: frozenset({Role.ADMIN}),
        org_b.id: frozenset({Role.PUBLISHER}),
    }
    assert actor.is_node_admin is True
    token = accounts.issue_token(db, OPERATOR, person, org_b, "ci").token
    by_token = accounts.build_actor(db, person, token)
    assert by_token.roles == {org_b.id: frozenset({Role.PUBLISHER})}
    assert by_token.agencies == {org_b.id: frozenset()}
    assert by_token.is_node_admin is False
    assert by_token.token_organisation_id == org_b.id
    org_b.membership_status = "suspended"
    db.flush()
    assert accounts.build_actor(db, person).roles == {org_a.id: frozenset({Role.ADMIN})}
    assert accounts.build_actor(db, person, token).roles == {}


def test_an_actor_with_no_memberships_holds_nothing(db):
    user = accounts.create_user(db, OPERATOR, "alene@example.org", "Alene", PASSWORD)
    db.flush()
    assert accounts.build_actor(db, user) == Actor(user_id=user.id, label="alene@example.org")
