"""The event log of the publication contract (shared.publication.events) at its edges: the
envelope a node writes, the sequence numbers' range, the routing keys of every kind of area,
and each refusal of a consumer by its reason.

Every expectation is written by hand from the contract (docs/ARCHITECTURE.md, the module's
docstring): the field values, the 20-digit sequence, 2**63 - 1 as the largest sequence.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from typing import Any

import pytest

from shared.publication import EVENT_KEY_ROTATED, EVENT_PUBLISHED, EVENT_REDACTED, EVENT_WITHDRAWN
from shared.publication.events import (
    EventRejected,
    UnknownKey,
    check_event,
    check_key_rotation,
    check_redaction,
    check_signature,
    format_sequence,
    format_time,
    routing_keys,
    sequence_of,
    signing_input,
    unsigned_event,
)
from shared.publication.redaction import redaction_data
from shared.publication.schema import canonical_json
from shared.signing import (
    VerificationKey,
    b64url,
    generate_private_key,
    key_id,
    public_bytes,
    sign,
)
from tests.shared.test_publication_schema import WIRE

BASE = "https://registry.drammen.example"
OFFER_ID = "6f1c2d3e-0000-4000-8000-000000000001"
OFFER = f"{BASE}/offers/{OFFER_ID}"
EVENT_ID = "0b7e3a52-52a4-4e8b-9f61-3c1e0f6d2a10"
NOON = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)


class Signer:
    def __init__(self, last_sequence: int | None = None) -> None:
        self.private = generate_private_key()
        self.public = public_bytes(self.private)
        self.key_id = key_id(self.public)
        self.keys = {self.key_id: VerificationKey(self.key_id, self.public, last_sequence)}

    def signed(self, event: dict[str, Any]) -> dict[str, Any]:
        event = {k: v for k, v in event.items() if k != "signature"}
        event["signature"] = sign(self.private, signing_input(event))
        return event


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer()


def version(**changes: Any) -> dict[str, Any]:
    return {**copy.deepcopy(WIRE), "uri": OFFER, "id": OFFER_ID, **changes}


def event(signer: Signer, kind: str = EVENT_PUBLISHED, seq: int = 7, **changes: Any) -> dict:
    data = changes.pop("data", None)
    if data is None:
        data = version(status="withdrawn" if kind == EVENT_WITHDRAWN else "published")
    unsigned = unsigned_event(
        event_id=EVENT_ID,
        event_type=kind,
        subject=changes.pop("subject", OFFER),
        sequence=seq,
        time=NOON,
        snapshot=canonical_json(data),
        key_id=signer.key_id,
    )
    return signer.signed({**unsigned, **changes})


# --- what a node writes -------------------------------------------------------------------


def test_times_are_written_in_utc_with_microseconds():
    oslo = dt.timezone(dt.timedelta(hours=2))
    assert format_time(dt.datetime(2026, 3, 29, 1, 30, tzinfo=oslo)) == (
        "2026-03-28T23:30:00.000000Z"
    )
    assert format_time(dt.datetime(2026, 12, 7, 12, 0, 5, 123, tzinfo=dt.UTC)) == (
        "2026-12-07T12:00:05.000123Z"
    )


def test_sequences_are_twenty_digits_so_they_order_as_text():
    assert format_sequence(7) == "00000000000000000007"
    assert format_sequence(2**63 - 1) == "09223372036854775807"


def test_the_envelope_of_a_version_and_of_a_key_rotation(signer):
    published = unsigned_event(
        event_id=EVENT_ID,
        event_type=EVENT_PUBLISHED,
        subject=OFFER,
        sequence=12,
        time=NOON,
        snapshot='{"a":1}',
        key_id="k1",
    )
    assert published == {
        "specversion": "1.0",
        "id": EVENT_ID,
        "source": BASE,
        "type": "no.nettungen.offer.published",
        "subject": OFFER,
        "time": "2026-12-07T12:00:00.000000Z",
        "datacontenttype": "application/json",
        "dataschema": "https://w3id.org/nettungen/schema/offer-version/1",
        "sequence": "00000000000000000012",
        "signingkey": "k1",
        "data": {"a": 1},
    }
    rotated = unsigned_event(
        event_id=EVENT_ID,
        event_type=EVENT_KEY_ROTATED,
        subject=f"{BASE}/keys/k2",
        sequence=13,
        time=NOON,
        snapshot="{}",
        key_id="k1",
    )
    assert (rotated["source"], rotated["dataschema"]) == (
        BASE,
        "https://w3id.org/nettungen/schema/key-rotation/1",
    )


def test_the_signing_input_is_the_canonical_json_without_the_signature():
    assert signing_input({"b": "ø", "signature": "x", "a": [1, 2]}) == (
        '{"a":[1,2],"b":"ø"}'.encode()
    )


# --- routing keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "coverage", "keys"),
    [
        (EVENT_PUBLISHED, ["3301"], ["published.33.3301"]),
        (EVENT_WITHDRAWN, ["33"], ["withdrawn.33.all"]),
        (EVENT_PUBLISHED, ["NO"], ["published.all.all"]),
        (
            EVENT_PUBLISHED,
            ["bufetat-sor"],
            ["published.33.all", "published.39.all", "published.40.all", "published.42.all"],
        ),
        # Each key once, in the order of the coverage.
        (
            EVENT_PUBLISHED,
            ["33", "3301", "bufetat-sor"],
            [
                "published.33.all",
                "published.33.3301",
                "published.39.all",
                "published.40.all",
                "published.42.all",
            ],
        ),
        (EVENT_KEY_ROTATED, [], ["keyrotated.all.all"]),
        # An area no longer in the classification is skipped; with nothing left, the
        # national key.
        (EVENT_PUBLISHED, ["9999"], ["published.all.all"]),
        (EVENT_PUBLISHED, ["9999", "0301"], ["published.03.0301"]),
    ],
)
def test_routing_keys(kind, coverage, keys):
    assert routing_keys(kind, coverage) == keys


# --- sequence numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("00000000000000000007", 7),
        ("9223372036854775807", 2**63 - 1),
        ("09223372036854775807", 2**63 - 1),
    ],
)
def test_sequences_up_to_the_largest_64_bit_integer_are_read(text, value):
    assert sequence_of({"sequence": text}) == value


@pytest.mark.parametrize(
    "text",
    ["9223372036854775808", "000000000000000000007", "", "-1", " 7", "7 ", "+7", "٧", 7, None],
)
def test_other_sequences_are_refused(text):
    with pytest.raises(EventRejected) as refused:
        sequence_of({"sequence": text})
    assert str(refused.value) == "the event has no valid 'sequence'"


# --- the envelope, by reason ----------------------------------------------------------------


def refusal(call: Any) -> str:
    with pytest.raises(EventRejected) as refused:
        call()
    return str(refused.value)


def test_a_well_formed_event_passes_and_returns_its_version(signer):
    good = event(signer)
    assert check_event(good, signer.keys, BASE)["uri"] == OFFER
    # Without an expected source (a node checking its own log) any source will do.
    check_signature(good, signer.keys, None)
    # The signing input may be handed in, and it is what is verified.
    check_signature(good, signer.keys, BASE, signing_input(good))
    assert refusal(lambda: check_signature(good, signer.keys, BASE, b"{}")) == (
        "the signature does not match the event"
    )


@pytest.mark.parametrize(
    "name", ["id", "source", "type", "subject", "time", "signingkey", "signature"]
)
def test_every_envelope_field_is_a_string(signer, name):
    good = event(signer)
    for value in (None, 7, ["x"]):
        broken = {**good, name: value}
        assert refusal(lambda e=broken: check_event(e, signer.keys, BASE)) == (
            f"the event has no valid {name!r}"
        )
    missing = {k: v for k, v in good.items() if k != name}
    assert refusal(lambda: check_event(missing, signer.keys, BASE)) == (
        f"the event has no valid {name!r}"
    )


def test_envelope_refusals_say_why(signer):
    good = event(signer)

    def refused(**changes: Any) -> str:
        return refusal(lambda: check_event({**good, **changes}, signer.keys, BASE))

    assert refusal(lambda: check_event([good], signer.keys, BASE)) == "an event is a JSON object"
    assert refused(specversion="0.3") == "not a CloudEvents 1.0 event"
    assert refused(specversion=None) == "not a CloudEvents 1.0 event"
    assert refused(id=EVENT_ID.upper()) == "the event's id is not a UUID in its canonical form"
    assert refused(id="0b7e3a5252a44e8b9f613c1e0f6d2a10") == (
        "the event's id is not a UUID in its canonical form"
    )
    assert refused(id="not a uuid") == "the event's id is not a UUID in its canonical form"
    assert refused(type="no.nettungen.offer.deleted") == (
        "unknown event type 'no.nettungen.offer.deleted'"
    )
    assert refusal(lambda: check_event(good, signer.keys, "https://other.example")) == (
        f"the event comes from '{BASE}', not 'https://other.example'"
    )
    assert refused(signingkey="nokey") == "unknown signing key 'nokey'"
    with pytest.raises(UnknownKey):
        check_event({**good, "signingkey": "nokey"}, signer.keys, BASE)
    assert refused(time="2026-12-07T12:00:01.000000Z") == "the signature does not match the event"


def test_a_rotated_out_key_signs_up_to_its_last_sequence():
    retired = Signer(last_sequence=6)
    assert check_event(event(retired, seq=6), retired.keys, BASE)["uri"] == OFFER
    assert refusal(lambda: check_event(event(retired, seq=7), retired.keys, BASE)) == (
        f"key {retired.key_id} was rotated out after sequence 6; it cannot sign sequence 7"
    )


def test_the_version_must_agree_with_its_envelope(signer):
    def refused(kind: str = EVENT_PUBLISHED, **changes: Any) -> str:
        return refusal(lambda: check_event(event(signer, kind, **changes), signer.keys, BASE))

    assert refused(data=version(status="withdrawn")) == (
        "the event type disagrees with the version's status"
    )
    assert refused(EVENT_WITHDRAWN, data=version(status="published")) == (
        "the event type disagrees with the version's status"
    )
    withdrawn = check_event(event(signer, EVENT_WITHDRAWN), signer.keys, BASE)
    assert withdrawn["status"] == "withdrawn"
    other = f"{BASE}/offers/6f1c2d3e-0000-4000-8000-000000000002"
    assert refused(subject=other) == (
        "the offer version does not belong to the event's subject and source"
    )
    # The same offer at another node: subject and data agree, the source does not.
    elsewhere = "https://registry.kongsberg.example/offers/" + OFFER_ID
    assert refused(subject=elsewhere, data=version(uri=elsewhere), source=BASE) == (
        "the offer version does not belong to the event's subject and source"
    )
    # A version whose URI is no offer URI has no source to agree with.
    odd_uri = f"{BASE}/tilbud/{OFFER_ID}"
    odd = signer.signed({**event(signer), "subject": odd_uri, "data": version(uri=odd_uri)})
    assert refusal(lambda: check_event(odd, signer.keys, BASE)) == (
        "the offer version does not belong to the event's subject and source"
    )
    assert refused(data=version(age_min=30)).startswith("the offer version fails the contract: {")
    assert refused(EVENT_KEY_ROTATED, subject=f"{BASE}/keys/k2") == (
        "a key rotation, not an offer version"
    )
    assert refused(EVENT_REDACTED, subject=f"{OFFER}/redactions/7") == (
        "a redaction, not an offer version"
    )


# --- key rotations --------------------------------------------------------------------------


def rotation(signer: Signer, new: bytes, **data: Any) -> dict[str, Any]:
    new_id = key_id(new)
    announced = {
        "key_id": new_id,
        "public_key": b64url(new),
        "previous_key_id": signer.key_id,
        **data,
    }
    subject = f"{BASE}/keys/{announced['key_id']}"
    return event(signer, EVENT_KEY_ROTATED, subject=subject, data=announced)


def test_a_key_rotation_announces_the_new_key(signer):
    new = public_bytes(generate_private_key())
    announced = check_key_rotation(rotation(signer, new), signer.keys, BASE)
    assert announced == VerificationKey(key_id(new), new, None)


def test_a_malformed_key_rotation_is_refused_by_reason(signer):
    new = public_bytes(generate_private_key())

    def refused(rotated: dict[str, Any]) -> str:
        return refusal(lambda: check_key_rotation(rotated, signer.keys, BASE))

    assert refused(event(signer)) == "not a key rotation"
    fields = "a key rotation has exactly ['key_id', 'previous_key_id', 'public_key']"
    assert refused(rotation(signer, new, extra="x")) == fields
    assert refused(rotation(signer, new, previous_key_id=7)) == fields
    not_b64 = rotation(signer, new, public_key="ab+/")
    assert refused(not_b64) == "the announced public key is not base64url"
    thumbprint = "the announced key id is not the thumbprint of its public key"
    assert refused(rotation(signer, new, key_id=key_id(signer.public))) == thumbprint
    # A 33-byte key whose id is its own thumbprint is still no Ed25519 key.
    long = new + b"\x00"
    assert refused(rotation(signer, long, key_id=key_id(long))) == thumbprint
    assert refused(rotation(signer, new, previous_key_id="other")) == (
        "a key rotation is signed by the key it retires"
    )
    moved = rotation(signer, new)
    moved = signer.signed({**moved, "subject": f"{BASE}/keys/other"})
    assert refused(moved) == "the key rotation's subject is not the new key's URI"
    not_a_dict = event(signer, EVENT_KEY_ROTATED, subject=f"{BASE}/keys/k", data=[1])
    assert refused(not_a_dict) == "not a key rotation"


# --- redactions -----------------------------------------------------------------------------

FIELDS = ["contact.email", "contact.name", "contact.phone"]


def redaction(signer: Signer, seq: int = 9, **data: Any) -> dict[str, Any]:
    subject = data.pop("subject", f"{OFFER}/redactions/{seq}")
    body = {"offer": OFFER, "through_version": 3, "fields": FIELDS, **data}
    return event(signer, EVENT_REDACTED, seq=seq, subject=subject, data=body)


@pytest.mark.parametrize("through", [1, 2**31 - 1])
def test_a_redaction_covers_versions_one_to_the_largest(signer, through):
    assert check_redaction(redaction(signer, through_version=through), signer.keys, BASE) == (
        OFFER,
        through,
    )


def test_a_redactions_fields_may_come_in_any_order(signer):
    shuffled = redaction(signer, fields=list(reversed(FIELDS)))
    assert check_redaction(shuffled, signer.keys, BASE) == (OFFER, 3)


def test_a_malformed_redaction_is_refused_by_reason(signer):
    def refused(redacted: dict[str, Any]) -> str:
        return refusal(lambda: check_redaction(redacted, signer.keys, BASE))

    assert refused(event(signer)) == "not a redaction"
    assert refused(redaction(signer, through_version=0)) == (
        "a redaction's through_version is out of range"
    )
    assert refused(redaction(signer, through_version=2**31)) == (
        "a redaction's through_version is out of range"
    )
    assert refused(redaction(signer, through_version=3.5)) == (
        "a redaction's through_version is a version number"
    )
    assert refused(redaction(signer, fields="contact.email,contact.name,contact.phone")) == (
        "a redaction removes the fields ['contact.email', 'contact.name', 'contact.phone']"
    )
    assert refused(redaction(signer, fields=FIELDS[:2])) == (
        "a redaction removes the fields ['contact.email', 'contact.name', 'contact.phone']"
    )
    assert refused(redaction(signer, offer=7)) == "the redaction names an offer of another node"
    assert refused(redaction(signer, offer="not a uri")) == (
        "the redaction names an offer of another node"
    )
    assert refused(redaction(signer, subject=f"{OFFER}/redactions/8")) == (
        "the redaction's subject is not its URI at its sequence number"
    )
    assert refused(redaction(signer, extra=1)) == (
        "a redaction has exactly ['fields', 'offer', 'through_version']"
    )
    not_a_dict = event(signer, EVENT_REDACTED, subject=f"{OFFER}/redactions/7", data=[1])
    assert refused(not_a_dict) == "not a redaction"


def test_events_survive_a_json_round_trip(signer):
    good = event(signer)
    assert check_event(json.loads(json.dumps(good)), signer.keys, BASE)["uri"] == OFFER


# --- the survivors of the first mutation run (docs/testing.md) ------------------------------


@pytest.fixture
def oslo_time(monkeypatch):
    """The process's local time zone is Norway's, as on a server set up in Norway."""
    monkeypatch.setenv("TZ", "Europe/Oslo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_utc_whatever_the_servers_time_zone(oslo_time):
    assert time.localtime(0).tm_hour == 1  # 1970-01-01 01:00 in Oslo: the zone took effect
    assert format_time(
        dt.datetime(2026, 12, 7, 13, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    ) == ("2026-12-07T12:00:00.000000Z")


def test_the_signing_input_handed_to_check_event_is_the_one_verified(signer):
    good = event(signer)
    assert refusal(lambda: check_event(good, signer.keys, BASE, b"{}")) == (
        "the signature does not match the event"
    )


def test_rotations_and_redactions_from_another_node_are_refused(signer):
    new = public_bytes(generate_private_key())
    elsewhere = "https://other.example"
    assert refusal(lambda: check_key_rotation(rotation(signer, new), signer.keys, elsewhere)) == (
        f"the event comes from '{BASE}', not '{elsewhere}'"
    )
    assert refusal(lambda: check_redaction(redaction(signer), signer.keys, elsewhere)) == (
        f"the event comes from '{BASE}', not '{elsewhere}'"
    )


def test_an_empty_source_never_matches_a_uri_that_is_no_offer_uri(signer):
    """A node checking its own log passes no expected source; an event whose source is empty
    and whose offer URI has no `/offers/` still belongs to no node."""
    odd_uri = f"{BASE}/tilbud/{OFFER_ID}"
    version_event = signer.signed(
        {**event(signer), "source": "", "subject": odd_uri, "data": version(uri=odd_uri)}
    )
    assert refusal(lambda: check_event(version_event, signer.keys, None)) == (
        "the offer version does not belong to the event's subject and source"
    )
    redacted = redaction(signer)
    redacted = signer.signed(
        {
            **redacted,
            "source": "",
            "subject": f"{odd_uri}/redactions/9",
            "data": {**redacted["data"], "offer": odd_uri},
        }
    )
    assert refusal(lambda: check_redaction(redacted, signer.keys, None)) == (
        "the redaction names an offer of another node"
    )


def test_the_data_of_a_redaction_event():
    assert redaction_data(OFFER, 3) == {
        "offer": OFFER,
        "through_version": 3,
        "fields": ["contact.email", "contact.name", "contact.phone"],
    }
