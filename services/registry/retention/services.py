"""Erasing personal data once its retention period is over (docs/privacy.md, "Retention").

Run daily by ``nettungen registry retention`` with ``PERSONAL_DATA_RETENTION_DAYS``; what it
erases is what is older than that many days:

- **A removed member**: a user who has no membership left, whose last removal from an
  organisation (``membership.removed``) is older than the period, who is no node administrator
  and has no open invitation. The account row stays (offers and the audit trail refer to it) but
  becomes a pseudonym: name ``user-<id>``, address ``user-<id>@erased.invalid`` (a reserved
  domain: never a mailbox), no password, inactive. Their sessions, API tokens, invitations and
  password resets, login failures and mails go; in the audit trail their address and name are
  replaced by the pseudonym wherever they appear (as actor, in changes, in comments). The trail
  keeps who did what as ``user-<id>``, and an entry ``user.erased``.
- **Workspace members**: entries of the coordination group's member list in the audit trail
  (``workspace.coordination_members.*``) lose the name, e-mail and phone they recorded; the id,
  role, agency and what the person represented stay. The list itself holds only current
  members: a deleted entry is gone at once.
- **Logins**: login entries of the audit trail lose the address typed and the remote address;
  the login throttle's failures go (it only counts the last minutes, and prunes as it goes).
- **Invitations and password resets** that were used, revoked or expired go; invitation
  entries of the audit trail whose address is no account's lose it.
- **Mails** that were sent or gave up go from the outbox.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Text, cast, delete, exists, func, or_, select
from sqlalchemy.orm import Session

from services.registry.accounts.models import (
    AccountToken,
    ApiToken,
    BrowserSession,
    LoginFailure,
    Membership,
    User,
)
from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry
from services.registry.audit.services import record
from services.registry.mail.models import PENDING, SENDING, OutboxMail
from shared.errors import Conflict, PermissionDenied

ERASED_DOMAIN = "erased.invalid"
WORKSPACE_MEMBER_ACTIONS = "workspace.coordination_members."
WORKSPACE_MEMBER_FIELDS = ("name", "email", "phone")
LOGIN_FIELDS = ("email", "remote_addr")


@dataclass
class RetentionReport:
    """How much each rule erased in one run."""

    users: int = 0
    workspace_entries: int = 0
    login_entries: int = 0
    login_failures: int = 0
    account_tokens: int = 0
    invitation_entries: int = 0
    mails: int = 0


def pseudonym(user_id: int) -> str:
    """What an erased user is called from then on: no name, only the account's number."""
    return f"user-{user_id}"


def apply_retention(session: Session, actor: Actor, now: dt.datetime, days: int) -> RetentionReport:
    """Erase every piece of personal data whose retention period ended before ``now``."""
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_users")
    cutoff = now - dt.timedelta(days=days)
    report = RetentionReport()
    for user in users_due(session, cutoff, now):
        erase_user(session, actor, user)
        report.users += 1
    members = _entries_before(cutoff, AuditEntry.action.startswith(WORKSPACE_MEMBER_ACTIONS))
    report.workspace_entries = _strip(session, members, WORKSPACE_MEMBER_FIELDS)
    report.login_entries = _strip_logins(session, cutoff)
    report.login_failures = _rows(
        session.execute(delete(LoginFailure).where(LoginFailure.at < cutoff))
    )
    report.account_tokens = _drop_spent_tokens(session, cutoff)
    report.invitation_entries = _strip_unknown_invitees(session, cutoff)
    report.mails = _rows(
        session.execute(
            delete(OutboxMail).where(
                OutboxMail.created_at < cutoff, OutboxMail.status.not_in((PENDING, SENDING))
            )
        )
    )
    session.flush()
    return report


def _rows(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# --- removed members ---------------------------------------------------------------------------


def users_due(session: Session, cutoff: dt.datetime, now: dt.datetime) -> list[User]:
    """Users removed from their last organisation before ``cutoff`` and not erased yet."""
    removed = (
        select(AuditEntry.target_id, func.max(AuditEntry.at).label("at"))
        .where(AuditEntry.action == "membership.removed", AuditEntry.target_type == "user")
        .group_by(AuditEntry.target_id)
        .subquery()
    )
    open_invitation = exists().where(
        AccountToken.email == User.email,
        AccountToken.used_at.is_(None),
        AccountToken.revoked_at.is_(None),
        AccountToken.expires_at > now,
    )
    query = (
        select(User)
        .join(removed, removed.c.target_id == cast(User.id, String))
        .where(
            removed.c.at < cutoff,
            ~exists().where(Membership.user_id == User.id),
            User.is_node_admin.is_(False),
            ~User.email.endswith("@" + ERASED_DOMAIN),
            ~open_invitation,
        )
        .order_by(User.id)
    )
    return list(session.scalars(query))


def erase_on_request(session: Session, actor: Actor, user: User) -> None:
    """An erasure request: the user erased now rather than after the retention period. Only
    once they are no organisation's member (their administrators remove them first)."""
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_users")
    if user.email.endswith("@" + ERASED_DOMAIN):
        raise Conflict("user.already_erased")
    if user.is_node_admin:
        raise Conflict("user.erase_node_admin")
    if session.scalar(select(Membership.id).where(Membership.user_id == user.id).limit(1)):
        raise Conflict("user.erase_still_member")
    erase_user(session, actor, user)


def erase_user(session: Session, actor: Actor, user: User) -> None:
    """Replace the user's name and address by a pseudonym everywhere, and drop what only
    served the account (sessions, tokens, login failures, mails)."""
    email, alias = user.email.lower(), pseudonym(user.id)
    _rewrite_trail(session, user.id, email, user.name, alias)
    session.execute(delete(BrowserSession).where(BrowserSession.user_id == user.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(
        delete(AccountToken).where(
            or_(AccountToken.user_id == user.id, func.lower(AccountToken.email) == email)
        )
    )
    session.execute(delete(LoginFailure).where(func.lower(LoginFailure.email) == email))
    session.execute(
        delete(OutboxMail).where(
            or_(OutboxMail.user_id == user.id, func.lower(OutboxMail.to_address) == email)
        )
    )
    user.email = f"{alias}@{ERASED_DOMAIN}"
    user.name = alias
    user.password_hash = None
    user.is_active = False
    user.must_change_password = False
    user.last_login_at = None
    session.flush()
    record(session, actor, "user.erased", "user", user.id)


def _rewrite_trail(session: Session, user_id: int, email: str, name: str, alias: str) -> None:
    """In every audit entry by, about or naming the user: the address replaced by ``alias``
    wherever it occurs (in any case), and the name where a value is exactly the name."""
    mentions = [
        cast(AuditEntry.changes, Text).contains(form, autoescape=True)
        for form in {email, json.dumps(email)[1:-1]}
    ]
    query = select(AuditEntry).where(
        or_(
            AuditEntry.actor_user_id == user_id,
            (AuditEntry.target_type == "user") & (AuditEntry.target_id == str(user_id)),
            func.lower(AuditEntry.actor_label) == email,
            func.lower(AuditEntry.comment).contains(email, autoescape=True),
            *mentions,
        )
    )
    texts, values = {email: alias}, {name: alias}
    for entry in session.scalars(query):
        if entry.actor_user_id == user_id:
            entry.actor_label = alias
        entry.actor_label = _replaced(entry.actor_label, texts, values)
        entry.comment = _replaced(entry.comment, texts, values)
        entry.changes = _replaced(entry.changes, texts, values)


def _replaced(value: Any, texts: Mapping[str, str], values: Mapping[str, str]) -> Any:
    """``value`` (JSON: nested dicts and lists) with the texts and values replaced."""
    if isinstance(value, dict):
        return {k: _replaced(v, texts, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, texts, values) for v in value]
    if not isinstance(value, str):
        return value
    if value in values:
        return values[value]
    for text, alias in texts.items():
        value = _replace_folded(value, text, alias)
    return value


def _replace_folded(value: str, text: str, alias: str) -> str:
    """``value`` with every occurrence of ``text``, in any case, replaced by ``alias``."""
    folded, start, parts = value.lower(), 0, []
    needle = text.lower()
    while needle and (found := folded.find(needle, start)) >= 0:
        parts += [value[start:found], alias]
        start = found + len(needle)
    return "".join(parts) + value[start:]


# --- audit entries of workspace members, logins and invitations ---------------------------------


def _entries_before(cutoff: dt.datetime, *conditions: Any) -> Any:
    return select(AuditEntry).where(AuditEntry.at < cutoff, *conditions)


def _strip(session: Session, query: Any, fields: Iterable[str]) -> int:
    """Drop ``fields`` from the changes of the entries ``query`` finds; how many changed."""
    fields = tuple(fields)
    # Only entries that still hold one of the keys are read (JSON text on every database).
    holding = [cast(AuditEntry.changes, Text).contains(f'"{f}"') for f in fields]
    changed = 0
    for entry in session.scalars(query.where(or_(*holding))):
        changes = entry.changes or {}
        if any(f in changes for f in fields):
            entry.changes = {k: v for k, v in changes.items() if k not in fields}
            changed += 1
    return changed


def _strip_logins(session: Session, cutoff: dt.datetime) -> int:
    """Login entries older than ``cutoff`` lose the address typed and the remote address;
    a failed login's actor (the address typed) becomes "-"."""
    entries = _entries_before(cutoff, AuditEntry.action.startswith("login."))
    changed = _strip(session, entries, LOGIN_FIELDS)
    unnamed = entries.where(AuditEntry.actor_user_id.is_(None), AuditEntry.actor_label != "-")
    for entry in session.scalars(unnamed):
        entry.actor_label = "-"
    return changed


def _drop_spent_tokens(session: Session, cutoff: dt.datetime) -> int:
    """Invitations and password resets used, revoked or expired before ``cutoff``."""
    spent = or_(
        AccountToken.used_at < cutoff,
        AccountToken.revoked_at < cutoff,
        AccountToken.expires_at < cutoff,
    )
    return _rows(session.execute(delete(AccountToken).where(spent)))


def _strip_unknown_invitees(session: Session, cutoff: dt.datetime) -> int:
    """Invitation entries older than ``cutoff`` keep the invitee's address only while it is
    an account's (one who accepted, and is not erased) or an invitation still held."""
    query = _entries_before(cutoff, AuditEntry.target_type == "invitation")
    known = _known_addresses(session)
    changed = 0
    for entry in session.scalars(query):
        email = (entry.changes or {}).get("email")
        if not isinstance(email, str) or email.lower() in known:
            continue
        entry.changes = {**(entry.changes or {}), "email": None}
        changed += 1
    return changed


def _known_addresses(session: Session) -> set[str]:
    """Every account's address and every address an invitation or reset is held for."""
    accounts = select(func.lower(User.email))
    held = select(func.lower(AccountToken.email))
    return set(session.scalars(accounts.union(held)))
