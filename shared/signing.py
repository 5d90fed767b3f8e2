"""Ed25519 keys of a node: make them, name them, keep them sealed, sign and verify with them.

A key is named by its JWK thumbprint (RFC 7638), so a key id is derived from the key itself and
can be checked by anyone. Private keys are stored as PKCS #8 PEM encrypted with the node's
passphrase; public keys are published as a JSON Web Key Set (RFC 7517/8037) and, in the catalog,
as Multikey verification methods (W3C Controlled Identifiers).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALGORITHM = "EdDSA"
CURVE = "Ed25519"
# Multicodec prefix of an Ed25519 public key (0xed, varint-encoded), for Multikey.
_MULTICODEC_ED25519_PUB = b"\xed\x01"
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Strict: only the unpadded base64url alphabet, and only the canonical encoding."""
    if not _B64URL.fullmatch(text):
        raise ValueError("not unpadded base64url")
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if b64url(data) != text:
        raise ValueError("not the canonical base64url encoding")
    return data


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def public_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """The RFC 7638 JWK thumbprint of an Ed25519 public key."""
    members = {"crv": CURVE, "kty": "OKP", "x": b64url(public)}
    canonical = json.dumps(members, sort_keys=True, separators=(",", ":")).encode("ascii")
    return b64url(hashlib.sha256(canonical).digest())


def seal(key: Ed25519PrivateKey, passphrase: str) -> str:
    """The private key as encrypted PKCS #8 PEM."""
    if not passphrase:
        raise ValueError("a passphrase is required to store a private key")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    ).decode("ascii")


def unseal(pem: str, passphrase: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii"), passphrase.encode("utf-8"))
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("the stored key is not an Ed25519 key")
    return key


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    return b64url(key.sign(message))


@functools.lru_cache(maxsize=1024)
def _public_key(public: bytes) -> Ed25519PublicKey:
    """A node has a handful of keys, each checking thousands of events: parse each once."""
    return Ed25519PublicKey.from_public_bytes(public)


def verify(public: bytes, message: bytes, signature: str) -> bool:
    try:
        _public_key(public).verify(b64url_decode(signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def multibase_key(public: bytes) -> str:
    """``publicKeyMultibase`` of a Multikey: base58btc ('z') of the multicodec-prefixed key."""
    data = _MULTICODEC_ED25519_PUB + public
    number = int.from_bytes(data, "big")
    digits = ""
    while number:
        number, remainder = divmod(number, 58)
        digits = _BASE58[remainder] + digits
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "z" + "1" * leading_zeros + digits


@dataclass(frozen=True)
class VerificationKey:
    """A node's public key as a verifier holds it.

    ``last_sequence`` is set once the key is rotated out: it stays valid for the events it
    signed (sequence numbers up to and including this one) and for nothing later.
    """

    key_id: str
    public: bytes
    last_sequence: int | None = None

    def covers(self, sequence: int) -> bool:
        return self.last_sequence is None or sequence <= self.last_sequence

    def jwk(self) -> dict[str, object]:
        document: dict[str, object] = {
            "kty": "OKP",
            "crv": CURVE,
            "x": b64url(self.public),
            "kid": self.key_id,
            "alg": ALGORITHM,
            "use": "sig",
        }
        if self.last_sequence is not None:
            document["last_sequence"] = self.last_sequence
        return document

    @classmethod
    def from_jwk(cls, document: dict[str, object]) -> VerificationKey:
        """Read one key of a node's JWKS, checking that its id is its thumbprint."""
        if document.get("kty") != "OKP" or document.get("crv") != CURVE:
            raise ValueError("not an Ed25519 key")
        x = document.get("x")
        if not isinstance(x, str):
            raise ValueError("the key has no 'x'")
        public = b64url_decode(x)
        if len(public) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        kid = key_id(public)
        if document.get("kid") not in (None, kid):
            raise ValueError("the key id is not the key's thumbprint")
        last = document.get("last_sequence")
        if last is not None and (not isinstance(last, int) or isinstance(last, bool)):
            raise ValueError("'last_sequence' must be an integer")
        return cls(kid, public, last)
