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

from services.registry.accounts.permissions import Actor
from services.registry.audit.services import record
from services.registry.mail.models import FAILED, PENDING, MailPreference, OutboxMail
from services.registry.mail.render import render
from shared.db import utcnow
from shared.errors import NotFound, PermissionDenied
from shared.vocab import DEFAULT_LANGUAGE, LANGUAGES

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


def preference(session: Session, user_id: int) -> MailPreference | None:
    """``user_id``'s mail settings, if they ever saved any."""
    return session.scalar(select(MailPreference).where(MailPreference.user_id == user_id))


def mail_language(session: Session, user_id: int) -> str:
    """The language ``user_id`` reads mails in: their choice, else bokmål."""
    chosen = preference(session, user_id)
    return chosen.language if chosen else DEFAULT_LANGUAGE


def wants_mail(session: Session, user_id: int, template: str) -> bool:
    """Whether ``user_id`` gets the optional mail ``template`` (every kind is on by default)."""
    chosen = preference(session, user_id)
    return chosen is None or template not in chosen.turned_off


def save_preferences(session: Session, actor: Actor, language: str, wanted: set[str]) -> None:
    """Keep the acting person's own choice: mails in ``language``, the optional kinds in
    ``wanted`` on and the others off (audited)."""
    if actor.user_id is None:
        raise PermissionDenied("role.not_allowed_here")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    chosen = preference(session, actor.user_id)
    if chosen is None:
        chosen = MailPreference(user_id=actor.user_id, language=DEFAULT_LANGUAGE, turned_off=[])
        session.add(chosen)
    before = {"language": chosen.language, "turned_off": list(chosen.turned_off)}
    chosen.language = language
    chosen.turned_off = [kind for kind in OPTIONAL_KINDS if kind not in wanted]
    after = {"language": chosen.language, "turned_off": chosen.turned_off}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    record(session, actor, "mail.settings_changed", "user", actor.user_id, changes=changes)


def requeue_mail(session: Session, actor: Actor, mail_id: int) -> OutboxMail:
    """Send a failed mail again from the start (a node administrator fixed its address, or the
    server's refusal has passed); audited."""
    if not actor.is_node_admin:
        raise PermissionDenied("role.not_allowed_here")
    mail = session.get(OutboxMail, mail_id)
    if mail is None or mail.status != FAILED:
        raise NotFound("not_found", what="Mail")
    mail.status, mail.attempts, mail.next_attempt_at = PENDING, 0, utcnow()
    record(session, actor, "mail.requeued", "mail", mail.id, changes={"status": [FAILED, PENDING]})
    return mail
