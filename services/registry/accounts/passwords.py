"""Passwords: the policy (OWASP ASVS 5.0, section 6.2), forgotten passwords and changing one's
own; every function takes the session (and, where one acts, the acting user) explicitly.

The policy asks for length and refuses the most common passwords, and nothing else: no
composition rules, which make passwords harder to remember and no harder to guess. The common
passwords are zxcvbn's list of the 30,000 most frequent in leaked password sets, read from the
installed package, never looked up over the network.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from services.registry.accounts import onetime
from services.registry.accounts.browser_sessions import end_sessions
from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from services.registry.mail.services import enqueue_mail
from shared.errors import InvalidInput
from shared.messages import Message

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
_hasher = PasswordHasher()
# A common password with a few digits or signs at the end is still guessed early.
_DECORATION = re.compile(r"[\d\W_]{1,6}$")


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common(password: str) -> bool:
    """Whether ``password`` is one of the common passwords, perhaps with digits added, or one
    short piece repeated (``abcabcabcabc``)."""
    folded = password.strip().lower()
    common = _common_passwords()
    stem = _DECORATION.sub("", folded)
    if folded in common or (len(stem) >= 4 and stem in common):
        return True
    return re.fullmatch(r"(.{1,4}?)\1+", folded) is not None


def check_policy(password: str) -> None:
    """Refuse (field ``password``) a password that is too short, too long or too common."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise InvalidInput(
            "password.too_short",
            {"password": [Message("password.min_length", min=PASSWORD_MIN_LENGTH)]},
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidInput(
            "password.too_long",
            {"password": [Message("password.max_length", max=PASSWORD_MAX_LENGTH)]},
        )
    if is_common(password):
        raise InvalidInput("password.too_common", {"password": [Message("password.common")]})


def hash_password(password: str) -> str:
    """The argon2id hash of a password the policy accepts."""
    check_policy(password)
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so both paths cost one argon2 check."""
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in constant work whether or not the user exists; rehash when due."""
    stored = user.password_hash if user is not None and user.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    if user is None or not user.password_hash:
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return True


def _as_actor(user: User) -> Actor:
    return Actor(user_id=user.id, label=user.email)


# --- a forgotten password ----------------------------------------------------------------------


def request_reset(
    session: Session, email: str, path_to: Callable[[str], str], language: str
) -> onetime.Issued | None:
    """Mail a one-time reset link (valid one hour) to the active user with this address; for
    an unknown address, nothing. Callers answer the same either way, and as the mail only
    joins the outbox, both ways take about the same time."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return None
    issued = onetime.issue(session, onetime.RESET, email=user.email, user=user)
    record(session, _as_actor(user), "user.password_reset_requested", "user", user.id)
    enqueue_mail(
        session,
        to=user.email,
        language=language,
        template="password_reset",
        params={"reset_path": path_to(issued.secret)},
        user_id=user.id,
    )
    return issued


def reset_link_is_open(session: Session, secret: str) -> bool:
    """Whether a reset link can still be used (to show its form, or say it cannot)."""
    try:
        onetime.find_open(session, onetime.RESET, secret)
    except InvalidInput:
        return False
    return True


def reset_password(session: Session, secret: str, password: str) -> User:
    """Set a new password with a reset link: used once, within its hour, and never again."""
    token = onetime.redeem(session, onetime.RESET, secret)
    user = token.user
    if user is None or not user.is_active:
        raise onetime.invalid_link()
    user.password_hash = hash_password(password)
    user.must_change_password = False
    onetime.use(session, token)
    end_sessions(session, user)
    record(session, _as_actor(user), "user.password_reset", "user", user.id)
    return user


# --- changing one's own password --------------------------------------------------------------


def change_own_password(
    session: Session,
    actor: Actor,
    user: User,
    current: str,
    new: str,
    keep_session: str | None = None,
) -> None:
    """Change the acting user's own password; the current one must be given. Every other
    browser session of the user ends; ``keep_session`` (this browser's) stays."""
    if actor.user_id != user.id:
        raise InvalidInput("password.only_own")
    if not verify_password(user, current):
        raise InvalidInput(
            "password.current_wrong", {"current_password": [Message("password.current_incorrect")]}
        )
    if current == new:
        raise InvalidInput("password.unchanged", {"password": [Message("password.same_as_old")]})
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_sessions(session, user, except_current=keep_session)
    record(session, actor, "user.password_changed", "user", user.id)
