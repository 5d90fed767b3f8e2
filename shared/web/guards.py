"""Guards on what a request may carry, checked before any view sees it."""

from __future__ import annotations

from flask import Response, request

from shared.messages import Message
from shared.web.errors import error_response


def reject_nul_characters() -> Response | None:
    """Refuse a NUL character in the address or the body (a ``before_request`` function)."""
    # PostgreSQL cannot store NUL in text and SQLite can: refuse it at the edge, so every
    # backend answers the same and no NUL reaches a feed.
    if "\x00" in request.path or b"%00" in request.query_string:
        return error_response(400, Message("request.nul_in_address"))
    if request.mimetype == "multipart/form-data":
        # Uploaded files are binary (an XLSX workbook is a zip archive): check the text fields.
        if any("\x00" in value for value in request.form.values()):
            return error_response(400, Message("request.nul_in_body"))
        return None
    body = request.get_data() if request.content_length else b""
    if b"\\u0000" in body or b"\x00" in body:
        return error_response(400, Message("request.nul_in_body"))
    return None
