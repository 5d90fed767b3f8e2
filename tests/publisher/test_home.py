"""``GET /``: the node's landing page names every feed, in bokmål, nynorsk and English, and
every message it shows is translated."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from services.publisher.home.pages import TRANSLATIONS
from tests.publisher.node import BASE_URL

FEEDS = [
    "/ldes",
    "/catalog",
    "/catalog/dump?format=ttl",
    "/hsds/",
    "/openapi.json",
    "/offers.csv",
    "/offers.xlsx",
    "/.well-known/jwks.json",
    "/vocabularies/pyramid-level",
]


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.mark.parametrize(
    ("lang", "heading", "figures"),
    [
        ("nb", "Åpne data fra", "6 tilbud er publisert nå, av 4 organisasjoner"),
        ("nn", "Opne data frå", "6 tilbod er publiserte no, av 4 organisasjonar"),
        ("en", "Open data from", "6 offers are published now, by 4 organisations"),
    ],
)
def test_the_landing_page_names_every_feed(
    publisher: Any, lang: str, heading: str, figures: str
) -> None:
    response = publisher.get(f"/?lang={lang}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{heading} " in html
    assert figures in html
    found = links(html)
    for feed in FEEDS:
        assert BASE_URL + feed in found, feed
        # ... and each one is really served (read to its end: the dump streams from a cursor).
        with publisher.get(feed) as served:
            assert served.status_code == 200 and served.data, feed
    # A page is never readable by other sites.
    assert "Access-Control-Allow-Origin" not in response.headers


def test_bokmal_is_the_default_and_the_page_is_not_json(publisher: Any) -> None:
    html = publisher.get("/").get_data(as_text=True)
    assert '<html lang="nb">' in html and "Strømmer og nedlastinger" in html


def test_every_message_is_translated() -> None:
    home = Path(TRANSLATIONS).parent
    keywords = {**DEFAULT_KEYWORDS}
    found = {
        message if isinstance(message, str) else message[0]
        for path in (home / "templates").rglob("*.html")
        for _, message, _, _ in extract_from_file(babel_extract, str(path), keywords=keywords)
    }
    assert len(found) > 20
    for lang in ("nb", "nn"):
        with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
            catalogue = read_po(po, locale=lang)
        missing = [m for m in found if not (catalogue.get(m) and catalogue.get(m).string)]
        assert not missing, (lang, missing)
