"""Mails written from templates in the recipient's language: a subject, plain text and HTML.

The templates are ``templates/mail/<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``;
they extend ``base.txt`` and ``base.html``, which say why the mail was sent and, for optional
mails, where to turn them off. Their text is translated through the registry's catalogue, as
the pages are, but without Flask: a mail is written in a service function, maybe in a command.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.catalogues import compile_catalogue
from shared.vocab import LANGUAGES

TEMPLATES = Path(__file__).parent / "templates"
TRANSLATIONS = Path(__file__).parents[1] / "translations"
PREFERENCES_PATH = "/account/mail"


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


@functools.cache
def environment(lang: str) -> Environment:
    """One environment per language, so translations never change under a render."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=False),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(compile_catalogue(TRANSLATIONS, lang), newstyle=True)  # type: ignore[attr-defined]
    return env


def render(
    template: str, lang: str, params: Mapping[str, Any], *, base_url: str, optional: bool
) -> RenderedMail:
    """The mail ``template`` in ``lang`` with ``params``; links are made absolute under
    ``base_url``, and an optional mail links to the page where the reader turns it off."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    env = environment(lang)
    context = {
        **params,
        "lang": lang,
        "optional": optional,
        "link": lambda path: base_url + path,
        "preferences_url": base_url + PREFERENCES_PATH,
    }
    subject = " ".join(env.get_template(f"mail/{template}.subject.txt").render(context).split())
    context["subject"] = subject
    return RenderedMail(
        subject=subject,
        text=env.get_template(f"mail/{template}.txt").render(context),
        html=env.get_template(f"mail/{template}.html").render(context),
    )
