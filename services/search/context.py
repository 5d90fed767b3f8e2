"""Request context of national search: the index session and the public base URL."""

from __future__ import annotations

from flask import current_app


def public_url(path: str = "") -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"
