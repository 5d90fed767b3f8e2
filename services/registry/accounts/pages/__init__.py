"""The accounts pages: signing in and out, the administrator's people pages (``people``),
invitations (``invitations``) and passwords (``passwords``)."""

from __future__ import annotations

from services.registry.accounts.pages import invitations, passwords
from services.registry.accounts.pages.people import bp, pages

__all__ = ["bp", "invitations", "pages", "passwords"]
