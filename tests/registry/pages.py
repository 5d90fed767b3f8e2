"""Helpers for page tests: signing in a person of the test world, reading pages and forms."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from tests.registry.conftest import OPERATOR, PASSWORD, login


def sign_in(client: Any, db: Session, who: str) -> str:
    """Give the world's person ``who`` a password, log in through the form; the CSRF token."""
    user = accounts.get_user_by_email(db, f"{who}@example.org")
    assert user is not None
    accounts.set_password(db, OPERATOR, user, PASSWORD)
    db.flush()
    return login(client, user.email)["X-CSRFToken"]


def text_of(response: Any) -> str:
    """The page's visible text, roughly: tags removed, white space folded."""
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def first_link(response: Any, pattern: str) -> str:
    found = re.search(pattern, response.get_data(as_text=True))
    assert found, f"no link matching {pattern}"
    return found.group(0)
