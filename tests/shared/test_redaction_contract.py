"""The redaction event of the publication contract: what a consumer accepts and refuses, and
which fields of a version are personal."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from shared.publication import EVENT_REDACTED
from shared.publication.events import (
    EventRejected,
    UnknownKey,
    check_event,
    check_redaction,
    routing_keys,
    signing_input,
    unsigned_event,
)
from shared.publication.redaction import has_personal_data, redact_json, without_personal_data
from shared.publication.schema import canonical_json
from shared.signing import VerificationKey, generate_private_key, key_id, public_bytes, sign

BASE = "https://node.test"
OFFER = f"{BASE}/offers/4f1c2d"
FIELDS = ["contact.email", "contact.name", "contact.phone"]


@pytest.fixture(scope="module")
def signer():
    private = generate_private_key()
    public = public_bytes(private)
    return private, {key_id(public): VerificationKey(key_id(public), public)}


def _event(signer, seq: int = 7, subject: str | None = None, **data):
    private, keys = signer
    document = {"offer": OFFER, "through_version": 3, "fields": FIELDS, **data}
    event = unsigned_event(
        event_id=str(uuid.uuid4()),
        event_type=EVENT_REDACTED,
        subject=subject or f"{OFFER}/redactions/{seq}",
        sequence=seq,
        time=dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC),
        snapshot=canonical_json(document),
        key_id=next(iter(keys)),
    )
    event["signature"] = sign(private, signing_input(event))
    return event


def test_a_redaction_names_the_offer_and_how_far(signer):
    event = _event(signer)
    assert event["source"] == BASE
    assert event["dataschema"] == "https://w3id.org/nettungen/schema/offer-redaction/1"
    assert check_redaction(event, signer[1], BASE) == (OFFER, 3)
    # It is no offer version, and it goes to every binding of the national key.
    with pytest.raises(EventRejected, match="a redaction, not an offer version"):
        check_event(event, signer[1], BASE)
    assert routing_keys(EVENT_REDACTED, []) == ["redacted.all.all"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"offer": "https://other.test/offers/4f1c2d"}, "another node"),
        ({"through_version": 0}, "out of range"),
        ({"through_version": "3"}, "a version number"),
        ({"through_version": True}, "a version number"),
        ({"fields": ["contact.url"]}, "removes the fields"),
        ({"extra": 1}, "has exactly"),
    ],
)
def test_a_malformed_redaction_is_refused(signer, changes, reason):
    with pytest.raises(EventRejected, match=reason):
        check_redaction(_event(signer, **changes), signer[1], BASE)


def test_a_redaction_must_be_at_its_own_uri_and_signed_by_a_known_key(signer):
    elsewhere = _event(signer, subject=f"{OFFER}/redactions/6")
    with pytest.raises(EventRejected, match="subject"):
        check_redaction(elsewhere, signer[1], BASE)
    with pytest.raises(UnknownKey):
        check_redaction(_event(signer), {}, BASE)
    tampered = {**_event(signer), "data": {"offer": OFFER, "through_version": 1, "fields": FIELDS}}
    with pytest.raises(EventRejected, match="signature"):
        check_redaction(tampered, signer[1], BASE)


def test_the_personal_fields_are_the_contacts_name_email_and_phone():
    version = {
        "name": "Helsestasjon",
        "responsible_role": "Leder",
        "contact": {"name": "Kari", "email": "k@example.org", "phone": "1", "url": "https://x"},
    }
    assert has_personal_data(version)
    assert without_personal_data(version) == {
        "name": "Helsestasjon",
        "responsible_role": "Leder",
        "contact": {"url": "https://x"},
    }
    assert version["contact"]["name"] == "Kari"  # a copy, the original is left as it was
    assert not has_personal_data({"contact": {"name": None, "email": "", "url": "https://x"}})
    assert redact_json(canonical_json({"contact": {"url": "https://x"}})) is None
    assert redact_json(canonical_json(version)) == canonical_json(without_personal_data(version))
    assert redact_json("not json") is None


def test_a_reason_in_words_from_before_the_codes_is_personal_a_code_is_not():
    desk = {"contact": {"url": "https://x"}}
    worded = {**desk, "no_contact_reason": "Ring Kari på 912 34 567."}
    assert has_personal_data(worded)
    assert without_personal_data(worded) == {**desk, "no_contact_reason": None}
    assert redact_json(canonical_json(worded)) == canonical_json(
        {**desk, "no_contact_reason": None}
    )
    coded = {**desk, "no_contact_reason": "referral_only"}
    assert not has_personal_data(coded)
    assert without_personal_data(coded) == coded
    assert redact_json(canonical_json(coded)) is None
    assert not has_personal_data({**desk, "no_contact_reason": ""})
