"""Organisation administrators manage agencies and members; node admins keep the duties."""

from __future__ import annotations

from tests.registry.conftest import ORG_A, offer_input

AGENCIES = f"/api/v1/organisations/{ORG_A}/agencies"
MEMBERS = f"/api/v1/organisations/{ORG_A}/members"


def test_admin_builds_agencies_and_sections(client, world):
    admin = world.auth("a_admin")
    school = client.post(AGENCIES, json={"name": "Skole"}, headers=admin)
    assert school.status_code == 201
    section = client.post(
        AGENCIES, json={"name": "Skole – PPT", "parent_id": school.get_json()["id"]}, headers=admin
    )
    assert section.get_json()["parent_id"] == school.get_json()["id"]
    duplicate = client.post(AGENCIES, json={"name": "skole"}, headers=admin)
    assert duplicate.status_code == 409
    assert "name" in duplicate.get_json()["errors"]["json"]
    # An agency cannot be placed inside its own section.
    circular = client.patch(
        f"{AGENCIES}/{school.get_json()['id']}",
        json={"parent_id": section.get_json()["id"]},
        headers=admin,
    )
    assert circular.status_code == 422
    # An agency with sections cannot be removed; an empty section can.
    assert client.delete(f"{AGENCIES}/{school.get_json()['id']}", headers=admin).status_code == 409
    assert client.delete(f"{AGENCIES}/{section.get_json()['id']}", headers=admin).status_code == 204


def test_agency_with_offers_cannot_be_removed(client, world):
    client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"]),
        headers=world.auth("a_registrar"),
    )
    response = client.delete(
        f"{AGENCIES}/{world.agencies['a_health']}", headers=world.auth("a_admin")
    )
    assert response.status_code == 409


def test_non_admins_cannot_manage_the_organisation(client, world):
    for who in ("a_registrar", "a_publisher", "a_reader"):
        assert client.post(AGENCIES, json={"name": "X"}, headers=world.auth(who)).status_code == 403
        assert client.get(MEMBERS, headers=world.auth(who)).status_code == 403


def test_admin_adds_changes_and_removes_a_member(client, world, node_admin):
    admin = world.auth("a_admin")
    new_member = {
        "email": "Ny@Example.org",
        "name": "Nina Ny",
        "roles": ["registrar"],
        "agencies": [world.agencies["a_family"]],
    }
    # Only a node administrator adds at once; the organisation's administrator invites.
    assert client.post(MEMBERS, json=new_member, headers=admin).status_code == 403
    added = client.post(MEMBERS, json=new_member, headers=node_admin)
    assert added.status_code == 201
    member = added.get_json()
    assert (member["email"], member["roles"]) == ("ny@example.org", ["registrar"])
    assert member["agencies"] == [world.agencies["a_family"]]
    # A registrar must have agencies to work in.
    no_agency = client.post(
        MEMBERS,
        json={"email": "x@example.org", "name": "X", "roles": ["registrar"]},
        headers=node_admin,
    )
    assert no_agency.status_code == 422
    changed = client.patch(
        f"{MEMBERS}/{member['user_id']}", json={"roles": ["reader"]}, headers=admin
    ).get_json()
    assert changed["roles"] == ["reader"]
    assert client.delete(f"{MEMBERS}/{member['user_id']}", headers=admin).status_code == 204
    assert client.get(f"{MEMBERS}/{member['user_id']}", headers=admin).status_code == 404


def test_admin_cannot_lock_themselves_out(client, world):
    admin = world.auth("a_admin")
    me = client.get("/api/v1/me", headers=admin).get_json()
    response = client.patch(f"{MEMBERS}/{me['id']}", json={"roles": ["reader"]}, headers=admin)
    assert response.status_code == 409
    assert client.delete(f"{MEMBERS}/{me['id']}", headers=admin).status_code == 409


def test_only_node_admins_edit_the_duty_catalogue(client, world, node_admin):
    duty = {
        "code": "bvl-99-testplikt",
        "title": {"nb": "Testplikt", "nn": "Testplikt", "en": "Test duty"},
        "law_short": "barnevernsloven",
        "law_title": "Lov om barnevern",
        "law_id": "LOV-2021-06-18-97",
        "section": "§ 99",
        "applies_to": ["municipality"],
    }
    refused = client.post("/api/v1/duties", json=duty, headers=world.auth("a_admin"))
    assert refused.status_code == 403
    created = client.post("/api/v1/duties", json=duty, headers=node_admin)
    assert created.status_code == 201
    bad = client.post("/api/v1/duties", json={**duty, "code": "X y"}, headers=node_admin)
    assert bad.status_code == 422 and "code" in bad.get_json()["errors"]["json"]
    retired = client.patch(
        "/api/v1/duties/bvl-99-testplikt", json={"active": False}, headers=node_admin
    )
    assert retired.get_json()["active"] is False
    codes = [d["code"] for d in client.get("/api/v1/duties").get_json()]
    assert "bvl-99-testplikt" not in codes
    # A retired duty cannot be cited by new offers.
    response = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], statutory_duties=["bvl-99-testplikt"]),
        headers=world.auth("a_registrar"),
    )
    assert response.status_code == 422


def test_duties_filter_by_kind_of_organisation(client):
    county = client.get("/api/v1/duties?applies_to=county").get_json()
    assert county and all("county" in d["applies_to"] for d in county)
    assert "tannhl-1-3-barn-ungdom" in {d["code"] for d in county}
    assert client.get("/api/v1/duties?applies_to=parish").status_code == 422


def test_organisation_admins_cannot_choose_passwords_for_people(client, world):
    """Accounts are shared across the node: a password chosen by A's admin would let A's
    admin act as that person when B later adds them."""
    response = client.post(
        MEMBERS,
        json={
            "email": "bob@lier.example.org",
            "name": "Bob",
            "roles": ["reader"],
            "password": "et-passord-jeg-kjenner",
        },
        headers=world.auth("a_admin"),
    )
    assert response.status_code == 403
    assert client.get(MEMBERS, headers=world.auth("a_admin")).status_code == 200
    emails = [m["email"] for m in client.get(MEMBERS, headers=world.auth("a_admin")).get_json()]
    assert "bob@lier.example.org" not in emails


def test_duty_links_must_be_web_addresses(client, node_admin):
    response = client.patch(
        "/api/v1/duties/hol-3-2-helsestasjon",
        json={"section_url": "ftp://lovdata.example/§3-2"},
        headers=node_admin,
    )
    assert response.status_code == 422
    assert "section_url" in response.get_json()["errors"]["json"]


def test_admin_moves_a_section_to_another_parent_and_back_to_the_top(client, world, db):
    from tests.registry.conftest import ORG_B, audit_count

    admin = world.auth("a_admin")
    school = client.post(AGENCIES, json={"name": "Skole"}, headers=admin).get_json()
    health = client.post(AGENCIES, json={"name": "Helse"}, headers=admin).get_json()
    section = client.post(
        AGENCIES, json={"name": "PPT", "parent_id": school["id"]}, headers=admin
    ).get_json()
    moved = client.patch(
        f"{AGENCIES}/{section['id']}", json={"parent_id": health["id"]}, headers=admin
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["parent_id"] == health["id"]
    # Not into another organisation's agency, nor into its own section: nothing changes.
    other = world.agencies["b_health"]
    audits = audit_count(db)
    for parent in (other, section["id"]):
        refused = client.patch(
            f"{AGENCIES}/{health['id'] if parent == section['id'] else section['id']}",
            json={"parent_id": parent},
            headers=admin,
        )
        assert refused.status_code == 422
    assert audit_count(db) == audits
    assert (
        client.get(f"{AGENCIES}/{section['id']}", headers=admin).get_json()["parent_id"]
        == (health["id"])
    )
    top = client.patch(f"{AGENCIES}/{section['id']}", json={"parent_id": None}, headers=admin)
    assert top.get_json()["parent_id"] is None
    assert ORG_B != ORG_A


def test_the_agencies_page_moves_a_section_and_refuses_a_cycle(client, db, world):
    from services.registry.organisations.models import Agency
    from tests.registry.conftest import audit_count
    from tests.registry.pages import sign_in, text_of

    admin = world.auth("a_admin")
    school = client.post(AGENCIES, json={"name": "Skole"}, headers=admin).get_json()
    section = client.post(
        AGENCIES, json={"name": "PPT", "parent_id": school["id"]}, headers=admin
    ).get_json()
    token = sign_in(client, db, "a_admin")
    page = client.get(f"/o/{ORG_A}/admin/agencies").get_data(as_text=True)
    assert f'action="/o/{ORG_A}/admin/agencies/{section["id"]}/move"' in page
    moved = client.post(
        f"/o/{ORG_A}/admin/agencies/{section['id']}/move",
        data={"csrf_token": token, "parent_id": world.agencies["a_health"]},
    )
    assert moved.status_code == 302
    agency = db.query(Agency).filter_by(public_id=section["id"]).one()
    assert agency.parent.public_id == world.agencies["a_health"]
    audits = audit_count(db)
    refused = client.post(
        f"/o/{ORG_A}/admin/agencies/{world.agencies['a_health']}/move",
        data={"csrf_token": token, "parent_id": section["id"]},
    )
    assert refused.status_code == 422
    assert "En etat kan ikke ligge inni seg selv." in text_of(refused)
    assert audit_count(db) == audits
    to_top = client.post(
        f"/o/{ORG_A}/admin/agencies/{section['id']}/move",
        data={"csrf_token": token, "parent_id": ""},
    )
    assert to_top.status_code == 302
    db.refresh(agency)
    assert agency.parent is None
