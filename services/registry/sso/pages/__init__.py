"""The sign-on pages: logging in through a provider (``login``), and configuring providers
and the domains organisations accept through them (``admin``)."""

from __future__ import annotations

from services.registry.sso.pages.admin import bp as admin_bp
from services.registry.sso.pages.admin import org_bp
from services.registry.sso.pages.login import bp as login_bp

__all__ = ["admin_bp", "login_bp", "org_bp"]
