"""Whether an offer's contact looks like a person's own rather than a desk's or a function's.

An offer's contact is published in open feeds and kept by every copy of them, so it should be a
desk, a function or a shared mailbox (``post@``, ``helsestasjon@``, the on-call phone), never a
person's own address. These are the heuristics behind the form's *warning* (never a refusal:
a small organisation may have no shared mailbox, and the publisher decides):

- **E-mail**: the local part, split at ``.``, ``_`` and ``-`` (digits and a ``+tag``
  dropped), is two or more words of letters none of which is a function word
  (:data:`FUNCTION_WORDS`) —
  ``ola.nordmann@``, ``o.nordmann@``, ``kari-anne.berg@``; or it holds a word of the person's
  name given as contact name (``olanordmann@`` beside "Ola Nordmann"). ``post@``, ``kontakt@``,
  ``helsestasjon@``, ``barnevern.vakt@`` are not personal.
- **Name**: two to four capitalised words of letters (``Ola Nordmann``, ``Kari Anne Berg``),
  none a function word nor containing a long one ("Helsestasjonen Sentrum" and "Familiens hus"
  are desks).
- **Mobile**: a Norwegian mobile number (eight digits starting with 4 or 9, with or without
  +47, :func:`shared.reach.is_mobile`) together with a name that looks like a person's; or a
  mobile number as the offer's only way in (:func:`reach_warnings`,
  :func:`shared.reach.only_a_mobile`), whatever the name.

A single word such as ``kari@`` cannot be told from a desk without a list of first names, and is
not flagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.messages import Message
from shared.reach import is_mobile, only_a_mobile

__all__ = [
    "contact_warnings",
    "email_looks_personal",
    "is_mobile",
    "name_looks_personal",
    "reach_warnings",
]

# Words that name a desk, a service or a function (Norwegian, both forms, and English). A word
# of an e-mail or a name that is one of these, or (for those of five letters or more) contains
# one, makes it a desk's.
FUNCTION_WORDS = frozenset(
    """
    admin adm akutt avd avdeling barnehage barnevern barnevernet bbu bibliotek booking bufetat
    bup chat dps enhet etat familie familiesenter familiens felles fellespost firmapost
    foreldre forebygging fritid fylke fylkeskommune gruppe helse helsestasjon helsesykepleier
    helsetjeneste hjelp hjelpetelefon hus info informasjon innbygger kafe klinikk klubb kommune
    kontakt kontor koordinator krise kundesenter legevakt linje mottak nav noreply no reply ppt
    post postmottak psykisk publikum radgiver resepsjon rus seksjon sekretariat senter sentral
    sentralbord sentrum service servicesenter servicetorg skole skolehelsetjeneste sosial
    stasjon support team telefon tilbud tjeneste tjenester ung ungdom ungdomskontakt vakt vakta
    vakttelefon veileder veiledning velferd web
    """.split()
)
# A word starting with a function word of at least PREFIX_WORD letters ("posten", "infosenter")
# or containing one of at least LONG_WORD letters ("ungdomsklubben") names a desk too.
PREFIX_WORD = 4
LONG_WORD = 5
_EMAIL_PARTS = re.compile(r"[._\-]+")
_NAME_WORD = re.compile(r"^[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéè]+(?:-[A-ZÆØÅÄÖÜÉ][a-zæøåäöüéè]+)?$")


def _is_function_word(word: str) -> bool:
    word = word.lower()
    if word in FUNCTION_WORDS:
        return True
    return any(
        (len(f) >= PREFIX_WORD and word.startswith(f)) or (len(f) >= LONG_WORD and f in word)
        for f in FUNCTION_WORDS
    )


def name_looks_personal(name: str | None) -> bool:
    """Two to four capitalised words of letters, none naming a desk or function."""
    words = (name or "").split()
    if not 2 <= len(words) <= 4:
        return False
    return all(_NAME_WORD.match(w) for w in words) and not any(
        _is_function_word(part) for w in words for part in w.split("-")
    )


def email_looks_personal(email: str | None, name: str | None = None) -> bool:
    """A local part like ``firstname.lastname``, or one holding the given person's name."""
    # A "+tag" is the person's own sub-address, not a desk: ola.nordmann+tilbud@ is Ola's.
    local = (email or "").partition("@")[0].partition("+")[0].lower()
    words = [re.sub(r"\d+", "", w) for w in _EMAIL_PARTS.split(local)]
    words = [w for w in words if w]
    if not words or any(_is_function_word(w) for w in words):
        return False
    if len(words) >= 2 and all(w.isalpha() for w in words) and any(len(w) >= 2 for w in words):
        return True
    if name_looks_personal(name):
        name_words = {w.lower() for w in re.split(r"[\s\-]+", name or "") if len(w) >= 3}
        return any(n in local for n in name_words)
    return False


def contact_warnings(contact: Mapping[str, Any] | None) -> dict[str, list[Message]]:
    """Warnings per form field (``contact.email`` ...) for a contact that looks like a
    person's own; empty when it looks like a desk's or a function's."""
    contact = contact or {}
    name = contact.get("name")
    warnings: dict[str, list[Message]] = {}
    if name_looks_personal(name):
        warnings["contact.name"] = [Message("contact.personal_name")]
    if email_looks_personal(contact.get("email"), name):
        warnings["contact.email"] = [Message("contact.personal_email")]
    if name_looks_personal(name) and is_mobile(contact.get("phone")):
        warnings["contact.phone"] = [Message("contact.personal_mobile")]
    return warnings


def reach_warnings(content: Mapping[str, Any]) -> dict[str, list[Message]]:
    """The warnings of :func:`contact_warnings` for the offer's whole content (form data or
    a version document), and one more on the phone when a mobile number is its only way in."""
    contact = content.get("contact")
    warnings = contact_warnings(contact if isinstance(contact, Mapping) else {})
    if only_a_mobile(content) and "contact.phone" not in warnings:
        warnings["contact.phone"] = [Message("contact.only_mobile")]
    return warnings
