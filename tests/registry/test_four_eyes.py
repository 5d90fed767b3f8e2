"""An organisation's four-eyes rule: the registrar who submitted an offer may not publish it,
even when they hold the publisher role too; without the rule they may."""

from __future__ import annotations

from services.registry.accounts import services as accounts
from tests.registry.conftest import OPERATOR, ORG_A, audit_count
from tests.registry.test_lifecycle import act, create


def _both_roles(db, world) -> str:
    membership = accounts.add_member(
        db,
        OPERATOR,
        world.orgs[ORG_A],
        email="begge@example.org",
        name="Begge roller",
        roles=("registrar", "publisher"),
        agencies=[world.agencies["a_health"]],
    )
    issued = accounts.issue_token(db, OPERATOR, membership.user, world.orgs[ORG_A], "tests")
    world.tokens["both"] = issued.plaintext
    db.flush()
    return "both"


def _rule(client, world, on) -> dict:
    response = client.patch(
        f"/api/v1/organisations/{ORG_A}",
        json={"publisher_not_submitter": on},
        headers=world.auth("a_admin"),
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_the_submitter_cannot_publish_under_the_rule(client, world, db):
    both = _both_roles(db, world)
    assert _rule(client, world, True)["publisher_not_submitter"] is True
    offer = create(client, world, who=both).get_json()
    assert act(client, world, offer["id"], "submit", both).status_code == 200
    before = audit_count(db)
    refused = act(client, world, offer["id"], "publish", both)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == (
        "You submitted this offer, and your organisation requires another person to publish it."
    )
    assert audit_count(db) == before
    nb = client.post(
        f"/api/v1/offers/{offer['id']}/publish",
        json={},
        headers={**world.auth(both), "Accept-Language": "nb"},
    )
    assert "en annen person publiserer det" in nb.get_json()["message"]
    # Another publisher may.
    assert act(client, world, offer["id"], "publish", "a_publisher").status_code == 200


def test_without_the_rule_one_person_may_submit_and_publish(client, world, db):
    both = _both_roles(db, world)
    assert _rule(client, world, False)["publisher_not_submitter"] is False
    offer = create(client, world, who=both).get_json()
    act(client, world, offer["id"], "submit", both)
    assert act(client, world, offer["id"], "publish", both).status_code == 200


def test_only_an_administrator_sets_the_rule_and_only_to_true_or_false(client, world):
    response = client.patch(
        f"/api/v1/organisations/{ORG_A}",
        json={"publisher_not_submitter": True},
        headers=world.auth("a_publisher"),
    )
    assert response.status_code == 403
    response = client.patch(
        f"/api/v1/organisations/{ORG_A}",
        json={"publisher_not_submitter": "yes"},
        headers=world.auth("a_admin"),
    )
    assert response.status_code == 422
    assert _rule(client, world, False)["publisher_not_submitter"] is False


def test_an_administrator_turns_the_rule_on_and_off_on_the_agencies_page(client, world, db):
    from tests.registry.pages import sign_in, text_of

    token = sign_in(client, db, "a_admin")
    page = f"/o/{ORG_A}/admin/agencies"
    assert 'name="publisher_not_submitter" value="on" aria' in client.get(page).text
    on = client.post(
        f"/o/{ORG_A}/admin/review-rule",
        data={"csrf_token": token, "publisher_not_submitter": "on"},
    )
    assert on.status_code == 302
    db.expire_all()
    assert world.orgs[ORG_A].publisher_not_submitter is True
    assert "checked" in client.get(page).text
    assert "Regel for kvalitetssjekk" in text_of(client.get(f"{page}?lang=nb"))
    assert "den registreringsansvarlege som sende inn" in text_of(client.get(f"{page}?lang=nn"))
    assert "Another person than the registrar" in text_of(client.get(f"{page}?lang=en"))
    off = client.post(f"/o/{ORG_A}/admin/review-rule", data={"csrf_token": token})
    assert off.status_code == 302
    db.expire_all()
    assert world.orgs[ORG_A].publisher_not_submitter is False
