"""Personal data in an offer version, and the redaction that removes it.

An offer's contact is meant for a desk or a function, but a registrar may enter a person's own
name, e-mail address and phone number. Those three fields of ``contact`` are the personal data
a published version can hold (:data:`PERSONAL_FIELDS`); the contact's ``url`` (a web page),
the provider, agency, locations (premises) and ``responsible_role`` (a function, not a name)
are not. Nor is ``no_contact_reason``, a code (``vocab.NO_CONTACT_REASONS``), but versions
published before the codes came hold it as free text, which may name or reach a person ("ring
Kari på 912 34 567"): such a text is personal data too, and a redaction removes it with the
contact's fields (:func:`free_text_reason`). The redaction event's ``fields`` stay the three
contact paths, as every consumer already checks them; the reason's text goes with them.

A redaction removes the personal fields from every version of one offer up to
``through_version``. The node rewrites its stored versions and re-signs each changed log row
with the key that signed it first (so it verifies for anyone who could verify the original),
and appends a redaction event (``no.nettungen.offer.redacted``) to its log. Its subject is
``<offer URI>/redactions/<sequence>``, and its data::

    {"offer": <offer URI>, "through_version": <n>,
     "fields": ["contact.email", "contact.name", "contact.phone"]}

Every consumer removes the fields from each version of the offer it keeps up to
``through_version``, and from any such version that reaches it later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from shared.publication.schema import canonical_json
from shared.vocab import NO_CONTACT_REASONS

# The contact's fields that can name, reach or identify a natural person.
PERSONAL_FIELDS = ("name", "email", "phone")
# As a redaction event names them.
FIELD_PATHS = tuple(sorted(f"contact.{name}" for name in PERSONAL_FIELDS))
REDACTIONS_PATH = "/redactions/"


def redaction_uri(offer_uri: str, sequence: int) -> str:
    """The subject of the redaction event at log ``sequence`` of the offer ``offer_uri``."""
    return f"{offer_uri}{REDACTIONS_PATH}{sequence}"


def free_text_reason(document: Mapping[str, Any]) -> bool:
    """Whether the version's reason for no way in is text from before the codes."""
    reason = document.get("no_contact_reason")
    return isinstance(reason, str) and bool(reason) and reason not in NO_CONTACT_REASONS


def has_personal_data(document: Mapping[str, Any]) -> bool:
    """Whether a version document holds any personal contact field with a value, or a reason
    in free text."""
    contact = document.get("contact")
    if isinstance(contact, Mapping) and any(contact.get(name) for name in PERSONAL_FIELDS):
        return True
    return free_text_reason(document)


def without_contact_person(contact: Mapping[str, Any] | None) -> dict[str, Any]:
    """The contact without its personal fields (the rest, such as its ``url``, kept)."""
    return {k: v for k, v in (contact or {}).items() if k not in PERSONAL_FIELDS}


def without_personal_data(document: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a version document (or event data) without the personal contact fields and
    without a reason in free text."""
    redacted = dict(document)
    if isinstance(document.get("contact"), Mapping):
        redacted["contact"] = without_contact_person(document["contact"])
    if free_text_reason(document):
        redacted["no_contact_reason"] = None
    return redacted


def redact_json(text: str) -> str | None:
    """The stored JSON of a version without its personal data, as canonical JSON; ``None``
    when it holds none (or is not a version), so the caller leaves it as it is."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    if not isinstance(document, dict) or not has_personal_data(document):
        return None
    return canonical_json(without_personal_data(document))


def redaction_data(offer_uri: str, through_version: int) -> dict[str, Any]:
    """The data of a redaction event."""
    return {"offer": offer_uri, "through_version": through_version, "fields": list(FIELD_PATHS)}
