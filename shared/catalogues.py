"""Gettext catalogues read from ``.po`` files and compiled in memory, without Flask: for pages
(:mod:`shared.i18n`) and for what is written outside a request, such as mails."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations


def catalogue_path(directory: Path, lang: str) -> Path:
    return directory / lang / "LC_MESSAGES" / "messages.po"


def compile_catalogue(directory: Path, lang: str) -> NullTranslations:
    """The ``.po`` catalogue of ``lang`` as gettext translations (none for English)."""
    path = catalogue_path(directory, lang)
    if not path.exists():
        return NullTranslations()
    with path.open("rb") as po:
        catalogue = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)
