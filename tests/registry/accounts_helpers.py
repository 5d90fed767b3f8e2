"""Helpers for the invitation and password tests: the mails in the outbox, the link in one,
and a form's CSRF token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
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


def totp(secret_b32: str, step: int) -> str:
    """The six-digit TOTP code of ``step`` for a base32 secret, written out here from RFC 6238
    and RFC 4226 (not the registry's code), as an authenticator app computes it."""
    key = base64.b32decode(secret_b32.replace(" ", "") + "=" * (-len(secret_b32) % 8))
    mac = hmac.new(key, step.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[19] & 0xF
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def now_step() -> int:
    return int(time.time()) // 30


def enrol_secret(page: str) -> str:
    """The key the enrolment page shows beside its QR code."""
    found = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page)
    assert found, page[:1000]
    return found.group(1).replace(" ", "")


def recovery_codes(page: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)


def enrol_at_login(client: Any) -> str:
    """Finish a login that must set up a second factor first (a node administrator's): scan
    the key, type the code. Returns the key."""
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = enrol_secret(page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    code = totp(secret, now_step())
    response = client.post("/login/enrol", data={"code": code, "csrf_token": csrf.group(1)})
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return secret
