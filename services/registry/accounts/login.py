"""Login with an e-mail address and a password, the throttle on failed attempts, and the
audit of both failed and successful logins.

The throttle counts failures by account, by address and by the two together, and is built so
that an attacker cannot use it to lock the owner out:

- an address with too many failures (on any accounts) is refused for the window;
- an address with too many failures on one account is refused for that account;
- once an account has had many failures from anywhere, each further attempt from an address
  that has already failed on it must wait a delay that doubles with every failure;
- an address with no failures on the account is never delayed nor refused for the account's
  sake, so the owner at their own machine gets in with the right password whatever others try.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import LoginFailure, User
from services.registry.accounts.passwords import verify_password
from services.registry.accounts.permissions import Actor
from services.registry.accounts.users import get_user_by_email, normalise_email
from services.registry.audit.services import record
from shared.db import utcnow
from shared.errors import TooManyRequests

# The first delay, in seconds, once an account's failures reach the per-account limit.
_FIRST_DELAY_SECONDS = 2


@dataclass(frozen=True)
class Throttle:
    max_per_account: int
    max_per_address: int
    window: dt.timedelta


def _count(session: Session, *conditions: object) -> int:
    return session.scalar(select(func.count()).where(*conditions)) or 0  # type: ignore[arg-type]


def check_throttle(session: Session, throttle: Throttle, email: str, remote_addr: str) -> None:
    """Refuse (429, with how long to wait) a login attempt the throttle does not allow now."""
    since = utcnow() - throttle.window
    email = normalise_email(email)
    # Parallel attempts on one account queue here, so none of them counts a stale total.
    session.execute(select(User.id).where(User.email == email).with_for_update())
    recent = LoginFailure.at > since
    window = int(throttle.window.total_seconds())
    if _count(session, LoginFailure.remote_addr == remote_addr, recent) >= throttle.max_per_address:
        raise TooManyRequests("login.throttled", retry_after=window)
    here = _count(
        session, LoginFailure.email == email, LoginFailure.remote_addr == remote_addr, recent
    )
    if here == 0:
        return
    if here >= throttle.max_per_account:
        raise TooManyRequests("login.throttled", retry_after=window)
    wait = _account_delay(session, throttle, email, since)
    if wait > 0:
        raise TooManyRequests("login.throttled", retry_after=wait)


def _account_delay(session: Session, throttle: Throttle, email: str, since: dt.datetime) -> int:
    """Seconds still to wait after the account's latest failure: none below the per-account
    limit, then doubling with each failure, never more than the window."""
    failures, latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at > since
        )
    ).one()
    if failures < throttle.max_per_account or latest is None:
        return 0
    window = throttle.window.total_seconds()
    delay = min(_FIRST_DELAY_SECONDS * 2.0 ** (failures - throttle.max_per_account), window)
    remaining = delay - (utcnow() - latest).total_seconds()
    return max(0, int(remaining + 0.999))


def record_login_failure(
    session: Session, throttle: Throttle, email: str, remote_addr: str, *, refused: bool = False
) -> None:
    """Count a failed (or refused) attempt, and forget those older than the window, so the
    table holds one window's attempts and no more; the audit trail keeps every one. What was
    typed is cut to the column's length: no account has a longer address, and the attempt
    still counts for the address."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - throttle.window))
    email = normalise_email(email)[: LoginFailure.email.type.length]
    remote_addr = remote_addr[: LoginFailure.remote_addr.type.length]
    session.add(LoginFailure(email=email, remote_addr=remote_addr))
    user = get_user_by_email(session, email)
    record(
        session,
        Actor(user_id=None, label=email or "-"),
        "login.refused" if refused else "login.failed",
        "user",
        user.id if user is not None else "-",
        changes={"email": email, "remote_addr": remote_addr},
    )


def login(session: Session, email: str, password: str, remote_addr: str) -> User | None:
    """The active user with this e-mail and password, or None; a success is audited.

    Clears only the failures this address made on this account: those made from elsewhere
    (someone guessing this account's password) and this address's failures on other accounts
    keep counting, so knowing one password does not reset anyone else's throttle.
    """
    user = get_user_by_email(session, email)
    if not verify_password(user, password) or user is None or not user.is_active:
        return None
    user.last_login_at = utcnow()
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.email == user.email, LoginFailure.remote_addr == remote_addr
        )
    )
    actor = Actor(user_id=user.id, label=user.email)
    record(session, actor, "login.succeeded", "user", user.id, changes={"remote_addr": remote_addr})
    return user
