"""Whether the only way to reach an offer is a Norwegian mobile number.

An offer's contact is published openly and kept by every copy of the feeds. A mobile number
(eight digits starting with 4 or 9, perhaps after +47) as the offer's only way in (no e-mail,
no web address, no place with opening hours) is likely a staff member's own phone: when that
person leaves or is ill, nobody answers, and their private number stays in the copies. The
registry's form and the quality report warn about it; nothing refuses it (a small voluntary
group may have nothing else). Shared because the registry and reporting both judge it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.publication.schema import reachable

_MOBILE = re.compile(r"^(?:(?:\+|00)47)?[49]\d{7}$")


def is_mobile(phone: str | None) -> bool:
    """A Norwegian mobile number: eight digits starting with 4 or 9, perhaps after +47."""
    return bool(_MOBILE.match(re.sub(r"[\s\-().]", "", phone or "")))


def only_a_mobile(document: Mapping[str, Any]) -> bool:
    """The offer's phone is a mobile number, and without it there is no way in (a stated
    reason for having none does not count: there is a phone)."""
    contact = document.get("contact") or {}
    if not isinstance(contact, Mapping) or not is_mobile(contact.get("phone")):
        return False
    without = {**document, "contact": {**contact, "phone": None}, "no_contact_reason": None}
    return not reachable(without)
