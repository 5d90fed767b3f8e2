"""Errors a service layer raises; each web app turns them into one JSON error payload.

Service functions stay free of Flask: they raise these, and ``shared.web`` renders them as
``{"code", "status", "message", "errors"}`` with the matching HTTP status.

An error is raised with a stable message code from ``shared.message_catalogue`` and its
parameters (``Conflict("offer.wrong_status", action="submit", status="draft")``); its
``message`` is the English text, and the API and the pages translate it by that code. Field
messages in ``errors`` are :class:`~shared.messages.Message` objects too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from shared.messages import Message


class DomainError(Exception):
    status_code = 400

    def __init__(
        self,
        code: str,
        errors: Mapping[str, Sequence[str] | Mapping] | None = None,
        /,
        **params: Any,
    ) -> None:
        self.message = Message(code, **params)
        super().__init__(self.message)
        self.errors = dict(errors) if errors else None

    @property
    def code(self) -> str:
        """The stable code of the message, e.g. ``offer.awaiting_review``."""
        return self.message.code

    @property
    def params(self) -> dict[str, Any]:
        return self.message.params


class InvalidInput(DomainError):
    """Field-level problems with the request body; ``errors`` maps field names to messages."""

    status_code = 422


class AuthenticationRequired(DomainError):
    status_code = 401


class PermissionDenied(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The request is well-formed but not allowed in the current state (e.g. a transition)."""

    status_code = 409


class ServiceUnavailable(DomainError):
    """The node cannot do this until its operator acts (e.g. no signing key yet)."""

    status_code = 503


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, code: str, /, *, retry_after: int, **params: Any) -> None:
        super().__init__(code, **params)
        self.retry_after = retry_after
