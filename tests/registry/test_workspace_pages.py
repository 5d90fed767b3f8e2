"""The coordination group's workspace: started from the method, edited by the people who do the
work, read by readers, audited on every change."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership
from services.registry.audit.models import AuditEntry
from services.registry.coordination import services as coordination
from services.registry.coordination.method import MANDATE_CHECKLIST, MANDATE_DUTIES
from services.registry.coordination.models import (
    AssessmentAnswer,
    CoordinationGroup,
    GroupMember,
    Initiative,
    MandateItem,
    MethodStep,
)
from services.registry.offers import services as offers
from tests.registry.conftest import OPERATOR, ORG_A, audit_count, offer_input
from tests.registry.pages import sign_in, text_of

WS = f"/o/{ORG_A}/workspace"


def _start(client, token):
    assert client.post(f"{WS}/start", data={"csrf_token": token}).status_code == 302


def test_starting_the_workspace_takes_the_method(client, db, world):
    token = sign_in(client, db, "a_registrar")
    assert "Start arbeidsrommet" in text_of(client.get(f"{WS}/"))
    _start(client, token)
    group = db.scalar(select(CoordinationGroup))
    items = db.scalars(select(MandateItem).where(MandateItem.group_id == group.id)).all()
    assert len(items) == len(MANDATE_DUTIES) + len(MANDATE_CHECKLIST) == 13
    assert db.scalar(select(func.count()).select_from(MethodStep)) == 6
    assert "Påse at kommunen har en godkjent plan" in text_of(client.get(f"{WS}/mandate"))
    assert "Sjå til at kommunen har ein godkjend plan" in text_of(
        client.get(f"{WS}/mandate?lang=nn")
    )
    # A second start is refused and changes nothing.
    assert client.post(f"{WS}/start", data={"csrf_token": token}).status_code == 409
    assert db.scalar(select(func.count()).select_from(CoordinationGroup)) == 1


def test_members_plans_and_the_audit_trail(client, db, world):
    token = sign_in(client, db, "a_publisher")
    _start(client, token)
    response = client.post(
        f"{WS}/members",
        data={
            "csrf_token": token,
            "name": "Hanne Helsesykepleier",
            "group_role": "chair",
            "agency": world.agencies["a_health"],
        },
    )
    assert response.status_code == 302
    member = db.scalar(select(GroupMember))
    assert (member.name, member.agency.name) == ("Hanne Helsesykepleier", "Helsestasjon")

    bad = client.post(f"{WS}/members", data={"csrf_token": token, "name": "", "group_role": "boss"})
    assert bad.status_code == 422
    assert "Fyll ut dette feltet." in text_of(bad) and "Velg et av alternativene." in text_of(bad)
    assert db.scalar(select(func.count()).select_from(GroupMember)) == 1

    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    offer = offers.create_offer(
        db, registrar, world.orgs[ORG_A], offer_input(world.agencies["a_health"]), "https://n.test"
    )
    db.flush()
    plan = {
        "csrf_token": token,
        "kind": "plan",
        "title": "Plan for barn og unges psykiske helse",
        "status": "active",
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
        "url": "https://example.org/plan.pdf",
        "offers": [offer.id],
    }
    refused = client.post(f"{WS}/plans", data=plan)
    assert refused.status_code == 422
    assert "Slutten er før starten." in text_of(refused)
    assert client.post(f"{WS}/plans", data={**plan, "ends_on": "2029-12-31"}).status_code == 302
    saved = db.scalar(select(Initiative))
    assert [o.id for o in saved.offers] == [offer.id]
    assert offer.name in text_of(client.get(f"{WS}/plans"))

    edit = client.post(
        f"{WS}/plans/{saved.id}", data={**plan, "ends_on": "2030-06-30", "status": "completed"}
    )
    assert edit.status_code == 302
    actions = db.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.target_type == "workspace")
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "workspace.started",
        "workspace.coordination_members.created",
        "workspace.initiatives.created",
        "workspace.initiatives.updated",
    ]
    assert (
        client.post(f"{WS}/plans/{saved.id}/delete", data={"csrf_token": token}).status_code == 302
    )
    assert db.scalar(select(func.count()).select_from(Initiative)) == 0


def test_mandate_steps_minutes_cycle_and_assessment(client, db, world):
    token = sign_in(client, db, "a_admin")
    _start(client, token)
    first = db.scalar(select(MandateItem).order_by(MandateItem.position))
    response = client.post(
        f"{WS}/mandate",
        data={"csrf_token": token, f"done-{first.id}": "on", f"note-{first.id}": "Se planoversikt"},
    )
    assert response.status_code == 302
    db.refresh(first)
    assert (first.done, first.note) == (True, "Se planoversikt")
    assert "1 av 13 punkter er på plass." in text_of(client.get(f"{WS}/mandate"))
    client.post(f"{WS}/mandate/add", data={"csrf_token": token, "text": "Møte to ganger i året"})
    own = db.scalar(select(MandateItem).where(MandateItem.method_key.is_(None)))
    # The method's points stay; the group's own may go.
    method_point = client.post(f"{WS}/mandate/{first.id}/delete", data={"csrf_token": token})
    assert method_point.status_code == 409
    assert (
        client.post(f"{WS}/mandate/{own.id}/delete", data={"csrf_token": token}).status_code == 302
    )

    step = {"csrf_token": token, "status": "in_progress", "started_on": "2026-02-01"}
    assert client.post(f"{WS}/steps/4", data=step).status_code == 302
    assert db.scalar(select(MethodStep.status).where(MethodStep.step == 4)) == "in_progress"
    assert client.post(f"{WS}/steps/9", data=step).status_code == 404

    minutes = {"csrf_token": token, "held_on": "2026-03-10", "title": "Møte 1", "minutes": "Ref."}
    assert client.post(f"{WS}/minutes", data=minutes).status_code == 302
    cycle = {
        "csrf_token": token,
        "month": "9",
        "title": "Rapport til kommunestyret",
        "kind": "report",
    }
    assert client.post(f"{WS}/cycle", data=cycle).status_code == 302
    page = text_of(client.get(f"{WS}/cycle"))
    assert "September" in page and "Rapport til kommunestyret" in page
    assert client.post(f"{WS}/cycle", data={**cycle, "month": "13"}).status_code == 422

    answer = {"csrf_token": token, "group.short": "Vi mangler tilbud for 18–23 år."}
    assert client.post(f"{WS}/assessment", data=answer).status_code == 302
    saved = db.scalar(select(AssessmentAnswer))
    assert (saved.question_key, saved.answer) == ("group.short", "Vi mangler tilbud for 18–23 år.")
    page = text_of(client.get(f"{WS}/assessment"))
    assert "Vi mangler tilbud for 18–23 år." in page
    assert "Ingen tilbud er kartlagt ennå" in page  # the world has no offers


def test_assessment_shows_the_pyramid_and_gaps(client, db, world):
    org, health, family = world.orgs[ORG_A], world.agencies["a_health"], world.agencies["a_family"]
    registrar = accounts.build_actor(db, accounts.get_user_by_email(db, "a_registrar@example.org"))
    for name, agency, level in (("A", health, 3), ("B", health, 3), ("C", health, 1)):
        offers.create_offer(db, registrar, org, offer_input(agency, name=name, level=level), "x")
    db.flush()
    token = sign_in(client, db, "a_reader")
    # Readers read the workspace but cannot start it.
    assert client.post(f"{WS}/start", data={"csrf_token": token}).status_code == 403
    sign_in(client, db, "a_admin")
    client.post(
        f"{WS}/start", data={"csrf_token": client.get("/api/v1/me").get_json()["csrf_token"]}
    )
    page = text_of(client.get(f"{WS}/assessment"))
    assert "Nivå 1, tilbud til alle, skal være grunnmuren" in page
    assert "Ingen tilbud på nivå 2." in page
    assert "Barn med skolefravær" in page.split("Risikogrupper uten noe tilbud")[1]
    assert "Ingen tilbud for alderen 0–5." in page
    assert family  # the family agency has no offers: no overlap between agencies
    assert "Ingen funnet." in page


def test_a_readers_post_is_refused_before_its_form_is_read(client, db, world):
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    coordination.start_workspace(db, admin, world.orgs[ORG_A], "Gruppa")
    db.flush()
    token = sign_in(client, db, "a_reader")
    before = audit_count(db)
    for path, form in (("steps/1", {"status": "nonsense"}), ("members", {"name": ""})):
        response = client.post(f"{WS}/{path}", data={"csrf_token": token, **form})
        assert response.status_code == 403, path
    assert audit_count(db) == before


def test_assessment_sums_the_resources_by_level_agency_and_risk_group(client, db, world):
    org, health, family = world.orgs[ORG_A], world.agencies["a_health"], world.agencies["a_family"]
    user = accounts.get_user_by_email(db, "a_registrar@example.org")
    [membership] = db.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    accounts.update_member(db, OPERATOR, membership, agencies=[health, family])
    db.flush()
    registrar = accounts.build_actor(db, user)
    # name, agency, level, staff, budget, risk groups
    mapped = (
        ("A", health, 1, 2.5, 1_200_000, ["bullying"]),
        ("B", health, 1, 1.25, None, []),
        ("C", health, 3, 4, 3_000_000, ["bullying", "trauma"]),
        ("D", family, 2, None, 800_000, ["trauma"]),
    )
    for name, agency, level, staff, budget, groups in mapped:
        content = offer_input(
            agency, name=name, level=level, staff_fte=staff, budget_nok=budget, risk_groups=groups
        )
        offers.create_offer(db, registrar, org, content, "x")
    db.flush()
    token = sign_in(client, db, "a_admin")
    client.post(f"{WS}/start", data={"csrf_token": token})
    html = client.get(f"{WS}/assessment?lang=en").get_data(as_text=True)
    rows = {
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html.split('id="resources-heading"')[1])
    }
    # Level: offers, staff, share of the staff (of 7.75), budget, share of the budget (of 5 M).
    assert "3. Help and treatment offers 1 4 52 % 3,000,000 60 %" in rows
    assert "2. Offers for those who need more support 1 0 0 % 800,000 16 %" in rows
    assert "1. Offers for all children and youth 2 3.75 48 % 1,200,000 24 %" in rows
    assert "All levels 4 7.75 100 % 5,000,000 100 %" in rows
    # Agency: offers, staff, budget, without staff, without budget.
    assert "Helsestasjon 3 7.75 4,200,000 0 1" in rows
    assert "Familiens hus 1 0 800,000 1 0" in rows
    # Risk groups: C in both rows.
    assert "Children exposed to or practising bullying 2 6.5 4,200,000 0 0" in rows
    assert "Children exposed to trauma (loss, accident) 2 4 3,800,000 1 0" in rows
    page = text_of(client.get(f"{WS}/assessment?lang=nb"))
    assert "1 tilbud har ingen registrerte årsverk og 1 intet registrert budsjett" in page
    assert "Ressurser per nivå" in page and "1 200 000" in page.replace("\xa0", " ")
