"""Languages of every public page: bokmål by default, nynorsk and English on request.

Each service with pages keeps gettext catalogues beside its templates, in
``translations/<lang>/LC_MESSAGES/messages.po``. Message ids are English; ``nb`` and ``nn`` are
translations and English falls back to the ids. The ``.po`` files are read and compiled in
memory when first needed, so no compiled ``.mo`` file is ever generated or committed.

The language of a request is, in order: ``?lang=`` (remembered in a cookie), the ``lang``
cookie, the browser's ``Accept-Language``, then bokmål. ``no`` (Norwegian) counts as bokmål.
The messages of an API's error answers follow ``Accept-Language`` alone and are English unless
it names bokmål or nynorsk (:func:`for_api`); they are translated by code (``shared.messages``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel.support import NullTranslations
from flask import Flask, Response, g, request
from flask_babel import Babel, Domain, get_locale

# Re-exported: the catalogues' home was this module.
from shared import ages
from shared.catalogues import catalogue_path as catalogue_path
from shared.catalogues import compile_catalogue
from shared.messages import translate_all
from shared.vocab import DEFAULT_LANGUAGE, LANGUAGES

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}
# What browsers send for Norwegian without saying which written standard.
_ALIASES = {"no": "nb", "nb": "nb", "nn": "nn", "en": "en"}
_ONE_YEAR = 365 * 24 * 3600


class PoDomain(Domain):
    """A gettext domain read from ``.po`` files, compiled once per language and kept."""

    def __init__(self, directory: Path) -> None:
        super().__init__(translation_directories=[str(directory)])
        self.directory = directory
        self._compiled: dict[str, NullTranslations] = {}
        self._lock = threading.Lock()

    def translations_for(self, lang: str) -> NullTranslations:
        with self._lock:
            if lang not in self._compiled:
                self._compiled[lang] = compile_catalogue(self.directory, lang)
            return self._compiled[lang]

    def get_translations(self) -> NullTranslations:
        locale = get_locale()
        return self.translations_for(str(locale) if locale else DEFAULT_LANGUAGE)


class _Babel(Babel):
    def __init__(self, directory: Path) -> None:
        self._po_domain = PoDomain(directory)
        super().__init__()

    @property
    def domain_instance(self) -> Domain:
        return self._po_domain


def choose_language(
    query: Mapping[str, str], cookies: Mapping[str, str], accept_language: Any
) -> str:
    """The language of a request from its query, cookies and ``Accept-Language``."""
    for candidate in (query.get("lang"), cookies.get(LANGUAGE_COOKIE)):
        if candidate in LANGUAGES:
            return candidate
    return _accepted(accept_language) or DEFAULT_LANGUAGE


def _accepted(accept_language: Any) -> str | None:
    """The first of our languages that an ``Accept-Language`` header names, if any."""
    for value, _quality in accept_language:
        primary = value.lower().replace("_", "-").split("-")[0]
        if primary in _ALIASES:
            return _ALIASES[primary]
    return None


def api_language() -> str:
    """The language of an API answer's messages: the first of nb, nn and en that the request's
    ``Accept-Language`` names, else English, as the API has always answered."""
    return _accepted(request.accept_languages) or "en"


def for_api(messages: Any) -> Any:
    """A message, or nested field messages, in the API request's language by their codes.

    English is the catalogue's own text (what clients have always read); the internal app's
    English wording (the ``en`` catalogue) is for people, not for API clients.
    """
    lang = api_language()
    return messages if lang == "en" else translate_all(messages, lang)


def current_language() -> str:
    return str(g.get("lang", DEFAULT_LANGUAGE))


def url_in_language(lang: str) -> str:
    """This page's address in another language (the other query parameters kept)."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return f"{request.path}?{urlencode([*args, ('lang', lang)])}"


def init_i18n(app: Flask, directory: Path) -> None:
    """Give ``app`` gettext in Python and templates, and a language for every request."""

    def select() -> None:
        g.lang = choose_language(request.args, request.cookies, request.accept_languages)

    def remember(response: Response) -> Response:
        chosen = request.args.get("lang")
        # Remembered for pages only: an API answer sets no cookie (its open data is read
        # from any origin, shared.web.cors).
        page = response.mimetype == "text/html"
        if page and chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
            response.set_cookie(
                LANGUAGE_COOKIE, chosen, max_age=_ONE_YEAR, samesite="Lax", httponly=True
            )
            # An answer that sets a cookie is this browser's own: a shared cache must not
            # keep it (and hand the cookie to the next reader), whatever the view allowed.
            if response.cache_control.public:
                response.cache_control.public = False
                response.cache_control.private = True
        if response.mimetype == "text/html":
            response.headers["Content-Language"] = current_language()
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
        return response

    app.before_request(select)
    app.after_request(remember)
    _Babel(directory).init_app(
        app, default_locale=DEFAULT_LANGUAGE, locale_selector=current_language
    )
    app.jinja_env.globals.update(
        age_range=lambda age_min, age_max: ages.age_range(age_min, age_max, current_language()),
        current_language=current_language,
        url_in_language=url_in_language,
        language_names=LANGUAGE_NAMES,
        languages=LANGUAGES,
    )
