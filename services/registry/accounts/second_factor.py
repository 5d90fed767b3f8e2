"""The second factor of a password login: an authenticator app (TOTP, RFC 6238) and ten
recovery codes.

- Codes are six digits for 30-second steps (HMAC-SHA-1, as every authenticator app reads an
  ``otpauth://`` address). A code of the step before or after now is accepted too (clocks
  drift), and each accepted step is remembered: a code is accepted once, and never one of an
  earlier step than the last accepted (a code seen over a shoulder is worth nothing).
- The shared secret must be read to check a code, so it cannot be hashed: it is sealed with
  Fernet (AES-128-CBC and HMAC-SHA-256) under a key derived from the node's SECRET_KEY by
  HKDF. A copy of the database alone does not give the secrets.
- Recovery codes have 118 random bits; only their SHA-256 is stored, and each works once.
- Node administrators must have a second factor, and so must the members of an organisation
  whose administrator requires it: such a person enrols at their next login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import Membership, RecoveryCode, SecondFactor, User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from services.registry.organisations.models import Organisation
from shared.db import utcnow
from shared.errors import InvalidInput, PermissionDenied
from shared.messages import Message

STEP_SECONDS = 30
DIGITS = 6
# Steps either side of now whose codes are accepted.
DRIFT_STEPS = 1
RECOVERY_CODES = 10
ISSUER = "Nettungen"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
# 31**24 > 2**118: at least 112 bits, so a plain SHA-256 is an approved store (ASVS 6.5.2).
_RECOVERY_LENGTH = 24


def sealing_key(secret_key: str) -> bytes:
    """The Fernet key that seals TOTP secrets, derived from the node's SECRET_KEY."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"nettungen second factor")
    return base64.urlsafe_b64encode(hkdf.derive(secret_key.encode()))


def hotp(secret: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """The one-time code of ``counter`` (RFC 4226 section 5.3, the dynamic truncation)."""
    mac = hmac.new(secret, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def time_step(at: float) -> int:
    """The RFC 6238 time step of the Unix time ``at`` (T0 = 0, X = 30 seconds)."""
    return int(at // STEP_SECONDS)


def matching_step(secret: bytes, code: str, now: float, after: int) -> int | None:
    """The step (now, or one either side) whose code is ``code`` and that comes after the
    step ``after``; None when there is none."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = time_step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if step > after and hmac.compare_digest(hotp(secret, step), code):
            return step
    return None


def _seal(key: bytes, secret: bytes) -> str:
    return Fernet(key).encrypt(secret).decode()


def _unseal(key: bytes, sealed: str) -> bytes | None:
    try:
        return Fernet(key).decrypt(sealed.encode())
    except InvalidToken:  # SECRET_KEY changed: the factor must be reset
        return None


def _digest(code: str) -> str:
    normal = code.strip().lower().replace("-", "").replace(" ", "")
    return hashlib.sha256(normal.encode()).hexdigest()


def factor_of(session: Session, user: User) -> SecondFactor | None:
    return session.scalar(select(SecondFactor).where(SecondFactor.user_id == user.id))


def has_second_factor(session: Session, user: User) -> bool:
    found = factor_of(session, user)
    return found is not None and found.confirmed_at is not None


def second_factor_required(session: Session, user: User) -> bool:
    """Whether ``user`` must log in with a second factor: a node administrator, or a member
    of an active organisation that requires it."""
    if user.is_node_admin:
        return True
    found = session.scalar(
        select(Organisation.id)
        .join(Membership, Membership.organisation_id == Organisation.id)
        .where(
            Membership.user_id == user.id,
            Organisation.second_factor_required.is_(True),
            Organisation.membership_status == "active",
        )
        .limit(1)
    )
    return found is not None


def begin_enrolment(session: Session, user: User, key: bytes) -> str:
    """A new secret for ``user``'s authenticator app, kept unconfirmed until a code of it is
    given; returns it in base32, as apps take it. An unconfirmed one begun before is kept, so
    a reloaded page shows the same; a confirmed factor is refused (remove it first)."""
    found = factor_of(session, user)
    if found is not None and found.confirmed_at is not None:
        raise InvalidInput("second_factor.already_enrolled")
    if found is not None:
        secret = _unseal(key, found.secret_sealed)
        if secret is not None:
            return base64.b32encode(secret).decode()
        session.delete(found)
        session.flush()
    secret = secrets.token_bytes(20)
    session.add(SecondFactor(user_id=user.id, secret_sealed=_seal(key, secret), last_step=0))
    session.flush()
    return base64.b32encode(secret).decode()


def provisioning_uri(user: User, secret_b32: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    label = quote(f"{ISSUER}:{user.email}", safe=":@")
    query = urlencode(
        {"secret": secret_b32.rstrip("="), "issuer": ISSUER, "algorithm": "SHA1"}
        | {"digits": DIGITS, "period": STEP_SECONDS}
    )
    return f"otpauth://totp/{label}?{query}"


def _wrong_code() -> InvalidInput:
    return InvalidInput("second_factor.code_wrong", {"code": [Message("second_factor.code_wrong")]})


def confirm_enrolment(
    session: Session, user: User, key: bytes, code: str, now: float | None = None
) -> list[str]:
    """Finish the enrolment with a code of the new secret; returns ten new recovery codes,
    to be shown once. A wrong code is refused (422) and changes nothing."""
    found = factor_of(session, user)
    if found is None or found.confirmed_at is not None:
        raise InvalidInput("second_factor.no_enrolment")
    secret = _unseal(key, found.secret_sealed)
    step = None if secret is None else matching_step(secret, code, _now(now), found.last_step)
    if step is None:
        raise _wrong_code()
    found.confirmed_at = utcnow()
    found.last_step = step
    codes = _new_recovery_codes(session, user)
    record(session, _self(user), "second_factor.enrolled", "user", user.id)
    return codes


def _now(now: float | None) -> float:
    return time.time() if now is None else now


def _self(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.email)


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        code = "-".join(raw[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4))
        session.add(RecoveryCode(user_id=user.id, code_hash=_digest(code)))
        codes.append(code)
    return codes


def verify(session: Session, user: User, key: bytes, code: str, now: float | None = None) -> bool:
    """Whether ``code`` is a good second factor for ``user`` now: a code of the app not used
    before, or an unused recovery code (then used up). The use of a recovery code is
    audited."""
    found = factor_of(session, user)
    if found is None or found.confirmed_at is None or not code.strip():
        return False
    secret = _unseal(key, found.secret_sealed)
    step = None if secret is None else matching_step(secret, code, _now(now), found.last_step)
    if step is not None:
        found.last_step = step
        return True
    recovery = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if recovery is None:
        return False
    recovery.used_at = utcnow()
    record(session, _self(user), "second_factor.recovery_code_used", "user", user.id)
    return True


def recovery_codes_left(session: Session, user: User) -> int:
    codes = session.scalars(
        select(RecoveryCode.id).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    return len(list(codes))


def renew_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new recovery codes in place of the old ones (used or not); audited."""
    if not has_second_factor(session, user):
        raise InvalidInput("second_factor.no_enrolment")
    codes = _new_recovery_codes(session, user)
    record(session, _self(user), "second_factor.recovery_codes_renewed", "user", user.id)
    return codes


def _remove(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))


def remove_own(session: Session, user: User) -> None:
    """The user removes their own second factor (the page has checked their password and a
    code); one who must have one enrols a new one at once."""
    _remove(session, user)
    record(session, _self(user), "second_factor.removed", "user", user.id)


def reset_for_member(session: Session, actor: Actor, membership: Membership) -> None:
    """An organisation's administrator resets a member's second factor (the member lost the
    phone and the recovery codes): the member enrols again at the next login. A node
    administrator's is reset by another node administrator only. Audited."""
    actor.require_admin(membership.organisation_id)
    user = membership.user
    if user.is_node_admin and not actor.is_node_admin:
        raise PermissionDenied("second_factor.reset_node_admin")
    if factor_of(session, user) is None:
        raise InvalidInput("second_factor.none_to_reset")
    _remove(session, user)
    record(
        session,
        actor,
        "second_factor.reset",
        "user",
        user.id,
        organisation_id=membership.organisation_id,
        changes={"email": user.email},
    )
