"""What a publisher reviews: the submitted working copy next to the published version, field by
field in words people read, and what the registrar changed since the offer was sent back."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry
from services.registry.duties.models import StatutoryDuty
from services.registry.offers import services
from services.registry.offers.content import content_of, content_of_document
from services.registry.offers.form import BY_NAME, FIELDS
from services.registry.offers.models import Offer
from services.registry.organisations.models import Agency
from shared.ages import age_range
from shared.areas import UnknownAreaError, reference_data
from shared.timetable_text import dates_text, weekly_text

# Free text compared word by word; shorter values are shown whole, before and after.
LONG_TEXT = {"description", "schedule", "cost_description", "evaluation_description"}


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    before: str
    after: str
    changed: bool
    # For long text: (kind, words) runs where kind is "same", "removed" or "added".
    words: tuple[tuple[str, str], ...] = ()


# Fields whose parts the form shows as fields of their own.
NESTED = ("contact", "timetable")


def flatten(content: Mapping[str, Any] | None) -> dict[str, Any]:
    """Content with the contact's and the timetable's parts as fields of their own, as the
    form shows them."""
    if content is None:
        return {}
    flat = {k: v for k, v in content.items() if k not in NESTED}
    for name in NESTED:
        for key, value in (content.get(name) or {}).items():
            flat[f"{name}.{key}"] = value
    return flat


class Labeller:
    """Turns stored codes and values into what a person reads, in the page's language."""

    def __init__(self, session: Session, lang: str, organisation_id: int) -> None:
        self.lang = lang
        query = select(Agency.public_id, Agency.name).where(
            Agency.organisation_id == organisation_id
        )
        self.agencies = {public_id: name for public_id, name in session.execute(query)}
        self.duties = {d.code: d for d in session.scalars(select(StatutoryDuty))}

    def _area(self, code: str) -> str:
        try:
            return f"{reference_data().get(code).label(self.lang)} ({code})"
        except (UnknownAreaError, KeyError):
            return code

    def _duty(self, code: str) -> str:
        duty = self.duties.get(code)
        if duty is None:
            return code
        title = duty.title.get(self.lang) or duty.title.get("nb") or code
        return f"{title} ({duty.law_short} {duty.section})"

    def text(self, name: str, value: Any) -> str:
        if value in (None, "", []):
            return "–"
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        spec = BY_NAME.get(name)
        if name == "agency":
            return str(self.agencies.get(value, value))
        if name == "statutory_duties":
            return "; ".join(self._duty(c) for c in value)
        if name == "coverage":
            return ", ".join(self._area(c) for c in value)
        if name == "locations":
            return " | ".join(_location(loc) for loc in value)
        if name == "guides":
            return " | ".join(f"{g.get('title')} ({g.get('url')})" for g in value)
        if name == "timetable.weekly":
            return weekly_text(value, self.lang)
        if name == "timetable.dates":
            return dates_text(value, self.lang)
        if spec is not None and spec.vocabulary is not None:
            codes = value if isinstance(value, list) else [value]
            vocabulary = spec.vocabulary
            return ", ".join(
                vocabulary.get(str(c)).label(self.lang) if str(c) in vocabulary else str(c)
                for c in codes
            )
        if name in ("age_min", "age_max") and value == 0:
            # 0 is "from pregnancy and birth" (the form's hint), not a baby's birthday.
            return f"0 ({age_range(0, 0, self.lang).lower()})"
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


def _location(loc: Mapping[str, Any]) -> str:
    town = " ".join(str(loc[k]) for k in ("postal_code", "postal_town") if loc.get(k))
    parts = [loc.get("name"), loc.get("street_address"), town or None]
    text = ", ".join(str(p) for p in parts if p)
    if loc.get("latitude") is not None and loc.get("longitude") is not None:
        text += f" ({loc['latitude']}, {loc['longitude']})"
    return text


def _words(before: str, after: str) -> tuple[tuple[str, str], ...]:
    old, new = before.split(), after.split()
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(new[j1:j2])))
    return tuple(runs)


def compare(
    labeller: Labeller, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[Row]:
    """Every field of the form, in form order, with its value before and after."""
    old, new = flatten(before), flatten(after)
    rows = []
    for spec in FIELDS:
        a, b = old.get(spec.name), new.get(spec.name)
        changed = before is not None and a != b or before is None and b not in (None, "", [])
        words: tuple[tuple[str, str], ...] = ()
        if changed and spec.name in LONG_TEXT and a and b:
            words = _words(str(a), str(b))
        rows.append(
            Row(
                spec.name,
                str(spec.label),
                labeller.text(spec.name, a) if before is not None else "",
                labeller.text(spec.name, b),
                changed,
                words,
            )
        )
    return rows


def published_content(session: Session, actor: Actor, offer: Offer) -> dict[str, Any] | None:
    """The content of the version the public sees now, or None before the first publication."""
    if offer.published_version is None:
        return None
    version = services.get_version(session, actor, offer.id, offer.published_version)
    return content_of_document(json.loads(version.snapshot))


def review_rows(session: Session, actor: Actor, offer: Offer, lang: str) -> list[Row]:
    """The working copy against the published version, for the publisher's review."""
    return compare(
        Labeller(session, lang, offer.organisation_id),
        published_content(session, actor, offer),
        content_of(offer),
    )


def changed_since_sent_back(entries: Sequence[AuditEntry]) -> set[str] | None:
    """Fields the registrar changed after the last send-back (None if never sent back)."""
    last = max((i for i, e in enumerate(entries) if e.action == "offer.sent_back"), default=None)
    if last is None:
        return None
    changed: set[str] = set()
    for entry in entries[last + 1 :]:
        if entry.action != "offer.updated":
            continue
        for name, (before, after) in (entry.changes or {}).items():
            if name in NESTED:
                old, new = flatten({name: before or {}}), flatten({name: after or {}})
                changed |= {k for k in set(old) | set(new) if old.get(k) != new.get(k)}
            else:
                changed.add(name)
    return changed
