"""Personal data is erased once its retention period is over, and not before: a member removed
from their last organisation, the coordination group's member entries, logins and invitations
that were never accepted (services/registry/retention, ``nettungen registry retention``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select, update
from sqlalchemy.orm import Session

from services.cli import main
from services.registry.accounts import services as accounts
from services.registry.accounts.invitations import invite, revoke_invitation
from services.registry.accounts.models import User
from services.registry.accounts.passwords import request_reset
from services.registry.audit.models import AuditEntry
from services.registry.coordination import services as workspace
from services.registry.coordination.models import GroupMember
from services.registry.mail.models import SENT, OutboxMail
from services.registry.offers import services as offers
from services.registry.retention.services import apply_retention
from shared.db import utcnow
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, PASSWORD, login, offer_input

DAYS = 180
OLA = ("Ola Nordmann", "ola.nordmann@example.org")
KARI = ("Kari Kontakt", "kari.kontakt@example.org", "+47 912 34 567")


def _everything(db: Session) -> str:
    """Every value of every row of every table of the node's database, lower case."""
    metadata = MetaData()
    metadata.reflect(db.connection())
    values: list[str] = []
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)):
            values.extend(str(v) for v in row)
    return "\n".join(values).lower()


def _fail_login(client, email: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": "feil-passord", "csrf_token": csrf}
    )
    assert response.status_code == 401, response.status_code


def _after(days: float) -> dt.datetime:
    return utcnow() + dt.timedelta(days=days)


def _ola_leaves(db, client, world) -> User:
    """Ola joins Drammen, logs in (and once fails), registers an offer, asks for a password
    reset, and is removed."""
    org = world.orgs[ORG_A]
    membership = accounts.add_member(
        db, OPERATOR, org, email=OLA[1], name=OLA[0], roles=["registrar"],
        agencies=[world.agencies["a_health"]], password=PASSWORD,
    )  # fmt: skip
    user = membership.user
    accounts.issue_token(db, OPERATOR, user, org, "skript")
    db.flush()
    _fail_login(client, OLA[1])
    login(client, OLA[1])
    ola = accounts.build_actor(db, user)
    offers.create_offer(db, ola, org, offer_input(world.agencies["a_health"]), "https://n.test")
    request_reset(db, OLA[1], lambda secret: f"/reset/{secret}", "nb")
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    accounts.remove_member(db, admin, membership)
    db.flush()
    return user


def test_a_removed_member_is_kept_for_the_period_then_only_a_pseudonym_is_left(db, client, world):
    user = _ola_leaves(db, client, world)
    before = apply_retention(db, OPERATOR, _after(DAYS - 1), DAYS)
    assert before.users == 0
    kept = _everything(db)
    assert OLA[1] in kept and OLA[0].lower() in kept

    report = apply_retention(db, OPERATOR, _after(DAYS + 1), DAYS)
    assert report.users == 1
    left = _everything(db)
    assert OLA[1] not in left and "ola.nordmann" not in left
    assert OLA[0].lower() not in left
    db.refresh(user)
    alias = f"user-{user.id}"
    assert (user.name, user.email) == (alias, f"{alias}@erased.invalid")
    assert user.password_hash is None and not user.is_active
    # The trail keeps who did what, under the pseudonym.
    actions = db.scalars(select(AuditEntry.action).where(AuditEntry.actor_label == alias)).all()
    assert {"offer.created", "login.succeeded", "user.password_reset_requested"} <= set(actions)
    erased = db.scalars(select(AuditEntry).where(AuditEntry.action == "user.erased")).one()
    assert erased.target_id == str(user.id)
    # Another run erases nothing more.
    assert apply_retention(db, OPERATOR, _after(DAYS + 2), DAYS).users == 0


def test_a_member_of_another_organisation_is_not_erased(db, client, world):
    user = _ola_leaves(db, client, world)
    accounts.add_member(db, OPERATOR, world.orgs[ORG_B], email=OLA[1], name=None, roles=["reader"])
    db.flush()
    assert apply_retention(db, OPERATOR, _after(DAYS + 1), DAYS).users == 0
    db.refresh(user)
    assert (user.name, user.email) == OLA


def test_a_node_administrator_and_a_current_member_are_never_erased(db, world):
    apply_retention(db, OPERATOR, _after(10 * DAYS), DAYS)
    people = db.scalars(select(User.email)).all()
    assert "a_registrar@example.org" in people
    assert not [e for e in people if e.endswith("@erased.invalid")]


def _workspace_member(db, world) -> GroupMember:
    org = world.orgs[ORG_A]
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    group = workspace.start_workspace(db, admin, org, "Koordineringsgruppa")
    member = workspace.add_item(
        db, admin, group, GroupMember,
        {"name": KARI[0], "group_role": "member", "email": KARI[1], "phone": KARI[2],
         "represents": "Helsestasjonen"},
    )  # fmt: skip
    workspace.update_item(db, admin, group, member, {"phone": "+47 987 65 432"})
    workspace.delete_item(db, admin, group, member)
    db.flush()
    return member


def test_a_deleted_workspace_member_leaves_nothing_after_the_period(db, world):
    member_id = _workspace_member(db, world).id
    apply_retention(db, OPERATOR, _after(DAYS - 1), DAYS)
    kept = _everything(db)
    assert KARI[1] in kept and KARI[0].lower() in kept and KARI[2] in kept

    report = apply_retention(db, OPERATOR, _after(DAYS + 1), DAYS)
    assert report.workspace_entries == 3  # created, updated, deleted
    left = _everything(db)
    for trace in (*KARI, "987 65 432"):
        assert trace.lower() not in left, trace
    # The entries stay, with what is not personal.
    entries = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.like("workspace.coordination_members.%"))
        .order_by(AuditEntry.id)
    ).all()
    assert [e.action.rsplit(".", 1)[1] for e in entries] == ["created", "updated", "deleted"]
    assert entries[0].changes["id"] == member_id
    assert entries[0].changes["represents"] == "Helsestasjonen"


def test_an_unknown_address_at_login_and_a_revoked_invitation_go_after_the_period(
    db, client, world
):
    typed = "noen.andre@example.org"
    _fail_login(client, typed)
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    invitation = invite(
        db, admin, world.orgs[ORG_A], email="kari.berg@example.org", roles=["reader"],
        agencies=[], path_to=lambda secret: f"/i/{secret}", language="nb",
    )  # fmt: skip
    revoke_invitation(db, admin, invitation)
    db.execute(update(OutboxMail).values(status=SENT))  # the sender delivered it
    db.flush()
    apply_retention(db, OPERATOR, _after(DAYS - 1), DAYS)
    assert typed in _everything(db) and "kari.berg@example.org" in _everything(db)

    report = apply_retention(db, OPERATOR, _after(DAYS + 1), DAYS)
    assert report.account_tokens >= 1 and report.mails >= 1
    left = _everything(db)
    assert typed not in left and "kari.berg" not in left
    assert "remote_addr" not in left


def test_the_command_runs_with_the_setting(database_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_factory())
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("PERSONAL_DATA_RETENTION_DAYS", "30")
    runner = CliRunner()
    assert runner.invoke(main, ["registry", "db", "upgrade"]).exit_code == 0
    result = runner.invoke(main, ["registry", "retention"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Older than 30 days: 0 removed member(s) erased")
    monkeypatch.setenv("PERSONAL_DATA_RETENTION_DAYS", "0")
    assert CliRunner().invoke(main, ["registry", "retention"]).exit_code != 0


@pytest.mark.parametrize("who", ["a_registrar"])
def test_only_an_operator_applies_retention(db, world, who):
    from shared.errors import PermissionDenied

    actor = accounts.build_actor(db, accounts.get_user_by_email(db, f"{who}@example.org"))
    with pytest.raises(PermissionDenied):
        apply_retention(db, actor, utcnow(), DAYS)


def test_an_erasure_request_erases_a_former_member_at_once(db, client, world):
    from services.registry.retention.services import erase_on_request
    from shared.errors import Conflict

    user = _ola_leaves(db, client, world)
    erase_on_request(db, OPERATOR, user)
    db.flush()
    left = _everything(db)
    assert OLA[1] not in left and OLA[0].lower() not in left
    with pytest.raises(Conflict, match="erased already"):
        erase_on_request(db, OPERATOR, user)
    member = accounts.get_user_by_email(db, "a_registrar@example.org")
    with pytest.raises(Conflict, match="still a member"):
        erase_on_request(db, OPERATOR, member)
    assert member.email == "a_registrar@example.org"


def test_the_erase_command_refuses_a_current_member(database_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_factory())
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["registry", "db", "upgrade"]).exit_code == 0
    for args in (
        ["org", "create", "--orgnr", ORG_A, "--name", "Drammen kommune", "--kind",
         "municipality", "--home-area", "3301"],
        ["user", "create", "--email", OLA[1], "--name", OLA[0], "--password", PASSWORD],
        ["user", "grant", ORG_A, OLA[1], "--role", "reader"],
    ):  # fmt: skip
        result = runner.invoke(main, ["registry", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
    refused = runner.invoke(main, ["registry", "user", "erase", OLA[1]])
    assert refused.exit_code != 0 and "still a member" in refused.output


def test_an_erased_person_leaves_no_provider_subject_and_can_bind_again(db, client, world):
    """A subject bound through single sign-on goes with the erasure (row and audit trail): were
    it kept, the same person invited again later would be refused as an inactive account."""
    from services.registry.audit.services import record
    from services.registry.retention.services import erase_on_request
    from services.registry.sso import services as sso
    from services.registry.sso.models import AccountIdentity

    user = _ola_leaves(db, client, world)
    provider = sso.create_provider(
        db,
        OPERATOR,
        {
            "public_id": "entra",
            "name": "Entra",
            "issuer": "https://login.example.org/v2.0",
            "client_id": "nettungen",
            "secret_ref": "env:NETTUNGEN_OIDC_ENTRA",  # pragma: allowlist secret
        },
    )
    subject = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"
    db.add(AccountIdentity(user=user, provider=provider, issuer=provider.issuer, subject=subject))
    changes = {"provider": "entra", "issuer": provider.issuer, "subject": subject}
    record(db, OPERATOR, "sso.identity_bound", "user", user.id, changes=changes)
    db.flush()
    assert subject.lower() in _everything(db)

    erase_on_request(db, OPERATOR, user)
    db.flush()
    assert db.scalars(select(AccountIdentity)).all() == []
    assert subject.lower() not in _everything(db)
    bound = db.scalars(select(AuditEntry).where(AuditEntry.action == "sso.identity_bound")).one()
    assert bound.changes == {
        "provider": "entra",
        "issuer": provider.issuer,
        "subject": f"user-{user.id}",
    }
