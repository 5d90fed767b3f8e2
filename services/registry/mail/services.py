"""Mails as part of the transaction that causes them: rendered now, kept in the outbox, and
sent after the commit by the sender (:mod:`services.registry.mail.sending`).

Links in mails are absolute under the registry's public address (``REGISTRY_BASE_URL``), which
the request (or command) puts in the session with :func:`use_base_url`; never the request's
own Host header, which a client chooses.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.mail.models import FAILED, PENDING, MailPreference, OutboxMail
from services.registry.mail.render import render

BASE_URL_KEY = "registry_base_url"
DEFAULT_BASE_URL = "http://127.0.0.1:8010"
# An optional mail its recipient has turned off: kept as a record, never sent.
SKIPPED = "skipped"
# The optional kinds of mail, by template name, in the order the settings page lists them.
OPTIONAL_KINDS = (
    "review_requested",
    "sent_back",
    "published",
    "review_digest",
    "invitation_accepted",
)


def use_base_url(session: Session, base_url: str) -> None:
    """Make links in mails written in ``session`` point under ``base_url``."""
    session.info[BASE_URL_KEY] = base_url.rstrip("/")


def _base_url(session: Session) -> str:
    return str(session.info.get(BASE_URL_KEY, DEFAULT_BASE_URL))


def enqueue_mail(
    session: Session,
    *,
    to: str,
    language: str,
    template: str,
    params: Mapping[str, Any],
    user_id: int | None = None,
    optional: bool = False,
) -> OutboxMail:
    """Write the mail ``template`` to ``to`` in ``language`` into the outbox, in the caller's
    transaction (nothing is committed here): rendered now, with a Message-ID of its own that
    every attempt to send it keeps.

    An optional mail links to the recipient's mail settings; if ``user_id`` has turned this
    kind off there, the row is kept as ``skipped`` and never sent.
    """
    base_url = _base_url(session)
    rendered = render(template, language, params, base_url=base_url, optional=optional)
    wanted = not optional or user_id is None or wants_mail(session, user_id, template)
    mail = OutboxMail(
        message_id=f"<{uuid.uuid4().hex}@{urlsplit(base_url).hostname or 'localhost'}>",
        to_address=to,
        user_id=user_id,
        language=language,
        template=template,
        optional=optional,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        status=PENDING if wanted else SKIPPED,
        attempts=0,
    )
    session.add(mail)
    return mail


def failed_mails(session: Session) -> Sequence[OutboxMail]:
    """Mails the sender gave up on, newest first: for node admins to see and act on."""
    query = select(OutboxMail).where(OutboxMail.status == FAILED)
    return session.scalars(query.order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())).all()


def turned_off(session: Session, user_id: int) -> set[str]:
    """The optional kinds of mail ``user_id`` does not want."""
    preference = session.scalar(select(MailPreference).where(MailPreference.user_id == user_id))
    return set(preference.turned_off) if preference else set()


def wants_mail(session: Session, user_id: int, template: str) -> bool:
    """Whether ``user_id`` gets the optional mail ``template`` (every kind is on by default)."""
    return template not in turned_off(session, user_id)


def set_wanted(session: Session, user_id: int, wanted: set[str]) -> None:
    """Keep ``user_id``'s choice: the optional kinds in ``wanted`` on, the others off."""
    preference = session.scalar(select(MailPreference).where(MailPreference.user_id == user_id))
    if preference is None:
        preference = MailPreference(user_id=user_id)
        session.add(preference)
    preference.turned_off = [kind for kind in OPTIONAL_KINDS if kind not in wanted]
