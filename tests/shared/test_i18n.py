"""Choosing the language of a request, and compiling catalogues from .po files in memory."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, render_template_string
from werkzeug.datastructures import LanguageAccept

from shared.i18n import LANGUAGE_COOKIE, choose_language, compile_catalogue, init_i18n

PO = """\
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Search"
msgstr "{}"
"""


def _accept(*values: str) -> LanguageAccept:
    return LanguageAccept([(v, 1.0 - i / 10) for i, v in enumerate(values)])


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        ({}, None, (), "nb"),
        ({"lang": "nn"}, "en", ("en",), "nn"),
        ({"lang": "xx"}, "en", ("nn",), "en"),
        ({}, None, ("no", "en"), "nb"),
        ({}, None, ("nn-NO", "nb"), "nn"),
        ({}, None, ("de-DE", "en-GB"), "en"),
        ({}, None, ("de",), "nb"),
    ],
)
def test_language_of_a_request(query, cookie, accept, expected):
    cookies = {LANGUAGE_COOKIE: cookie} if cookie else {}
    assert choose_language(query, cookies, _accept(*accept)) == expected


@pytest.fixture
def translations(tmp_path: Path) -> Path:
    for lang, text in (("nb", "Søk"), ("nn", "Søk i tilbod")):
        folder = tmp_path / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / "messages.po").write_text(PO.format(text), encoding="utf-8")
    return tmp_path


def test_catalogue_compiles_in_memory(translations):
    assert compile_catalogue(translations, "nn").gettext("Search") == "Søk i tilbod"
    assert compile_catalogue(translations, "en").gettext("Search") == "Search"
    assert not list(translations.rglob("*.mo"))


def test_pages_speak_the_chosen_language_and_remember_it(translations):
    app = Flask(__name__)
    init_i18n(app, translations)
    app.add_url_rule(
        "/", "home", lambda: render_template_string("{{ current_language() }}:{{ _('Search') }}")
    )
    client = app.test_client()
    assert client.get("/").get_data(as_text=True) == "nb:Søk"
    response = client.get("/?lang=nn")
    assert response.get_data(as_text=True) == "nn:Søk i tilbod"
    assert response.headers["Content-Language"] == "nn"
    assert f"{LANGUAGE_COOKIE}=nn" in response.headers["Set-Cookie"]
    # The cookie now carries the choice to the next page.
    assert client.get("/").get_data(as_text=True) == "nn:Søk i tilbod"
    assert client.get("/?lang=en").get_data(as_text=True) == "en:Search"


def test_a_page_that_sets_the_language_cookie_is_not_kept_by_shared_caches(translations):
    # A shared cache keeping a public answer with Set-Cookie would hand the cookie (and the
    # language) to the next reader; the same page without ?lang= stays public.
    app = Flask(__name__)
    init_i18n(app, translations)

    @app.route("/")
    def home():
        response = app.make_response(render_template_string("{{ current_language() }}"))
        response.cache_control.public = True
        response.cache_control.max_age = 60
        return response

    client = app.test_client()
    chosen = client.get("/?lang=nn")
    assert f"{LANGUAGE_COOKIE}=nn" in chosen.headers["Set-Cookie"]
    assert chosen.cache_control.private and not chosen.cache_control.public
    assert chosen.cache_control.max_age == 60
    plain = app.test_client().get("/")
    assert "Set-Cookie" not in plain.headers
    assert plain.cache_control.public and not plain.cache_control.private
