"""Query parameters of a public read API: validated strictly, refused with a 400.

A parameter the endpoint does not know is refused like a malformed one (a 400 in the error
format, ``errors.query.<name>``): a misspelt filter would otherwise be ignored, and the client
would believe it had filtered what it got.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema

QUERY_ERROR_STATUS = 400


def strict_query(
    blp: Blueprint, schema: type[Schema]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``blp.arguments`` for the query string by ``schema``, a 400 when a parameter is
    malformed or unknown (webargs drops unknown query parameters unless told otherwise,
    whatever the schema says)."""
    decorate: Callable[[Callable[..., Any]], Callable[..., Any]] = blp.arguments(
        schema, location="query", error_status_code=QUERY_ERROR_STATUS, unknown=RAISE
    )
    return decorate
