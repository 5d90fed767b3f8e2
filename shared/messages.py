"""Messages by stable code: what a service says when it refuses, and how people read it.

A :class:`Message` is the English text a client of the API has always read (a ``str``, so
JSON, logs and tests see the same text as before), and it also carries a stable ``code`` and
its ``params``. The English templates are in one catalogue, ``shared.message_catalogue``;
an unknown code fails at once. People read the message in their language by code, from the
gettext catalogues in ``shared/translations/<lang>/LC_MESSAGES/messages.po`` (bokmål, nynorsk
and the internal app's English, whose message ids are the codes): nothing ever reads the
English text to find out what it means.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

from shared.message_catalogue import MESSAGES

TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TRANSLATED_LANGUAGES = ("nb", "nn", "en")


class UnknownMessageCode(KeyError):
    """A code that the catalogue does not hold: a programming error, caught by the tests."""


class _Params(dict[str, Any]):
    # A placeholder whose value is not known yet stays as it is: marshmallow fills a
    # validator's message in two steps (its operators when built, its bounds when it fails).
    def __missing__(self, key: str) -> str:
        return f"%({key})s"


def render(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with its ``%(name)s`` placeholders filled from ``params``."""
    return template % _Params(params)


class Message(str):
    """The English text of the message ``code``, carrying the code and its parameters."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, /, **params: Any) -> Message:
        try:
            template = MESSAGES[code]
        except KeyError:
            raise UnknownMessageCode(code) from None
        message = super().__new__(cls, render(template, params))
        message.code = code
        message.params = params
        return message

    def format(self, *_args: Any, **params: Any) -> Message:
        """The same message with more parameters: marshmallow formats its messages this way."""
        return Message(self.code, **{**self.params, **params})

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, self.params))

    def __copy__(self) -> Message:
        return self

    def __deepcopy__(self, _memo: dict[int, Any]) -> Message:
        return self


def _rebuild(code: str, params: dict[str, Any]) -> Message:
    return Message(code, **params)


_lock = threading.Lock()
_loaded: dict[str, dict[str, str]] = {}


def translations(lang: str) -> dict[str, str]:
    """The translated templates of ``lang`` by code (fuzzy entries left out), read once."""
    with _lock:
        if lang not in _loaded:
            path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
            with path.open("rb") as po:
                catalogue = read_po(po, locale=lang)
            _loaded[lang] = {
                str(m.id): str(m.string) for m in catalogue if m.id and m.string and not m.fuzzy
            }
        return _loaded[lang]


def translate(text: str, lang: str) -> str:
    """A message in ``lang`` (nb, nn or en) by its code; text without a code stays as it is."""
    if not isinstance(text, Message) or lang not in TRANSLATED_LANGUAGES:
        return str(text)
    template = translations(lang).get(text.code)
    if template is None:
        return str(text)
    # A parameter may be a message itself (why one number in a list is refused).
    params = {
        key: translate(value, lang) if isinstance(value, Message) else value
        for key, value in text.params.items()
    }
    return render(template, params)


def translate_all(messages: Any, lang: str) -> Any:
    """Field-level messages (nested dicts and lists, as marshmallow gives them) in ``lang``."""
    if isinstance(messages, Mapping):
        return {key: translate_all(value, lang) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [translate_all(value, lang) for value in messages]
    if isinstance(messages, str):
        return translate(messages, lang)
    return messages
