"""Passwords at their edges, found by mutation testing (docs/testing.md): what the audit trail
says of a reset and of its request, a person deactivated while their link is open, the policy's
folding of case, spaces and decoration, the refusals by code and field, and when a stored hash
is made again."""

from __future__ import annotations

from unittest import mock

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from services.registry.accounts import passwords
from services.registry.accounts import services as accounts
from services.registry.accounts.models import AccountToken, BrowserSession
from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry
from services.registry.mail.models import OutboxMail
from shared.errors import InvalidInput
from tests.registry.conftest import OPERATOR, PASSWORD

NEW = "tre ord i rekke og rad"  # pragma: allowlist secret
EMAIL = "person@example.org"


def _person(db, email=EMAIL, password=PASSWORD):
    user = accounts.create_user(db, OPERATOR, email, "Person Persen", password)
    db.flush()
    return user


def _node_admin(db):
    admin = accounts.create_user(db, OPERATOR, "node@example.org", "N", PASSWORD, True)
    db.flush()
    return accounts.build_actor(db, admin)


def _entries(db, action):
    return list(
        db.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
    )


def _reset_path(secret):
    return f"/password/reset/{secret}"


def _ask(db, email=EMAIL, language="nb"):
    issued = accounts.request_reset(db, email, _reset_path, language)
    db.flush()
    return issued


def _sessions(db, user):
    return db.scalars(select(BrowserSession).where(BrowserSession.user_id == user.id)).all()


# --- a forgotten password ----------------------------------------------------------------------


def test_asking_for_a_reset_is_audited_as_the_person_asking(db):
    user = _person(db)
    issued = _ask(db, "  Person@Example.ORG ", language="nn")
    assert issued is not None
    (entry,) = _entries(db, "user.password_reset_requested")
    assert (entry.actor_user_id, entry.actor_label) == (user.id, EMAIL)
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))
    assert entry.organisation_id is None and entry.changes is None
    (mail,) = db.scalars(select(OutboxMail).where(OutboxMail.template == "password_reset")).all()
    assert (mail.to_address, mail.user_id, mail.language) == (EMAIL, user.id, "nn")
    assert f"/password/reset/{issued.secret}" in mail.body_text
    assert issued.token.kind == "password_reset" and issued.token.user_id == user.id
    assert issued.token.email == EMAIL


def test_an_unknown_or_deactivated_address_gets_no_link_no_mail_and_no_entry(db):
    user = _person(db)
    accounts.deactivate_user(db, _node_admin(db), user)
    db.flush()
    assert _ask(db, EMAIL) is None
    assert _ask(db, "ukjent@example.org") is None
    assert _entries(db, "user.password_reset_requested") == []
    assert db.scalars(select(OutboxMail)).all() == []
    assert db.scalars(select(AccountToken)).all() == []


def test_a_reset_is_audited_as_the_person_and_clears_a_password_to_change(db):
    user = _person(db)
    accounts.set_password(db, OPERATOR, user, "valgt-av-operatøren", must_change=True)
    issued = _ask(db)
    secret = accounts.begin_session(db, user, "192.0.2.1", "test")
    db.flush()
    assert accounts.reset_password(db, issued.secret, NEW) is user
    db.flush()
    (entry,) = _entries(db, "user.password_reset")
    assert (entry.actor_user_id, entry.actor_label) == (user.id, EMAIL)
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))
    assert entry.organisation_id is None and entry.changes is None
    db.refresh(user)
    assert user.must_change_password is False
    assert accounts.verify_password(user, NEW)
    assert secret and _sessions(db, user) == []
    assert issued.token.used_at is not None
    assert accounts.reset_link_is_open(db, issued.secret) is False


def test_a_person_deactivated_after_asking_cannot_set_a_password_with_the_link(db):
    user = _person(db)
    issued = _ask(db)
    assert accounts.reset_link_is_open(db, issued.secret) is True
    accounts.deactivate_user(db, _node_admin(db), user)
    db.flush()
    with pytest.raises(InvalidInput) as refused:
        accounts.reset_password(db, issued.secret, NEW)
    assert refused.value.code == "link.invalid"
    db.refresh(user)
    assert accounts.verify_password(user, PASSWORD)
    assert not accounts.verify_password(user, NEW)
    assert _entries(db, "user.password_reset") == []
    assert issued.token.used_at is None


def test_a_forged_link_is_not_open(db):
    _person(db)
    _ask(db)
    assert accounts.reset_link_is_open(db, "forged") is False


# --- the policy --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "common"),
    [
        ("  PassWord  ", True),  # "password", in other case and with spaces around it
        ("PASSWORD", True),
        ("123456", True),  # on the list as it is; nothing is left of it without the digits
        ("blue!!!!", True),  # "blue" (4 letters, on the list) with signs added
        ("golf2024!", True),  # "golf" with digits and a sign added
        ("bluex!!!!", False),  # "bluex" is on no list
        ("hestebatteristift", False),
        ("kort-passord", False),
        ("abcdabcdabcd", True),  # a piece of four, repeated
        ("abcdeabcdeabcde", False),  # a piece of five: not refused as a repetition
    ],
)
def test_common_passwords_are_found_whatever_their_case_spaces_and_decoration(password, common):
    assert passwords.is_common(password) is common


@pytest.mark.parametrize(
    ("password", "code", "message", "params"),
    [
        ("x" * 11, "password.too_short", "password.min_length", {"min": 12}),
        ("y" * 129, "password.too_long", "password.max_length", {"max": 128}),
        ("password1234", "password.too_common", "password.common", {}),
    ],
)
def test_each_refusal_of_the_policy_names_the_field_and_its_limit(password, code, message, params):
    with pytest.raises(InvalidInput) as refused:
        passwords.check_policy(password)
    assert refused.value.code == code
    assert list(refused.value.errors) == ["password"]
    (field_message,) = refused.value.errors["password"]
    assert (field_message.code, field_message.params) == (message, params)


def test_a_password_the_policy_refuses_is_never_hashed():
    with pytest.raises(InvalidInput):
        passwords.hash_password("kort")
    stored = passwords.hash_password(NEW)
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, NEW)


# --- checking a password -----------------------------------------------------------------------


def test_no_password_is_right_for_an_unknown_person_or_one_without_a_password(db):
    invited = accounts.create_user(db, OPERATOR, "invitert@example.org", "Invitert")
    db.flush()
    assert invited.password_hash is None
    assert accounts.verify_password(None, PASSWORD) is False
    assert accounts.verify_password(invited, PASSWORD) is False
    assert accounts.verify_password(invited, "") is False


def test_the_hash_checked_for_an_unknown_person_admits_no_one(db):
    """Even a password matching the stand-in hash checked for an unknown address (so that both
    ways cost one argon2 check) is refused: it stands in for no one."""
    invited = accounts.create_user(db, OPERATOR, "invitert@example.org", "Invitert")
    db.flush()
    known = "kjent-bare-for-testen"  # pragma: allowlist secret
    passwords._dummy_hash.cache_clear()
    try:
        with mock.patch("secrets.token_urlsafe", return_value=known):
            assert accounts.verify_password(None, known) is False
            assert accounts.verify_password(invited, known) is False
    finally:
        passwords._dummy_hash.cache_clear()


def test_a_damaged_stored_hash_refuses_the_password(db):
    user = _person(db)
    user.password_hash = "not-an-argon2-hash"
    assert accounts.verify_password(user, PASSWORD) is False
    assert user.password_hash == "not-an-argon2-hash"


def test_a_hash_of_older_parameters_is_made_again_at_a_right_password_only(db):
    user = _person(db)
    current = user.password_hash
    assert accounts.verify_password(user, PASSWORD) is True
    assert user.password_hash == current  # the parameters of today: left as it is
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user.password_hash = old
    assert accounts.verify_password(user, "feil-passord-her") is False
    assert user.password_hash == old
    assert accounts.verify_password(user, PASSWORD) is True
    assert user.password_hash != old
    assert user.password_hash.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


# --- changing one's own password ---------------------------------------------------------------


def _as(user):
    return Actor(user_id=user.id, label=user.email)


def test_changing_ones_password_is_audited_and_keeps_this_browser_only(db):
    user = _person(db)
    accounts.set_password(db, OPERATOR, user, "valgt-av-operatøren", must_change=True)
    here = accounts.begin_session(db, user, "192.0.2.1", "here")
    accounts.begin_session(db, user, "192.0.2.2", "elsewhere")
    db.flush()
    accounts.change_own_password(db, _as(user), user, "valgt-av-operatøren", NEW, here)
    db.flush()
    assert [s.user_agent for s in _sessions(db, user)] == ["here"]
    db.refresh(user)
    assert user.must_change_password is False
    assert accounts.verify_password(user, NEW)
    (entry,) = _entries(db, "user.password_changed")
    assert (entry.actor_user_id, entry.actor_label) == (user.id, EMAIL)
    assert (entry.target_type, entry.target_id) == ("user", str(user.id))


@pytest.mark.parametrize(
    ("someone_else", "current", "new", "code", "errors"),
    [
        (True, PASSWORD, NEW, "password.only_own", None),
        (
            False,
            "ikke-mitt-passord",
            NEW,
            "password.current_wrong",
            {"current_password": "password.current_incorrect"},
        ),
        (False, PASSWORD, PASSWORD, "password.unchanged", {"password": "password.same_as_old"}),
        (False, PASSWORD, "kort", "password.too_short", {"password": "password.min_length"}),
    ],
)
def test_changing_ones_password_refuses_by_code_and_field(
    db, someone_else, current, new, code, errors
):
    user = _person(db)
    actor = _as(_person(db, "annen@example.org") if someone_else else user)
    with pytest.raises(InvalidInput) as refused:
        accounts.change_own_password(db, actor, user, current, new)
    assert refused.value.code == code
    found = refused.value.errors
    assert (found and {k: [m.code for m in v] for k, v in found.items()}) == (
        errors and {k: [v] for k, v in errors.items()}
    )
    db.refresh(user)
    assert accounts.verify_password(user, PASSWORD)
    assert _entries(db, "user.password_changed") == []
