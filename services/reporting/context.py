"""Request context of reporting: the history session, and addresses of reports and offers."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from flask import request

from shared.vocab import DEFAULT_LANGUAGE

API_PREFIX = "/api/v1/reports"


def query(params: Mapping[str, str], lang: str | None = None) -> str:
    """``params`` (and a language other than the default) as a query string."""
    pairs = dict(params)
    if lang and lang != DEFAULT_LANGUAGE:
        pairs["lang"] = lang
    return urlencode(pairs)


def this_query() -> str:
    """The query string of this request, for addresses of the same report in another form."""
    return request.query_string.decode("ascii", "replace")
