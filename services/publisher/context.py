"""Request context of the publisher: the node's database session and settings."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from shared.web import RequestDatabase


def db_session() -> Session:
    database: RequestDatabase = current_app.extensions["nettungen.db"]
    return database.session


def base_url() -> str:
    return str(current_app.config["NODE_BASE_URL"])
