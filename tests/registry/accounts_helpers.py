"""Helpers for the invitation and password tests: the mails in the outbox, the link in one,
and a form's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.mail.models import OutboxMail


def mails(db: Session, to: str, template: str | None = None) -> list[OutboxMail]:
    query = select(OutboxMail).where(OutboxMail.to_address == to)
    if template is not None:
        query = query.where(OutboxMail.template == template)
    return list(db.scalars(query.order_by(OutboxMail.id)))


def link_path(mail: OutboxMail, kind: str) -> str:
    """The path of the ``kind`` link (``invitation``, ``password/reset``) in a mail's text,
    after checking that the HTML part has the same link."""
    found = re.search(rf"https?://[^/\s]+(/{kind}/[A-Za-z0-9_-]+)", mail.body_text)
    assert found, mail.body_text
    assert found.group(0) in mail.body_html
    return found.group(1)


def csrf_of(client: Any, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)
