"""Bus events: a log row as a signed CloudEvent (structured JSON), its routing keys, its check.

Every event of a node is one CloudEvents 1.0 document::

    {"specversion": "1.0", "id": <event UUID>, "source": <node base URL>,
     "type": "no.nettungen.offer.published" | "no.nettungen.offer.withdrawn"
             | "no.nettungen.key.rotated" | "no.nettungen.offer.redacted",
     "subject": <offer URI>, "time": <RFC 3339 UTC>, "datacontenttype": "application/json",
     "dataschema": <URI of the version document schema>,
     "sequence": <the node's log sequence number, zero-padded so it orders as text>,
     "signingkey": <key id>, "signature": <Ed25519 over the signing input, base64url>,
     "data": <the offer version document>}

A key rotation's ``data`` announces the new key (:func:`check_key_rotation`); a redaction's
names the offer and the last version whose personal data the node removed
(:mod:`shared.publication.redaction`, :func:`check_redaction`).

``sequence`` is the CloudEvents sequence extension. The signing input is the canonical JSON of
the event without ``signature`` (so the key id is signed too); the registry signs when it writes
the log row, and the signature is stored with the row, so a page of events is the same bytes
forever and events signed by a rotated-out key stay verifiable.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from shared.areas import AreaKind, UnknownAreaError, reference_data
from shared.publication import (
    EVENT_KEY_ROTATED,
    EVENT_PUBLISHED,
    EVENT_REDACTED,
    EVENT_WITHDRAWN,
)
from shared.publication.canonical import canonical_bytes, encode_plain_with_member
from shared.publication.redaction import FIELD_PATHS, redaction_uri
from shared.publication.schema import MAX_VERSION, SCHEMA_VERSION, load_offer_version_data
from shared.publication.uris import key_uri, source_of, source_of_key
from shared.signing import VerificationKey, b64url_decode, key_id, verify

SPEC_VERSION = "1.0"
MEDIA_TYPE = "application/cloudevents+json"
BATCH_MEDIA_TYPE = "application/cloudevents-batch+json"
DATA_SCHEMA = f"https://w3id.org/nettungen/schema/offer-version/{SCHEMA_VERSION}"
KEY_ROTATION_SCHEMA = "https://w3id.org/nettungen/schema/key-rotation/1"
REDACTION_SCHEMA = "https://w3id.org/nettungen/schema/offer-redaction/1"
SEQUENCE_DIGITS = 20
EXCHANGE = "nettungen.offers"
ALL = "all"
_SHORT_TYPES = {
    EVENT_PUBLISHED: "published",
    EVENT_WITHDRAWN: "withdrawn",
    EVENT_KEY_ROTATED: "keyrotated",
    EVENT_REDACTED: "redacted",
}
_SCHEMAS = {EVENT_KEY_ROTATED: KEY_ROTATION_SCHEMA, EVENT_REDACTED: REDACTION_SCHEMA}
_KEY_ROTATION_FIELDS = {"key_id", "public_key", "previous_key_id"}
_REDACTION_FIELDS = {"offer", "through_version", "fields"}
_SEQUENCE = re.compile(r"[0-9]{1,20}")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class EventRejected(ValueError):
    """An event that must not be applied; the message says why, for the consumer's log."""


class UnknownKey(EventRejected):
    """Signed with a key the verifier does not hold: perhaps a forgery, perhaps a key newer
    than the verifier's copy of the node's JWKS. Fetch the keys again, then retry once."""


def format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def format_sequence(seq: int) -> str:
    return str(seq).zfill(SEQUENCE_DIGITS)


def unsigned_event(
    *,
    event_id: str,
    event_type: str,
    subject: str,
    sequence: int,
    time: dt.datetime,
    snapshot: str,
    key_id: str,
) -> dict[str, Any]:
    rotation = event_type == EVENT_KEY_ROTATED
    return {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": source_of_key(subject) if rotation else source_of(subject),
        "type": event_type,
        "subject": subject,
        "time": format_time(time),
        "datacontenttype": "application/json",
        "dataschema": _SCHEMAS.get(event_type, DATA_SCHEMA),
        "sequence": format_sequence(sequence),
        "signingkey": key_id,
        "data": json.loads(snapshot),
    }


def signing_input(event: Mapping[str, Any]) -> bytes:
    """The canonical JSON of the event without its ``signature``, as UTF-8."""
    return canonical_bytes({k: v for k, v in event.items() if k != "signature"})


def plain_signing_input(event: Mapping[str, Any]) -> tuple[bytes, str | None]:
    """:func:`signing_input` of an event :func:`~shared.publication.canonical.is_plain` has
    accepted, and the canonical JSON of its ``data`` (what a consumer stores) when one encoding
    gave both (``None`` otherwise)."""
    unsigned = {k: v for k, v in event.items() if k != "signature"}
    if "data" in unsigned:
        both = encode_plain_with_member(unsigned, "data")
        if both is not None:
            return both[0], both[1].decode("utf-8")
    return canonical_bytes(unsigned), None


def routing_keys(event_type: str, coverage: list[str]) -> list[str]:
    """``<published|withdrawn>.<county>.<municipality>`` for each area the offer covers.

    A county (or each county of a region) gives ``<type>.<county>.all`` and the whole country
    ``<type>.all.all``, so ``*.33.#`` binds a county and ``*.33.3301`` plus ``*.33.all`` plus
    ``*.all.all`` binds everything that reaches municipality 3301. The first key is the
    message's routing key, the rest ride in the ``CC`` header (RabbitMQ sender-selected
    distribution), so one message reaches every matching queue once.
    """
    kind = _SHORT_TYPES[event_type]
    areas = reference_data()
    keys: list[str] = []
    for code in coverage:
        try:
            area = areas.get(code)
        except UnknownAreaError:
            continue  # retired by a newer classification; the national key still reaches it
        if area.kind is AreaKind.MUNICIPALITY:
            parts = [f"{area.county_code}.{code}"]
        elif area.kind is AreaKind.COUNTY:
            parts = [f"{code}.{ALL}"]
        elif area.kind is AreaKind.REGION:
            parts = [f"{county}.{ALL}" for county in areas.region_counties[code]]
        else:
            parts = [f"{ALL}.{ALL}"]
        keys.extend(f"{kind}.{part}" for part in parts)
    return list(dict.fromkeys(keys)) or [f"{kind}.{ALL}.{ALL}"]


# Sequence numbers are stored as 64-bit integers everywhere.
MAX_SEQUENCE = 2**63 - 1


def sequence_of(event: Mapping[str, Any]) -> int:
    value = event.get("sequence")
    if not isinstance(value, str) or not _SEQUENCE.fullmatch(value) or int(value) > MAX_SEQUENCE:
        raise EventRejected("the event has no valid 'sequence'")
    return int(value)


def _is_uuid(value: str) -> bool:
    """Whether ``value`` is a UUID as ``str(uuid.UUID(...))`` writes it (lower-case hex in
    groups of 8-4-4-4-12): what that round trip tested, without building the UUID."""
    return _CANONICAL_UUID.fullmatch(value) is not None


SIGNATURE_MISMATCH = "the signature does not match the event"


def check_signature(
    event: Any,
    keys: Mapping[str, VerificationKey],
    expected_source: str | None,
    signed: bytes | None = None,
) -> None:
    """Verify an event's envelope and signature (not yet its ``data`` against the contract).

    Raises :class:`EventRejected` for a malformed envelope, an event from another node, an
    unknown key, a key used after it was rotated out, or a signature that does not match. The
    relay needs no more for its own log, whose versions the registry validated when it wrote
    them; consumers go on to :func:`check_event`. ``signed`` is the event's
    :func:`signing_input` when the caller has computed it already.
    """
    key = signature_key(event, keys, expected_source)
    if signed is None:
        signed = signing_input(event)
    if not verify(key.public, signed, event["signature"]):
        raise EventRejected(SIGNATURE_MISMATCH)


def signature_key(
    event: Any, keys: Mapping[str, VerificationKey], expected_source: str | None
) -> VerificationKey:
    """:func:`check_signature`'s checks but the signature itself: the key that must verify it
    (the relay verifies its rows' signatures in another process)."""
    if not isinstance(event, Mapping):
        raise EventRejected("an event is a JSON object")
    for name in ("id", "source", "type", "subject", "time", "signingkey", "signature"):
        if not isinstance(event.get(name), str):
            raise EventRejected(f"the event has no valid {name!r}")
    if event.get("specversion") != SPEC_VERSION:
        raise EventRejected("not a CloudEvents 1.0 event")
    if not _is_uuid(event["id"]):
        raise EventRejected("the event's id is not a UUID in its canonical form")
    if event["type"] not in _SHORT_TYPES:
        raise EventRejected(f"unknown event type {event['type']!r}")
    if expected_source is not None and event["source"] != expected_source:
        raise EventRejected(f"the event comes from {event['source']!r}, not {expected_source!r}")
    sequence = sequence_of(event)
    key = keys.get(event["signingkey"])
    if key is None:
        raise UnknownKey(f"unknown signing key {event['signingkey']!r}")
    if not key.covers(sequence):
        raise EventRejected(
            f"key {key.key_id} was rotated out after sequence {key.last_sequence}; "
            f"it cannot sign sequence {sequence}"
        )
    return key


def check_event(
    event: Any,
    keys: Mapping[str, VerificationKey],
    expected_source: str | None,
    signed: bytes | None = None,
) -> dict[str, Any]:
    """Verify an event's form and signature; return its offer version document.

    ``expected_source`` is the base URL of the node the keys belong to (``None`` only for the
    node checking its own log). Raises :class:`EventRejected` for anything that must not be
    applied: whatever :func:`check_signature` refuses, or a ``data`` document that disagrees
    with the envelope or fails the contract.
    """
    check_signature(event, keys, expected_source, signed)
    if event["type"] == EVENT_KEY_ROTATED:
        raise EventRejected("a key rotation, not an offer version")
    if event["type"] == EVENT_REDACTED:
        raise EventRejected("a redaction, not an offer version")
    try:
        document = load_offer_version_data(event.get("data"))
    except ValidationError as exc:
        raise EventRejected(f"the offer version fails the contract: {exc.messages}") from None
    try:
        source = source_of(document["uri"])
    except ValueError:
        source = None
    if document["uri"] != event["subject"] or source != event["source"]:
        raise EventRejected("the offer version does not belong to the event's subject and source")
    expected_status = "published" if event["type"] == EVENT_PUBLISHED else "withdrawn"
    if document["status"] != expected_status:
        raise EventRejected("the event type disagrees with the version's status")
    return document


def check_key_rotation(
    event: Any, keys: Mapping[str, VerificationKey], expected_source: str | None
) -> VerificationKey:
    """Verify a key-rotation event; return the key it announces.

    It must be signed by one of ``keys`` (the keys trusted for the node, within their
    validity) and name, as its ``previous_key_id``, the key that signed it; the new key's id
    must be the thumbprint of its public key, and the subject that key's URI on the node.
    """
    check_signature(event, keys, expected_source)
    data = event.get("data")
    if event["type"] != EVENT_KEY_ROTATED or not isinstance(data, dict):
        raise EventRejected("not a key rotation")
    if set(data) != _KEY_ROTATION_FIELDS or not all(isinstance(v, str) for v in data.values()):
        raise EventRejected(f"a key rotation has exactly {sorted(_KEY_ROTATION_FIELDS)}")
    try:
        public = b64url_decode(data["public_key"])
    except ValueError:
        raise EventRejected("the announced public key is not base64url") from None
    if len(public) != 32 or key_id(public) != data["key_id"]:
        raise EventRejected("the announced key id is not the thumbprint of its public key")
    if data["previous_key_id"] != event["signingkey"]:
        raise EventRejected("a key rotation is signed by the key it retires")
    if event["subject"] != key_uri(event["source"], data["key_id"]):
        raise EventRejected("the key rotation's subject is not the new key's URI")
    return VerificationKey(data["key_id"], public, None)


def check_redaction(
    event: Any, keys: Mapping[str, VerificationKey], expected_source: str | None
) -> tuple[str, int]:
    """Verify a redaction event; return the offer URI and the last version it covers.

    It must be signed by one of ``keys``, name an offer of the node that sent it, have as its
    subject the redaction's URI at its own sequence number, and name exactly the personal
    fields (:data:`shared.publication.redaction.FIELD_PATHS`).
    """
    check_signature(event, keys, expected_source)
    data = event.get("data")
    if event["type"] != EVENT_REDACTED or not isinstance(data, dict):
        raise EventRejected("not a redaction")
    if set(data) != _REDACTION_FIELDS:
        raise EventRejected(f"a redaction has exactly {sorted(_REDACTION_FIELDS)}")
    offer, through = data["offer"], data["through_version"]
    if not isinstance(through, int) or isinstance(through, bool):
        raise EventRejected("a redaction's through_version is a version number")
    if not 1 <= through <= MAX_VERSION:
        raise EventRejected("a redaction's through_version is out of range")
    fields = data["fields"]
    if not isinstance(fields, list) or sorted(map(str, fields)) != list(FIELD_PATHS):
        raise EventRejected(f"a redaction removes the fields {list(FIELD_PATHS)}")
    try:
        source = source_of(offer) if isinstance(offer, str) else None
    except ValueError:
        source = None
    if source != event["source"]:
        raise EventRejected("the redaction names an offer of another node")
    if event["subject"] != redaction_uri(offer, sequence_of(event)):
        raise EventRejected("the redaction's subject is not its URI at its sequence number")
    return offer, through
