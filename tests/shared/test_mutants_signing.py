"""What the operator reads when a node's published key is refused (found by mutation testing,
docs/testing.md): ``nettungen search nodes refresh-keys --jwks FILE`` stops with
"Could not read the node's keys: <why>", and each why names the fault to fix in the JWKS."""

from __future__ import annotations

import json

import click
import pytest

from shared.ingest.key_cli import keys_of

# RFC 8037 appendix A.2 and A.3: the RFC 8032 TEST 1 public key and its thumbprint.
X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
GOOD = {"kty": "OKP", "crv": "Ed25519", "x": X, "kid": KID}


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "not an Ed25519 key"),
        ({"kty": "OKP", "crv": "X25519", "x": X}, "not an Ed25519 key"),
        ({"kty": "OKP", "crv": "Ed25519"}, "the key has no 'x'"),
        (
            GOOD | {"x": "11qY+YKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
            "not unpadded base64url",
        ),
        # The last character carries two unused bits; "p" sets one ("o" is canonical).
        (GOOD | {"x": X[:-1] + "p"}, "not the canonical base64url encoding"),
        # 31 zero bytes, canonically encoded, and no key id to give the length away.
        (
            {"kty": "OKP", "crv": "Ed25519", "x": "A" * 42},
            "an Ed25519 public key is 32 bytes",
        ),
        (GOOD | {"kid": KID[:-1] + "A"}, "the key id is not the key's thumbprint"),
        (GOOD | {"last_sequence": "7"}, "'last_sequence' must be an integer"),
        (GOOD | {"last_sequence": True}, "'last_sequence' must be an integer"),
    ],
)
def test_the_operator_is_told_why_a_published_key_is_refused(tmp_path, key, why):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [key]}), encoding="utf-8")
    with pytest.raises(click.ClickException) as refused:
        keys_of(None, "https://node.example", jwks)  # type: ignore[arg-type]
    assert refused.value.message == f"Could not read the node's keys: {why}"


def test_a_good_key_is_read(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [GOOD | {"last_sequence": 7}]}), encoding="utf-8")
    (key,) = keys_of(None, "https://node.example", jwks)  # type: ignore[arg-type]
    assert (key.key_id, key.public.hex(), key.last_sequence) == (
        KID,
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        7,
    )
