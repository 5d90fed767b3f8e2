"""The request's database: one session and one transaction per request, and the helpers that
reach them from a view."""

from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shared.web.errors import CONFLICT_MESSAGE, error_response

log = logging.getLogger(__name__)

EXTENSION = "nettungen.db"


class RequestDatabase:
    """One SQLAlchemy session and one transaction per request.

    Views never commit. After the view, a successful response (status below 400) commits and
    any other rolls back, so a failed request changes nothing. A constraint that only the
    database can check (a unique name raced by two requests) becomes a 409, not a 500.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions[EXTENSION] = self
        app.after_request(self._finish)
        app.teardown_request(self._close)

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.sessionmaker()
        session: Session = g.db_session
        return session

    def keep_despite_error(self) -> None:
        """Commit this request's writes even though it answers with an error status.

        For records that must outlive a refusal, such as a failed login counted by the
        throttle; the view must have written nothing else.
        """
        g.db_keep_despite_error = True

    def _finish(self, response: Response) -> Response:
        session: Session | None = g.pop("db_session", None)
        if session is None:
            return response
        try:
            if response.status_code < 400 or g.pop("db_keep_despite_error", False):
                try:
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    log.info("commit refused by a database constraint", exc_info=True)
                    return error_response(409, CONFLICT_MESSAGE)
            else:
                session.rollback()
        finally:
            session.close()
        return response

    def _close(self, _exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()

    def ping(self) -> None:
        with self.sessionmaker() as session:
            session.execute(text("SELECT 1"))


def request_database() -> RequestDatabase:
    """The database of the app serving this request."""
    database: RequestDatabase = current_app.extensions[EXTENSION]
    return database


def db_session() -> Session:
    """The session of the request being served, begun on first use and committed (or rolled
    back) by :class:`RequestDatabase` when the view has answered."""
    return request_database().session
