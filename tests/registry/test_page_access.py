"""Who may see and change what in the internal app: tenant isolation (another organisation's
pages are 404), roles (403), CSRF on every form (400), and a refused request writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.coordination import services as coordination
from services.registry.coordination.models import GroupMember
from services.registry.offers import services as offers
from tests.registry.conftest import ORG_A, ORG_B, audit_count, offer_input
from tests.registry.pages import sign_in


@pytest.fixture
def b_things(db, world):
    """Organisation B's offer, workspace and one workspace member."""
    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "b_registrar@example.org"))
    offer = offers.create_offer(
        db, registrar, world.orgs[ORG_B], offer_input(world.agencies["b_health"]), "https://n.t"
    )
    group = coordination.start_workspace(db, registrar, world.orgs[ORG_B], "B-gruppa")
    member = coordination.add_item(
        db, registrar, group, GroupMember, {"name": "Berit", "group_role": "chair"}
    )
    b_admin = accounts.get_user_by_email(db, "b_admin@example.org")
    db.flush()
    return {
        "offer": offer.id,
        "member": member.id,
        "user": b_admin.id,
        "agency": world.agencies["b_health"],
    }


READS = [
    "/o/{org}/",
    "/o/{org}/offers/new",
    "/o/{org}/offers/{offer}",
    "/o/{org}/offers/{offer}/edit",
    "/o/{org}/offers/{offer}/history",
    "/o/{org}/review",
    "/o/{org}/review/{offer}",
    "/o/{org}/admin/users",
    "/o/{org}/admin/users/{user}",
    "/o/{org}/admin/agencies",
    "/o/{org}/bulk",
    "/o/{org}/bulk/template.xlsx",
    "/o/{org}/workspace/",
    "/o/{org}/workspace/members",
    "/o/{org}/workspace/members/{member}",
    "/o/{org}/workspace/mandate",
    "/o/{org}/workspace/steps",
    "/o/{org}/workspace/steps/1",
    "/o/{org}/workspace/assessment",
]
WRITES = [
    ("/o/{org}/offers/new", {"name": "X"}),
    ("/o/{org}/offers/{offer}/edit", {"name": "Overtatt"}),
    ("/o/{org}/offers/{offer}/submit", {}),
    ("/o/{org}/offers/{offer}/delete", {}),
    ("/o/{org}/review/{offer}/send-back", {"comment": "nei"}),
    ("/o/{org}/review/{offer}/publish", {}),
    ("/o/{org}/offers/{offer}/withdraw", {}),
    ("/o/{org}/admin/users/new", {"email": "x@example.org", "name": "X", "roles": "admin"}),
    ("/o/{org}/admin/users/{user}", {"roles": "reader"}),
    ("/o/{org}/admin/users/{user}/remove", {}),
    ("/o/{org}/admin/agencies", {"name": "Ny etat"}),
    ("/o/{org}/admin/agencies/{agency}", {"name": "Omdøpt"}),
    ("/o/{org}/admin/agencies/{agency}/delete", {}),
    ("/o/{org}/workspace/members", {"name": "Inntrenger", "group_role": "chair"}),
    ("/o/{org}/workspace/members/{member}", {"name": "Overtatt", "group_role": "chair"}),
    ("/o/{org}/workspace/members/{member}/delete", {}),
    ("/o/{org}/workspace/settings", {"name": "Overtatt"}),
    ("/o/{org}/workspace/mandate", {}),
    ("/o/{org}/workspace/mandate/add", {"text": "X"}),
    ("/o/{org}/workspace/steps/1", {"status": "done"}),
    ("/o/{org}/workspace/assessment", {"group.short": "X"}),
    ("/o/{org}/workspace/start", {}),
]


def _path(template: str, things: dict) -> str:
    return template.format(org=ORG_B, **things)


@pytest.mark.parametrize("path", READS)
def test_another_organisations_pages_are_not_found(client, db, world, b_things, path):
    sign_in(client, db, "a_admin")
    assert client.get(_path(path, b_things)).status_code == 404


def test_another_organisations_pages_refuse_every_write(client, db, world, b_things):
    # A's administrator, who is also registrar and publisher in A, tries every form of B.
    token = sign_in(client, db, "a_admin")
    before = audit_count(db)
    for path, data in WRITES:
        response = client.post(_path(path, b_things), data={**data, "csrf_token": token})
        assert response.status_code == 404, path
    assert audit_count(db) == before
    assert (
        db.scalar(select(GroupMember.name).where(GroupMember.id == b_things["member"])) == "Berit"
    )


def test_a_workspace_item_cannot_be_reached_through_another_organisation(
    client, db, world, b_things
):
    token = sign_in(client, db, "a_admin")
    client.post(f"/o/{ORG_A}/workspace/start", data={"csrf_token": token})
    response = client.get(f"/o/{ORG_A}/workspace/members/{b_things['member']}")
    assert response.status_code == 404
    response = client.get(f"/o/{ORG_A}/offers/{b_things['offer']}")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("a_registrar", "/o/{org}/review"),
        ("a_registrar", "/o/{org}/admin/users"),
        ("a_registrar", "/o/{org}/admin/agencies"),
        ("a_publisher", "/o/{org}/bulk"),
        ("a_reader", "/o/{org}/offers/new"),
    ],
)
def test_roles_are_respected(client, db, world, who, path):
    sign_in(client, db, who)
    assert client.get(path.format(org=ORG_A)).status_code == 403


def test_readers_cannot_change_the_workspace(client, db, world):
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    coordination.start_workspace(db, admin, world.orgs[ORG_A], "Gruppa")
    db.flush()
    token = sign_in(client, db, "a_reader")
    assert client.get(f"/o/{ORG_A}/workspace/members").status_code == 200
    before = audit_count(db)
    response = client.post(
        f"/o/{ORG_A}/workspace/members",
        data={"csrf_token": token, "name": "Lars", "group_role": "member"},
    )
    assert response.status_code == 403
    assert audit_count(db) == before


@pytest.mark.parametrize(
    "path",
    [
        "/o/{org}/offers/new",
        "/o/{org}/workspace/start",
        "/o/{org}/admin/agencies",
        "/o/{org}/bulk",
        "/logout",
    ],
)
def test_forms_without_their_csrf_token_are_refused(client, db, world, path):
    sign_in(client, db, "a_admin")
    before = audit_count(db)
    response = client.post(path.format(org=ORG_A), data={"name": "Ny etat"})
    assert response.status_code == 400
    assert "kom ikke fra dette nettstedet" in response.get_data(as_text=True)
    assert audit_count(db) == before
    wrong = client.post(path.format(org=ORG_A), data={"name": "Ny etat", "csrf_token": "x"})
    assert wrong.status_code == 400


def test_a_service_refusal_leaves_nothing_half_written(client, db, world):
    # Adding a registrar without agencies is refused after the user lookup: no user is created.
    token = sign_in(client, db, "a_admin")
    before = audit_count(db)
    response = client.post(
        f"/o/{ORG_A}/admin/users/new",
        data={"csrf_token": token, "email": "ny@example.org", "name": "Ny", "roles": "registrar"},
    )
    assert response.status_code == 422
    assert "Velg etatene den registreringsansvarlige" in response.get_data(as_text=True)
    assert accounts.get_user_by_email(db, "ny@example.org") is None
    assert audit_count(db) == before
