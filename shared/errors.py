"""Errors a service layer raises; each web app turns them into one JSON error payload.

Service functions stay free of Flask: they raise these, and ``shared.web`` renders them as
``{"code", "status", "message", "errors"}`` with the matching HTTP status.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence


class DomainError(Exception):
    status_code = 400

    def __init__(
        self, message: str, errors: Mapping[str, Sequence[str] | Mapping] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors) if errors else None


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

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
