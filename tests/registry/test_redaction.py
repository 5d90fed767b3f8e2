"""Removing personal data from an offer's published versions, in the registry: the API and the
confirmed page action (publishers only), what is rewritten (versions, log rows re-signed by
their own key, the snapshot, the working copy, the audit trail), the signed redaction event;
and a withdrawal that carries no contact."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.audit.models import AuditEntry
from services.registry.offers.models import Offer, OfferVersion
from shared.publication import keys
from shared.publication.events import check_redaction, check_signature
from shared.publication.keys import entry_event, verification_keys
from shared.publication.models import LogEntry, PublishedOffer
from shared.publication.schema import load_offer_version
from tests.conftest import TEST_PASSPHRASE
from tests.registry.conftest import ORG_A, audit_count, offer_input
from tests.registry.pages import sign_in, text_of

PERSON = {"name": "Kari Nordmann", "email": "kari.nordmann@example.org", "phone": "912 34 567"}
WEB_PAGE = "https://www.example.org/helsestasjon"


def _published(client, world, **overrides) -> dict:
    """An offer naming a person as contact, published, revised and published again."""
    contact = {**PERSON, "url": WEB_PAGE}
    offer = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], contact=contact, **overrides),
        headers=world.auth("a_registrar"),
    ).get_json()
    for schedule in (None, "Tirsdager 14–17."):
        if schedule:
            client.patch(
                f"/api/v1/offers/{offer['id']}",
                json={"schedule": schedule},
                headers=world.auth("a_registrar"),
            )
        _act(client, world, offer["id"], "submit", "a_registrar")
        _act(client, world, offer["id"], "publish", "a_publisher")
    return offer


def _act(client, world, offer_id, action, who, status=200):
    response = client.post(f"/api/v1/offers/{offer_id}/{action}", json={}, headers=world.auth(who))
    assert response.status_code == status, response.get_data(as_text=True)
    return response


def _rows(db: Session, uri: str) -> list[LogEntry]:
    return list(
        db.scalars(select(LogEntry).where(LogEntry.offer_uri == uri).order_by(LogEntry.seq))
    )


def test_a_withdrawal_carries_no_contact(client, world, db):
    offer = _published(client, world)
    _act(client, world, offer["id"], "withdraw", "a_publisher")
    withdrawal = _rows(db, offer["uri"])[-1]
    assert withdrawal.event_type == "no.nettungen.offer.withdrawn"
    document = json.loads(withdrawal.snapshot)
    assert document["contact"] == {}
    # The contract and every consumer's loading of it accept that.
    assert load_offer_version(withdrawal.snapshot)["contact"] == {}


def test_the_publisher_removes_the_contact_from_every_version_and_the_node_announces_it(
    client, world, db
):
    offer = _published(client, world)
    [first, second] = _rows(db, offer["uri"])
    before = {row.seq: (row.event_id, row.key_id, row.signature) for row in (first, second)}
    # The node rotates its key between the versions and the redaction: each rewritten row is
    # signed again by the key that signed it first, so it verifies where the original did.
    with db.begin_nested():
        keys.rotate_key(db, keys.Signer(TEST_PASSPHRASE), "https://node.test")
    count = audit_count(db)

    answer = _act(client, world, offer["id"], "redact", "a_publisher").get_json()

    assert answer["contact"] == {"url": WEB_PAGE}
    assert audit_count(db) == count + 1
    db.expire_all()
    rows = _rows(db, offer["uri"])
    node_keys = verification_keys(db)
    for row in rows:
        document = json.loads(row.snapshot)
        assert document["contact"] == {"url": WEB_PAGE}
        event_id, key_id, signature = before[row.seq]
        assert (row.event_id, row.key_id) == (event_id, key_id)
        assert row.signature != signature
        check_signature(entry_event(row), node_keys, "https://node.test")
    versions = db.scalars(select(OfferVersion).where(OfferVersion.offer_id == offer["id"])).all()
    assert [json.loads(v.snapshot)["contact"] for v in versions] == [{"url": WEB_PAGE}] * 2
    snapshot = db.get(PublishedOffer, offer["uri"])
    assert json.loads(snapshot.snapshot)["contact"] == {"url": WEB_PAGE}
    assert db.get(Offer, offer["id"]).contact == {"url": WEB_PAGE}
    # The redaction event: last in the log, signed by the active key, naming the offer.
    redaction = db.scalars(select(LogEntry).order_by(LogEntry.seq.desc()).limit(1)).one()
    event = entry_event(redaction)
    assert event["type"] == "no.nettungen.offer.redacted"
    assert event["subject"] == f"{offer['uri']}/redactions/{redaction.seq}"
    assert check_redaction(event, node_keys, "https://node.test") == (offer["uri"], 2)
    # Nothing of the person is left in the registry's record of the offer either.
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.target_id == offer["id"]).order_by(AuditEntry.id)
    ).all()
    assert entries[-1].action == "offer.redacted"
    assert entries[-1].changes == {"redacted_versions": [None, [1, 2]]}
    trail = json.dumps([e.changes for e in entries], ensure_ascii=False)
    assert "Kari" not in trail and "kari.nordmann" not in trail and "912 34 567" not in trail
    history = client.get(
        f"/api/v1/offers/{offer['id']}/history", headers=world.auth("a_publisher")
    ).get_data(as_text=True)
    assert "Kari" not in history


def test_redaction_is_for_the_publisher_of_a_published_offer_and_can_be_repeated(client, world, db):
    offer = _published(client, world)
    _act(client, world, offer["id"], "redact", "a_registrar", status=403)
    _act(client, world, offer["id"], "redact", "b_publisher", status=404)  # not theirs
    _act(client, world, offer["id"], "redact", "a_publisher")
    signatures = [row.signature for row in _rows(db, offer["uri"])]
    _act(client, world, offer["id"], "redact", "a_publisher")  # again: announced again
    db.expire_all()
    assert [row.signature for row in _rows(db, offer["uri"])] == signatures
    redactions = db.scalars(
        select(LogEntry).where(LogEntry.event_type == "no.nettungen.offer.redacted")
    ).all()
    assert len(redactions) == 2
    draft = client.post(
        f"/api/v1/organisations/{ORG_A}/offers",
        json=offer_input(world.agencies["a_health"], contact=PERSON),
        headers=world.auth("a_registrar"),
    ).get_json()
    refused = _act(client, world, draft["id"], "redact", "a_publisher", status=409)
    assert "never been published" in refused.get_json()["message"]


def test_the_page_action_asks_for_confirmation_in_every_language(client, world, db):
    offer = _published(client, world)
    csrf = sign_in(client, db, "a_publisher")
    page = f"/o/{ORG_A}/offers/{offer['id']}/redact"
    assert "Fjern personopplysninger fra publiserte versjoner" in text_of(client.get(page))
    assert "Fjern personopplysningar frå publiserte versjonar" in text_of(
        client.get(f"{page}?lang=nn")
    )
    assert "Remove personal data from published versions" in text_of(client.get(f"{page}?lang=en"))
    detail = client.get(f"/o/{ORG_A}/offers/{offer['id']}").get_data(as_text=True)
    assert page in detail
    unconfirmed = client.post(page, data={"csrf_token": csrf})
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm" in text_of(unconfirmed)  # the language chosen last
    assert db.get(Offer, offer["id"]).contact["email"] == PERSON["email"]
    done = client.post(page, data={"csrf_token": csrf, "confirm": "yes", "comment": "Krav"})
    assert done.status_code == 302
    db.expire_all()
    assert db.get(Offer, offer["id"]).contact == {"url": WEB_PAGE}


def test_a_reason_in_words_from_before_the_codes_goes_with_the_contact(client, world, db):
    """A version published when the reason was free text (here written into the stored rows
    as such a node would have them) loses the text; a coded reason is kept."""
    offer = _published(client, world, no_contact_reason="outreach")
    worded = "Ring Kari på 912 34 567."
    with db.begin_nested():
        first = _rows(db, offer["uri"])[0]
        first.snapshot = json.dumps({**json.loads(first.snapshot), "no_contact_reason": worded})
        db.add(
            AuditEntry(
                actor_label="a registrar, before the codes",
                action="offer.updated",
                target_type="offer",
                target_id=offer["id"],
                organisation_id=db.get(Offer, offer["id"]).organisation_id,
                changes={"no_contact_reason": [worded, "outreach"]},
            )
        )
    _act(client, world, offer["id"], "redact", "a_publisher")
    db.expire_all()
    first, second = _rows(db, offer["uri"])
    assert json.loads(first.snapshot)["no_contact_reason"] is None
    assert json.loads(second.snapshot)["no_contact_reason"] == "outreach"
    assert db.get(Offer, offer["id"]).no_contact_reason == "outreach"
    trail = db.scalars(select(AuditEntry.changes).where(AuditEntry.target_id == offer["id"]))
    assert "Kari" not in json.dumps(list(trail), ensure_ascii=False)


def test_the_redaction_is_audited_and_an_unknown_or_foreign_offer_is_not_found(db):
    """Found by mutation testing (docs/testing.md): the redaction's own audit entry, and the
    404 with its words, called as the API calls it."""
    from services.registry.offers.redaction import redact_offer
    from shared.errors import NotFound
    from tests.publisher.node import NodeBuilder

    node = NodeBuilder(db)
    offer_id = node.publish(contact={**PERSON, "url": WEB_PAGE})
    home, stranger = node.provider("municipality"), node.provider("county")
    for who, target, code in (
        (home.publisher, "no-such-offer", "offer.not_found"),
        (stranger.publisher, offer_id, "not_found"),  # another organisation's: as if none
    ):
        with pytest.raises(NotFound) as missing:
            redact_offer(db, who, target, signer=node.signer)
        assert (missing.value.code, str(missing.value)) == (code, "Offer not found.")
    redact_offer(db, home.publisher, offer_id, "Etter ønske fra Kari", signer=node.signer)
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "offer.redacted")).one()
    assert (entry.target_type, entry.target_id, entry.organisation_id, entry.comment) == (
        "offer",
        offer_id,
        home.organisation.id,
        "Etter ønske fra Kari",
    )
    assert entry.changes == {"redacted_versions": [None, [1]]}
