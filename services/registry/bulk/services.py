"""Bulk mapping: rows of a filled workbook become draft offers.

Each row is read into the mapping form's shape, validated by the same schema as the offer form
and the API, and created through :func:`services.registry.offers.services.create_offer` (so it
is authorised and audited like any new offer). A row with problems is reported and skipped; the
valid rows become drafts. A problem with the workbook as a whole (see
:class:`~services.registry.bulk.sheet.FatalSheetError`) imports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from services.registry.accounts.permissions import Actor, Role
from services.registry.audit.services import record
from services.registry.bulk.sheet import BY_KEY, NO, YES, SheetLanguage, label_lookup
from services.registry.duties.services import list_duties
from services.registry.offers import services as offers
from services.registry.offers.models import Offer
from services.registry.offers.schemas import OfferInputSchema
from services.registry.organisations.models import Organisation
from services.registry.ui.forms import flat_messages, parse_number
from shared.errors import DomainError
from shared.messages import Message
from shared.timetable_text import CellError, parse_dates, parse_weekly
from shared.vocab import LANGUAGES


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str  # a column key or a form field (``locations.0.postal_code``)
    message: str


@dataclass
class ImportResult:
    created: list[tuple[int, Offer]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})


def list_choices(
    session: Session, actor: Actor, organisation: Organisation, lang: str
) -> dict[str, list[tuple[str, str]]]:
    """The drop-down lists of the template in ``lang``: vocabularies, the registrar's own
    agencies and the statutory duties of the organisation's kind."""
    actor.require_role(organisation.id, Role.REGISTRAR, "Organisation")
    allowed = actor.agencies.get(organisation.id, frozenset())
    choices: dict[str, list[tuple[str, str]]] = {
        "agency": [(a.public_id, a.name) for a in organisation.agencies if a.id in allowed]
    }
    duties = [
        (d.code, d.title.get(lang) or d.title["nb"])
        for d in list_duties(session, applies_to=organisation.kind)
    ]
    for column in BY_KEY.values():
        if column.field == "statutory_duties":
            choices[column.key] = duties
        elif column.kind == "choice" and column.vocabulary is not None:
            choices[column.key] = [(c.code, c.label(lang)) for c in column.vocabulary]
    return choices


def row_input(
    texts: Mapping[str, str], lookups: Mapping[str, Mapping[str, str]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """One row as the mapping form's input, and the cells that could not be read."""
    data: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, text in texts.items():
        kind = BY_KEY[key].kind
        if kind == "flag":
            problem = _read_flag(data, key, text)
        elif not text:
            continue
        elif kind == "choice":
            problem = _read_choice(data, key, lookups.get(key, {}).get(text.lower()))
        elif kind in ("weekly", "dates", "date"):
            problem = _read_timetable(data, key, kind, text)
        else:
            _read_text(data, key, kind, text)
            continue
        if problem is not None:
            problems.append((key, problem))
    if "locations" in data:
        data["locations"] = [data["locations"]]
    return data, problems


def _read_flag(data: dict[str, Any], key: str, text: str) -> Message | None:
    """A Ja/Nei cell: a yes-or-no field, or one concept of a multi-valued vocabulary."""
    name, _, concept = key.partition(":")
    word = text.lower()
    if word not in YES | NO:
        return Message("bulk.yes_or_no")
    if concept:
        data.setdefault(name, [])
        if word in YES:
            data[name].append(concept)
    elif text:
        data[name] = word in YES
    return None


_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def _read_timetable(data: dict[str, Any], key: str, kind: str, text: str) -> Message | None:
    """A timetable cell: weekly periods, dated occurrences (shared.timetable_text), or a day
    as 2026-08-17 or 17.08.2026."""
    timetable = data.setdefault("timetable", {})
    part = key.split(".", 1)[1]
    if kind == "date":
        day = _NORWEGIAN_DATE.match(text)
        timetable[part] = f"{day[3]}-{int(day[2]):02d}-{int(day[1]):02d}" if day else text
        return None
    try:
        timetable[part] = parse_weekly(text) if kind == "weekly" else parse_dates(text)
    except CellError:
        return Message("bulk.timetable_cell") if kind == "weekly" else Message("bulk.dates_cell")
    return None


def _read_choice(data: dict[str, Any], key: str, code: str | None) -> Message | None:
    """A value chosen from a list, by its label in any language (``code`` is None if none)."""
    name, _, part = key.partition(":")
    if code is None:
        return Message("bulk.choose_from_list")
    if part:
        data.setdefault(name, []).append(code)
    else:
        data[name] = code
    return None


def _read_text(data: dict[str, Any], key: str, kind: str, text: str) -> None:
    name = key.partition(":")[0]
    value: Any = text
    if kind in ("integer", "decimal"):
        value = parse_number(text, kind)
    elif name == "coverage":
        value = [c for c in re.split(r"[\s,;]+", text) if c]
    if "." in name:
        parent, child = name.split(".", 1)
        data.setdefault(parent, {})[child] = value
    else:
        data[name] = value


def import_rows(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    rows: Sequence[tuple[int, Mapping[str, str]]],
    base_url: str,
    filename: str,
) -> ImportResult:
    """Create a draft from every valid row; report the problems of the others."""
    languages = [
        SheetLanguage({}, list_choices(session, actor, organisation, lang), "", "")
        for lang in LANGUAGES
    ]
    lookups = {key: label_lookup(languages, key) for key in BY_KEY}
    result = ImportResult()
    schema = OfferInputSchema()
    for number, texts in rows:
        outcome = _import_row(session, actor, organisation, schema, texts, lookups, base_url)
        if isinstance(outcome, Offer):
            result.created.append((number, outcome))
        else:
            result.problems.extend(RowProblem(number, f, m) for f, m in outcome)
    record(
        session,
        actor,
        "offer.bulk_imported",
        "organisation",
        organisation.organisation_number,
        organisation_id=organisation.id,
        changes={
            "file": filename[:200],
            "created": [offer.id for _n, offer in result.created],
            "rejected_rows": result.rejected_rows,
        },
    )
    return result


def _import_row(
    session: Session,
    actor: Actor,
    organisation: Organisation,
    schema: OfferInputSchema,
    texts: Mapping[str, str],
    lookups: Mapping[str, Mapping[str, str]],
    base_url: str,
) -> Offer | list[tuple[str, str]]:
    """The draft made from one row, or the problems that keep the row out."""
    data, problems = row_input(texts, lookups)
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        problems.extend(flat_messages(exc.messages))
    if problems:
        return problems
    try:
        # A savepoint per row: a row the service refuses leaves nothing behind.
        with session.begin_nested():
            return offers.create_offer(session, actor, organisation, loaded, base_url)
    except DomainError as exc:
        return flat_messages(exc.errors or {"row": [exc.message]})
