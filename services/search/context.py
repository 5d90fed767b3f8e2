"""Request context of national search: the index session and the public base URL."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from shared.web import RequestDatabase


def db_session() -> Session:
    database: RequestDatabase = current_app.extensions["nettungen.db"]
    return database.session


def public_url(path: str = "") -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}{path}"
