"""Login with an e-mail address and a password, and the throttle on failed attempts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import LoginFailure, User
from services.registry.accounts.passwords import verify_password
from services.registry.accounts.users import get_user_by_email, normalise_email
from shared.db import utcnow
from shared.errors import TooManyRequests


@dataclass(frozen=True)
class Throttle:
    max_per_account: int
    max_per_address: int
    window: dt.timedelta


def check_throttle(session: Session, throttle: Throttle, email: str, remote_addr: str) -> None:
    """Refuse a login attempt while either the account or the address has too many failures."""
    since = utcnow() - throttle.window
    email = normalise_email(email)
    # Parallel attempts on one account queue here, so none of them counts a stale total.
    session.execute(select(User.id).where(User.email == email).with_for_update())
    by_account = session.scalar(
        select(func.count()).where(LoginFailure.email == email, LoginFailure.at > since)
    )
    by_address = session.scalar(
        select(func.count()).where(LoginFailure.remote_addr == remote_addr, LoginFailure.at > since)
    )
    if (by_account or 0) >= throttle.max_per_account or (
        by_address or 0
    ) >= throttle.max_per_address:
        raise TooManyRequests("login.throttled", retry_after=int(throttle.window.total_seconds()))


def record_login_failure(
    session: Session, throttle: Throttle, email: str, remote_addr: str
) -> None:
    """Count a failed (or refused) attempt, and forget those older than the window, so the
    table holds one window's attempts and no more. What was typed is cut to the column's
    length: no account has a longer address, and the attempt still counts for the address."""
    session.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - throttle.window))
    email_column, address_column = LoginFailure.email.type, LoginFailure.remote_addr.type
    session.add(
        LoginFailure(
            email=normalise_email(email)[: email_column.length],
            remote_addr=remote_addr[: address_column.length],
        )
    )


def login(session: Session, email: str, password: str, remote_addr: str) -> User | None:
    """The active user with this e-mail and password, or None.

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
    return user
