"""Request context of reporting: the history session, and addresses of reports and offers."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import quote_plus

from flask import request

from shared.vocab import DEFAULT_LANGUAGE

API_PREFIX = "/api/v1/reports"


@lru_cache(maxsize=16_384)
def _quoted(value: str) -> str:
    return quote_plus(value)


def query(params: Mapping[str, str], lang: str | None = None) -> str:
    """``params`` (and a language other than the default) as a query string, as
    ``urllib.parse.urlencode`` writes it. A national report links several thousand numbers to
    their offers, with the same few codes and numbers in every link: each is quoted once."""
    pairs = dict(params)
    if lang and lang != DEFAULT_LANGUAGE:
        pairs["lang"] = lang
    return "&".join(f"{_quoted(key)}={_quoted(value)}" for key, value in pairs.items())


def this_query() -> str:
    """The query string of this request, for addresses of the same report in another form."""
    return request.query_string.decode("ascii", "replace")
