"""Request context of reporting: the history session, addresses of reports and offers, and
the caching of public answers.

Reporting has no accounts: every report, page, list and download answers the same to every
reader (docs/security.md), an organisation's report included (it counts published offers).
So every answer is public (:func:`public_answer`): a weak ETag made of the history's count of
changes (:mod:`services.reporting.history.changes`), the address, the report's arguments, the
language and the day it is drawn for (today in Norway unless ``at`` names one, so an answer
"as of today" changes at midnight in Oslo with nothing new in the history); a ``304`` without
drawing the report to a client that has it; ``Cache-Control: public, max-age=60``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any
from urllib.parse import quote_plus

from flask import request
from werkzeug.sansio.response import Response as ResponseBase

from services.reporting.history.changes import COUNT
from services.reporting.norway_time import today
from shared.vocab import DEFAULT_LANGUAGE, LANGUAGES
from shared.web import db_session
from shared.web.caching import cacheable, not_modified

API_PREFIX = "/api/v1/reports"
# The answer's language is chosen by these request headers unless ?lang= names it
# (shared.i18n.choose_language): a cache must then keep one answer per language.
LANGUAGE_HEADERS = ("Accept-Language", "Cookie")
# What the OpenAPI document says of the caching headers of a report's answers.
CACHING_HEADERS = {
    "ETag": {
        "description": "Weak: the history's count of changes, the address, the arguments, "
        "the language and the day the report is drawn for.",
        "schema": {"type": "string"},
    },
    "Cache-Control": {"description": "public, max-age=60", "schema": {"type": "string"}},
}
NOT_MODIFIED = (
    "Nothing the report is made of has changed since the answer whose ETag the request names "
    "in If-None-Match (weak comparison: W/, a list or * also match)."
)


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


def answer_tag(args: Mapping[str, Any], *also: object) -> str:
    """The (weak) ETag of this request's answer as of now: the history's epoch and count of
    changes, and what else the answer is made of: this address (the report, and its form:
    JSON, a page, CSV, XLSX), the validated arguments (the language among them), the day the
    report is drawn for, and ``also`` (what else a page shows)."""
    arguments = sorted((name, str(value)) for name, value in args.items())
    day = args.get("at") or today()
    return COUNT.answer_tag(db_session(), request.path, arguments, day, *also)


def language_vary() -> tuple[str, ...]:
    """The request headers that chose the answer's language: none when ``?lang=`` did."""
    return () if request.args.get("lang") in LANGUAGES else LANGUAGE_HEADERS


def public_answer(
    args: Mapping[str, Any], mimetype: str, make: Callable[[], ResponseBase], *also: object
) -> ResponseBase:
    """``304`` if the request's ``If-None-Match`` names the answer's :func:`answer_tag`, else
    the answer ``make`` makes (of ``mimetype``); either public and tagged."""
    etag, vary = answer_tag(args, *also), language_vary()
    if request.if_none_match.star_tag:
        # "*" matches any answer there is (RFC 9110, 13.1.2), and a report of an organisation
        # without offers, or a table the report lacks, has none: made first, it is a 404.
        make()
    return not_modified(etag, vary, mimetype) or cacheable(make(), etag, vary)
