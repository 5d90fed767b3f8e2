"""Signing against published test vectors, never against the code's own output: Ed25519 from
RFC 8032 section 7.1, the key thumbprint from RFC 8037 appendix A.3, base64url from RFC 4648
section 10, and the Multikey (base58btc) encoding from the W3C did:key test vectors."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared.signing import (
    VerificationKey,
    b64url,
    b64url_decode,
    key_id,
    multibase_key,
    public_bytes,
    sign,
    verify,
)

# RFC 8032, section 7.1, TEST 1 to TEST 3: secret key, public key, message, signature (hex).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_ed25519_matches_rfc_8032(secret, public, message, signature):
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    assert public_bytes(key).hex() == public
    signed = sign(key, bytes.fromhex(message))
    assert b64url_decode(signed).hex() == signature
    assert verify(bytes.fromhex(public), bytes.fromhex(message), signed)
    assert not verify(bytes.fromhex(public), bytes.fromhex(message) + b"!", signed)


def test_key_id_is_the_rfc_8037_thumbprint():
    # RFC 8037, appendix A.3: the thumbprint of the RFC 8032 TEST 1 public key.
    public = bytes.fromhex(RFC8032[0][1])
    assert b64url(public) == "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    assert key_id(public) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


# RFC 4648, section 10, without the padding that base64url leaves out here.
RFC4648 = [
    (b"", ""),
    (b"f", "Zg"),
    (b"fo", "Zm8"),
    (b"foo", "Zm9v"),
    (b"foob", "Zm9vYg"),
    (b"fooba", "Zm9vYmE"),
    (b"foobar", "Zm9vYmFy"),
    # Beyond section 10: lengths that need two padding characters after more than one group,
    # and an encoding ending in a character that is not padding ("X"), which must stay.
    (b"foobarb", "Zm9vYmFyYg"),
    (b"\x00\x00\x17", "AAAX"),
    # The two characters where base64url differs from base64 ("+/" become "-_").
    (b"\xfb\xff\xbf", "-_-_"),
]


@pytest.mark.parametrize(("data", "text"), RFC4648)
def test_base64url_matches_rfc_4648(data, text):
    assert b64url(data) == text
    assert b64url_decode(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "Zh",  # "f" with non-zero trailing bits (canonical: "Zg")
        "Zm9",  # "fo" with non-zero trailing bits (canonical: "Zm8")
        "Zm9vYh",
        "Zg==",  # padded
        "Zm9v=",
        "Z",  # a length no encoding has
        "+/8",  # base64, not base64url
        "Zm 9v",
        "Zm9v\n",
    ],
)
def test_non_canonical_or_foreign_base64url_is_refused(text):
    with pytest.raises(ValueError):
        b64url_decode(text)


def test_a_signature_in_a_non_canonical_encoding_does_not_verify():
    secret, public, message, _ = RFC8032[0]
    signed = sign(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret)), b"")
    # 64 bytes leave 4 unused bits in the last character; setting one gives the same bytes
    # under a lenient decoder, but not the canonical encoding.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert alphabet.index(signed[-1]) % 16 == 0
    lenient = signed[:-1] + alphabet[alphabet.index(signed[-1]) + 1]
    assert not verify(bytes.fromhex(public), bytes.fromhex(message), lenient)
    assert verify(bytes.fromhex(public), bytes.fromhex(message), signed)


# The W3C CCG did:key test vectors (test-vectors/ed25519-x25519.json): the Ed25519 key made
# from each seed, and its did:key, whose method-specific id is the Multikey encoding.
DID_KEY = [
    ("00" * 32, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"),
    ("00" * 31 + "01", "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG"),
    ("00" * 31 + "02", "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf"),
    ("00" * 31 + "03", "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ"),
    ("00" * 31 + "04", "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL"),
]


@pytest.mark.parametrize(("seed", "did"), DID_KEY)
def test_multikey_matches_the_did_key_test_vectors(seed, did):
    public = public_bytes(Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed)))
    assert multibase_key(public) == did.removeprefix("did:key:")


def test_a_public_key_of_another_length_is_refused_even_without_a_key_id():
    for size in (31, 33, 0):
        x = b64url(bytes(range(1, size + 1)))
        with pytest.raises(ValueError, match="32 bytes"):
            VerificationKey.from_jwk({"kty": "OKP", "crv": "Ed25519", "x": x})


def test_the_public_bytes_of_a_public_key_are_its_own():
    public = bytes.fromhex(RFC8032[0][1])
    assert public_bytes(Ed25519PublicKey.from_public_bytes(public)) == public


# RFC 8037 appendix A.2, with the key id of A.3 and the members a JWKS of ours adds.
RFC8037_JWK = {
    "kty": "OKP",
    "crv": "Ed25519",
    "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
    "alg": "EdDSA",
    "use": "sig",
}


def test_a_key_is_published_as_the_rfc_8037_jwk():
    public = bytes.fromhex(RFC8032[0][1])
    assert VerificationKey(key_id(public), public).jwk() == RFC8037_JWK
    rotated = VerificationKey(key_id(public), public, last_sequence=7).jwk()
    assert rotated == {**RFC8037_JWK, "last_sequence": 7}


def test_a_jwk_is_read_with_its_last_sequence():
    key = VerificationKey.from_jwk({**RFC8037_JWK, "last_sequence": 7})
    assert (key.key_id, key.public.hex(), key.last_sequence) == (
        RFC8037_JWK["kid"],
        RFC8032[0][1],
        7,
    )
    assert VerificationKey.from_jwk(RFC8037_JWK).last_sequence is None


@pytest.mark.parametrize(
    "changes",
    [
        {"kty": "EC"},
        {"crv": "X25519"},
        {"kty": "RSA", "crv": "P-256"},
        {"x": None},
        {"last_sequence": True},
        {"last_sequence": "7"},
        {"last_sequence": 7.0},
    ],
)
def test_a_jwk_that_is_not_an_ed25519_key_is_refused(changes):
    with pytest.raises(ValueError):
        VerificationKey.from_jwk({**RFC8037_JWK, **changes})
