"""Who is told what as offers move through review, the weekly digest, and each person's mail
settings page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor, Role
from services.registry.mail import notifications
from services.registry.mail import services as mail
from services.registry.mail.models import OutboxMail
from services.registry.offers import services as offers
from shared.db import utcnow
from tests.registry.conftest import ORG_A, offer_input
from tests.registry.pages import sign_in, text_of

BASE = "http://127.0.0.1:8010"  # REGISTRY_BASE_URL's default, as the test app runs


def outbox(db, template=None):
    query = select(OutboxMail).order_by(OutboxMail.id)
    if template:
        query = query.where(OutboxMail.template == template)
    return db.scalars(query).all()


def submitted_offer(client, world) -> str:
    created = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"]),
        headers=world.auth("a_registrar"),
    )
    offer_id = created.get_json()["id"]
    answer = client.post(
        f"/api/v1/offers/{offer_id}/submit", json={}, headers=world.auth("a_registrar")
    )
    assert answer.status_code == 200
    return offer_id


def act(client, world, offer_id, action, comment=None):
    body = {"comment": comment} if comment else {}
    answer = client.post(
        f"/api/v1/offers/{offer_id}/{action}", json=body, headers=world.auth("a_publisher")
    )
    assert answer.status_code == 200, answer.get_json()


def test_a_submission_tells_the_organisations_publishers_with_a_working_link(client, world, db):
    offer_id = submitted_offer(client, world)
    (sent,) = outbox(db)
    # Only Drammen's publisher: not Lier's, not the registrar who submitted.
    assert sent.to_address == "a_publisher@example.org" and sent.template == "review_requested"
    assert sent.optional and sent.status == "pending" and sent.language == "nb"
    assert sent.subject == "Til kvalitetssjekk: Helsestasjon for ungdom"
    link = f"{BASE}/o/{ORG_A}/review/{offer_id}"
    assert link in sent.body_text and f'href="{link}"' in sent.body_html
    assert "a_registrar har sendt tilbudet" in sent.body_text
    sign_in(client, db, "a_publisher")
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and "Helsestasjon for ungdom" in text_of(page)


def test_a_publisher_limited_to_other_agencies_is_not_told(client, world, db):
    publisher = accounts.get_user_by_email(db, "a_publisher@example.org")
    membership = publisher.memberships[0]
    membership.agencies = [
        a for a in world.orgs[ORG_A].agencies if a.public_id == world.agencies["a_family"]
    ]
    db.flush()
    submitted_offer(client, world)
    assert outbox(db) == []


def test_sent_back_and_published_tell_the_registrar_who_submitted(client, world, db):
    offer_id = submitted_offer(client, world)
    act(client, world, offer_id, "send-back", "Skriv inn åpningstidene.")
    (back,) = outbox(db, "sent_back")
    assert back.to_address == "a_registrar@example.org"
    assert (
        "Skriv inn åpningstidene." in back.body_text
        and "Skriv inn åpningstidene." in back.body_html
    )
    assert f"{BASE}/o/{ORG_A}/offers/{offer_id}" in back.body_text
    client.post(f"/api/v1/offers/{offer_id}/submit", json={}, headers=world.auth("a_registrar"))
    act(client, world, offer_id, "publish")
    (published,) = outbox(db, "published")
    assert published.to_address == "a_registrar@example.org"
    assert published.subject == "Publisert: Helsestasjon for ungdom"


def test_each_person_gets_mails_in_their_language_and_only_those_they_want(client, world, db):
    registrar = accounts.get_user_by_email(db, "a_registrar@example.org")
    publisher = accounts.get_user_by_email(db, "a_publisher@example.org")
    mail.save_preferences(db, accounts.build_actor(db, publisher), "nn", set(mail.OPTIONAL_KINDS))
    mail.save_preferences(
        db, accounts.build_actor(db, registrar), "en", set(mail.OPTIONAL_KINDS) - {"sent_back"}
    )
    db.flush()
    offer_id = submitted_offer(client, world)
    act(client, world, offer_id, "send-back", "Mangler adresse.")
    review, back = outbox(db)
    assert review.language == "nn" and "har sendt tilbodet" in review.body_text
    assert back.language == "en" and back.status == mail.SKIPPED


def test_the_weekly_digest_lists_each_registrars_overdue_offers(world, db):
    today = dt.date.today()
    org = world.orgs[ORG_A]
    # Registers offers in every agency of Drammen's, as no one person of the test world may.
    registrar_everywhere = Actor(
        user_id=None,
        label="test",
        roles={org.id: frozenset({Role.REGISTRAR})},
        agencies={org.id: frozenset(a.id for a in org.agencies)},
    )
    for name, agency, reviewed in (
        ("Gammelt tilbud", "a_health", today - dt.timedelta(days=800)),
        ("Ferskt tilbud", "a_health", today),
        ("Familietilbud", "a_family", today - dt.timedelta(days=800)),
    ):
        offer = offers.create_offer(
            db,
            registrar_everywhere,
            world.orgs[ORG_A],
            offer_input(world.agencies[agency], name=name),
            "https://node.test",
        )
        offer.last_reviewed = reviewed
    db.flush()
    now = utcnow()
    assert notifications.review_digests(db, today, now) == 1
    (digest,) = outbox(db, "review_digest")
    # Only the registrar of the health station's agency, and only its overdue offer.
    assert digest.to_address == "a_registrar@example.org"
    assert "Gammelt tilbud" in digest.body_text
    assert "Ferskt tilbud" not in digest.body_text and "Familietilbud" not in digest.body_text
    assert f"{BASE}/o/{ORG_A}/offers/" in digest.body_text
    # Once a week, however often the job runs.
    assert notifications.review_digests(db, today, now + dt.timedelta(days=1)) == 0
    assert notifications.review_digests(db, today, now + dt.timedelta(days=7)) == 1


def test_the_mail_settings_page_saves_a_persons_choice(client, world, db):
    csrf = sign_in(client, db, "a_registrar")
    page = client.get("/account/mail?lang=nn")
    assert page.status_code == 200
    assert "E-postinnstillingar" in text_of(page) and "checked" in page.get_data(as_text=True)
    answer = client.post(
        "/account/mail",
        data={"csrf_token": csrf, "language": "en", "kinds": ["published", "review_digest"]},
    )
    assert answer.status_code == 302
    registrar = accounts.get_user_by_email(db, "a_registrar@example.org")
    assert mail.mail_language(db, registrar.id) == "en"
    assert mail.wants_mail(db, registrar.id, "published")
    assert not mail.wants_mail(db, registrar.id, "sent_back")


def test_bad_input_on_the_mail_settings_page_changes_nothing(client, world, db):
    csrf = sign_in(client, db, "a_registrar")
    registrar = accounts.get_user_by_email(db, "a_registrar@example.org")
    for data in (
        {"language": "de", "kinds": ["published"]},
        {"language": "nn", "kinds": ["published", "everything"]},
        {"kinds": ["published"]},
    ):
        answer = client.post("/account/mail", data={"csrf_token": csrf, **data})
        assert answer.status_code == 400
        assert "Nothing was changed" in text_of(answer) or "Ingenting ble endret" in text_of(answer)
    assert mail.preference(db, registrar.id) is None


def test_a_refused_transition_writes_no_mail(client, world, db):
    offer_id = submitted_offer(client, world)
    again = client.post(
        f"/api/v1/offers/{offer_id}/submit", json={}, headers=world.auth("a_registrar")
    )
    assert again.status_code == 409
    refused = client.post(
        f"/api/v1/offers/{offer_id}/send-back", json={}, headers=world.auth("a_publisher")
    )
    assert refused.status_code == 422  # a send-back needs a comment
    assert [m.template for m in outbox(db)] == ["review_requested"]
