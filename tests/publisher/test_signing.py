"""Signatures: round trip, tampering, unknown and rotated-out keys, and key rotation itself."""

from __future__ import annotations

import copy

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from shared.publication.events import (
    EventRejected,
    check_event,
    check_key_rotation,
    signing_input,
)
from shared.publication.keys import Signer, entry_event, generate_key, verification_keys
from shared.publication.models import LogEntry, NodeKey
from shared.signing import (
    VerificationKey,
    b64url_decode,
    generate_private_key,
    key_id,
    public_bytes,
    sign,
    unseal,
)
from tests.conftest import TEST_PASSPHRASE
from tests.publisher.bus import publish
from tests.publisher.conftest import make_publisher
from tests.publisher.node import BASE_URL


def events(engine) -> list[dict]:
    with Session(engine) as session:
        return [
            entry_event(row) for row in session.scalars(select(LogEntry).order_by(LogEntry.seq))
        ]


def keys_of(engine) -> dict[str, VerificationKey]:
    with Session(engine) as session:
        return verification_keys(session)


def test_round_trip_and_tampering(node):
    publish(node, 1)
    [event] = events(node)
    keys = keys_of(node)
    assert check_event(event, keys, BASE_URL)["uri"] == event["subject"]
    for field, value in (
        ("subject", "https://node.test/offers/x"),
        ("type", "no.nettungen.offer.withdrawn"),
        ("sequence", "00000000000000000002"),
    ):
        forged = copy.deepcopy(event)
        forged[field] = value
        with pytest.raises(EventRejected):
            check_event(forged, keys, BASE_URL)
    forged = copy.deepcopy(event)
    forged["data"]["free_of_charge"] = not forged["data"]["free_of_charge"]
    with pytest.raises(EventRejected, match="signature"):
        check_event(forged, keys, BASE_URL)
    with pytest.raises(EventRejected, match="unknown signing key"):
        check_event({**event, "signingkey": "nope"}, keys, BASE_URL)
    with pytest.raises(EventRejected, match="comes from"):
        check_event(event, keys, expected_source="https://other.test")


def test_a_stranger_signing_with_its_own_key_is_rejected(node):
    publish(node, 1)
    [event] = events(node)
    stranger = generate_private_key()
    forged = {**event, "signingkey": key_id(public_bytes(stranger))}
    forged["signature"] = sign(stranger, signing_input(forged))
    with pytest.raises(EventRejected, match="unknown signing key"):
        check_event(forged, keys_of(node), BASE_URL)


def test_rotation_keeps_old_events_valid_and_bounds_the_old_key(node, monkeypatch, tmp_path):
    publish(node, 2)
    monkeypatch.setenv("DATABASE_URL", node.url.render_as_string(hide_password=False))
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SIGNING_KEY_PASSPHRASE", TEST_PASSPHRASE)
    monkeypatch.setenv("NODE_BASE_URL", BASE_URL)
    result = CliRunner().invoke(main, ["registry", "key", "rotate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    # The old key's last event is the rotation event announcing the new key.
    assert "valid for events up to sequence 3" in result.output
    publish(node, 1)

    keys = keys_of(node)
    assert len(keys) == 2
    old = next(k for k in keys.values() if k.last_sequence is not None)
    new = next(k for k in keys.values() if k.last_sequence is None)
    assert old.last_sequence == 3
    signed = events(node)
    assert [e["signingkey"] for e in signed] == [old.key_id] * 3 + [new.key_id]
    rotation = signed.pop(2)
    assert rotation["type"] == "no.nettungen.key.rotated"
    assert rotation["subject"] == f"{BASE_URL}/keys/{new.key_id}"
    assert check_key_rotation(rotation, keys, BASE_URL) == new
    with pytest.raises(EventRejected, match="not an offer version"):
        check_event(rotation, keys, BASE_URL)
    for event in signed:
        check_event(event, keys, BASE_URL)

    # The retired key cannot vouch for anything after its last sequence, even if it leaked.
    with sessionmaker(node).begin() as session:
        old_row = session.get(NodeKey, old.key_id)
        leaked = unseal(old_row.private_key, TEST_PASSPHRASE)
    late = {**signed[2], "signingkey": old.key_id}
    late["signature"] = sign(leaked, signing_input(late))
    with pytest.raises(EventRejected, match="rotated out"):
        check_event(late, keys, BASE_URL)

    # The published JWKS says the same, and the feed carries the rotation like an offer event.
    app = make_publisher(node.url.render_as_string(hide_password=False), tmp_path)
    client = app.test_client()
    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    page = client.get("/ldes/pages/1", headers={"Accept": "application/json"}).get_json()
    turtle = client.get("/ldes/pages/1", headers={"Accept": "text/turtle"})
    app.extensions["nettungen.db"].engine.dispose()
    assert {k["kid"]: k.get("last_sequence") for k in jwks} == {old.key_id: 3, new.key_id: None}
    assert all(VerificationKey.from_jwk(k).key_id == k["kid"] for k in jwks)
    assert all("d" not in k for k in jwks)
    assert page["events"][2] == rotation
    assert turtle.status_code == 200
    assert b"KeyRotation" in turtle.data


def test_a_second_generate_is_refused_and_a_wrong_passphrase_cannot_sign(node):
    from shared.errors import Conflict, ServiceUnavailable

    with sessionmaker(node).begin() as session, pytest.raises(Conflict):
        generate_key(session, Signer(TEST_PASSPHRASE))
    with pytest.raises(ServiceUnavailable, match="SIGNING_KEY_PASSPHRASE"):
        publish_with(node, Signer("not-the-passphrase"))


def publish_with(engine, signer: Signer) -> None:
    from tests.publisher.node import NodeBuilder

    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        NodeBuilder(session, signer=signer).publish()


def test_jwk_thumbprint_is_checked():
    public = public_bytes(generate_private_key())
    jwk = VerificationKey(key_id(public), public).jwk()
    assert VerificationKey.from_jwk(jwk).public == public
    with pytest.raises(ValueError, match="thumbprint"):
        VerificationKey.from_jwk({**jwk, "kid": "someone-else"})
    with pytest.raises(ValueError):
        VerificationKey.from_jwk({**jwk, "x": "AAAA"})
    assert len(b64url_decode(jwk["x"])) == 32


def test_malformed_sequences_and_unknown_keys_are_rejected_cleanly(node):
    from shared.publication.events import UnknownKey

    publish(node, 1)
    [event] = events(node)
    keys = keys_of(node)
    for bad in ("²", "1" * 5000, "-1", "", "0x1"):
        with pytest.raises(EventRejected, match="sequence"):
            check_event({**event, "sequence": bad}, keys, BASE_URL)
    with pytest.raises(UnknownKey):
        check_event({**event, "signingkey": "not-a-key-we-hold"}, keys, BASE_URL)
    for bad_signature in (event["signature"] + "=", event["signature"][:-1] + "!", ""):
        with pytest.raises(EventRejected, match="signature"):
            check_event({**event, "signature": bad_signature}, keys, BASE_URL)


def test_old_versions_stay_valid_after_their_area_is_retired(node, monkeypatch):
    from shared.areas import reference_data

    publish(node, 1, coverage=["3301"])
    [event] = events(node)
    keys = keys_of(node)
    # A newer classification without Drammen: the old version is still history, not garbage.
    monkeypatch.delitem(reference_data().areas, "3301")
    assert check_event(event, keys, BASE_URL)["coverage"] == ["3301"]
