"""The accounts pages: signing in and out, the administrator's people pages (``people``),
invitations (``invitations``), passwords (``passwords``), the steps of a login
(``sign_in``), the second factor (``second_factor``) and one's sessions (``sessions``)."""

from __future__ import annotations

from services.registry.accounts.pages import invitations, passwords, second_factor, sessions
from services.registry.accounts.pages.people import bp, pages

__all__ = ["bp", "invitations", "pages", "passwords", "second_factor", "sessions"]
