"""Every message of the internal app's templates and Python has a bokmål and a nynorsk text."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import services.registry

SOURCE = Path(services.registry.__file__).parent
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}


def extracted() -> set[str]:
    found = extract_from_dir(
        str(SOURCE),
        method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
        keywords=KEYWORDS,
    )
    return {message if isinstance(message, str) else message[0] for _f, _l, message, *_ in found}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_message_is_translated(lang):
    messages = extracted()
    assert len(messages) > 300  # the extractors found the pages' text
    path = SOURCE / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=lang)
    translated = {m.id: m.string for m in catalogue if m.id and not m.fuzzy}
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"{len(missing)} messages lack a {lang} text: {missing[:10]}"
