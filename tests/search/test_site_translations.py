"""Every message of the public site has a bokmål and a nynorsk translation.

The messages are extracted from the site's Python modules and templates with babel's own
extractors (as ``pybabel extract`` would), so a new ``_()`` without a translation fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from services.search.site import TRANSLATIONS
from shared.i18n import catalogue_path, compile_catalogue

SITE = Path(TRANSLATIONS).parent
# The node status pages the site serves are shared with reporting (shared.ingest.status_web).
SHARED_PAGES = sorted((SITE.parents[2] / "shared" / "templates" / "shared").glob("status_*.html"))
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
Message = str | tuple[str, ...]


def extracted() -> dict[Message, list[str]]:
    """Every message id in the site's code and templates, with where it is used."""
    found: dict[Message, list[str]] = {}
    sources = [("python", p) for p in sorted(SITE.rglob("*.py"))]
    sources += [(babel_extract, p) for p in sorted((SITE / "templates").rglob("*.html"))]
    sources += [(babel_extract, p) for p in SHARED_PAGES]
    for method, path in sources:
        for lineno, message, _comments, _context in extract_from_file(
            method, str(path), keywords=KEYWORDS
        ):
            found.setdefault(message, []).append(f"{path.name}:{lineno}")
    return found


def catalogue(lang: str) -> Catalog:
    with catalogue_path(TRANSLATIONS, lang).open("rb") as po:
        return read_po(po, locale=lang)


@pytest.fixture(scope="module")
def messages() -> dict[Message, list[str]]:
    found = extracted()
    assert len(found) > 150  # the extractors saw the templates, not just the Python
    return found


def _key(message: Message) -> str:
    return message if isinstance(message, str) else message[0]


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_message_is_translated(messages, lang):
    translated = catalogue(lang)
    missing = []
    for message, where in messages.items():
        entry = translated.get(_key(message))
        strings = () if entry is None else entry.string
        strings = (strings,) if isinstance(strings, str) else strings
        if entry is None or entry.fuzzy or not strings or not all(s.strip() for s in strings):
            missing.append(f"{message!r} ({', '.join(where)})")
        elif isinstance(message, tuple) != entry.pluralizable:
            missing.append(f"{message!r}: singular/plural differs from the catalogue")
    assert not missing, f"untranslated in {lang}:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_translations_keep_the_placeholders(messages, lang):
    translated = catalogue(lang)
    wrong = []
    for message in messages:
        ids = (message,) if isinstance(message, str) else message
        allowed = {name for text in ids for name in PLACEHOLDER.findall(text)}
        entry = translated.get(_key(message))
        strings = (entry.string,) if isinstance(entry.string, str) else entry.string
        for text in strings:
            used = set(PLACEHOLDER.findall(text))
            # A plural's singular may spell the number out ("one part"); the rest may not.
            if not used <= allowed or (isinstance(message, str) and used != allowed):
                wrong.append(f"{message!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_catalogue_has_no_stale_messages(messages, lang):
    ids = {_key(m) for m in messages}
    stale = [m.id for m in catalogue(lang) if m.id and _key(m.id) not in ids]
    assert not stale


def test_catalogues_compile_and_differ(messages):
    nb = compile_catalogue(TRANSLATIONS, "nb")
    nn = compile_catalogue(TRANSLATIONS, "nn")
    assert nb.gettext("Search offers") == "Søk i tilbud"
    assert nn.gettext("Search offers") == "Søk i tilbod"
    assert nn.ngettext("%(num)d offer", "%(num)d offers", 2) == "%(num)d tilbod"
    differ = [m for m in messages if isinstance(m, str) and nb.gettext(m) != nn.gettext(m)]
    assert len(differ) > len(messages) / 2
