"""Request context of the publisher: the node's database session and settings."""

from __future__ import annotations

from flask import current_app


def base_url() -> str:
    return str(current_app.config["NODE_BASE_URL"])
