"""The search as the site's address carries it: parsed, validated, and changed for links.

The site takes the same query parameters as ``/api/v1/offers`` (``q``, ``municipality``,
``level`` ...), so any search on the site has its JSON twin, and validates them with the API's
own schema. What differs is the answer to a bad value: a page naming the problem in the
reader's language, and a way on. Empty fields, as a submitted form sends them, mean "not
chosen".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask_babel import lazy_gettext
from marshmallow import ValidationError, fields
from werkzeug.datastructures import MultiDict

from services.search.api.schemas import OfferSearchSchema, to_offer_query
from services.search.index.keyset import Cursor
from services.search.index.query import OfferQuery

PER_PAGE = 20
# The parameters in the order links write them, so one search has one address.
ORDER = (
    "q",
    "municipality",
    "county",
    "region",
    "organisation",
    "level",
    "category",
    "provider_kind",
    "risk_group",
    "diagnosis_group",
    "audience",
    "language",
    "age",
    "free",
    "statutory",
    "near",
    "radius",
    "open_on",
    "open_at",
    "page",
    "cursor",
)
# The query's facet name behind each parameter that differs from it.
FACET_OF = {"free": "free_of_charge"}
PARAM_OF = {facet: param for param, facet in FACET_OF.items()}
CHECKBOX_FACETS = (
    "level",
    "category",
    "provider_kind",
    "risk_group",
    "diagnosis_group",
    "audience",
    "language",
)
YES_NO_FACETS = ("free_of_charge", "statutory")
# The parameters chosen in the "Filter" panel (the place and the words are chosen above it).
PANEL = (*CHECKBOX_FACETS, "age", "free", "statutory", "near", "open_on", "open_at")

LABELS = {
    "q": lazy_gettext("Search words"),
    "municipality": lazy_gettext("Municipality"),
    "county": lazy_gettext("County"),
    "region": lazy_gettext("Region"),
    "organisation": lazy_gettext("Organisation"),
    "level": lazy_gettext("Level in the pyramid"),
    "category": lazy_gettext("Category"),
    "provider_kind": lazy_gettext("Provided by"),
    "risk_group": lazy_gettext("Risk group"),
    "diagnosis_group": lazy_gettext("Diagnosis group"),
    "audience": lazy_gettext("Target group"),
    "language": lazy_gettext("Language"),
    "age": lazy_gettext("Age"),
    "free": lazy_gettext("Free of charge"),
    "statutory": lazy_gettext("Statutory"),
    "near": lazy_gettext("Near"),
    "radius": lazy_gettext("Distance"),
    "open_on": lazy_gettext("Open on"),
    "open_at": lazy_gettext("Open at"),
    "page": lazy_gettext("Page"),
    "cursor": lazy_gettext("Next page"),
}
PROBLEMS = {
    "q": lazy_gettext("Search words can be at most 200 characters long."),
    "municipality": lazy_gettext(
        "This is not the number of a municipality in today's classification. "
        "Choose the municipality from the list."
    ),
    "county": lazy_gettext("This is not the number of a county in today's classification."),
    "region": lazy_gettext("This is not the code of one of the regions."),
    "organisation": lazy_gettext("An organisation number has nine digits."),
    "level": lazy_gettext("The level in the pyramid is 1, 2 or 3."),
    "category": lazy_gettext("This is not one of the categories of offers."),
    "provider_kind": lazy_gettext("This is not one of the kinds of provider."),
    "risk_group": lazy_gettext("This is not one of the risk groups."),
    "diagnosis_group": lazy_gettext("This is not one of the diagnosis groups."),
    "audience": lazy_gettext("This is not one of the target groups."),
    "language": lazy_gettext("This is not one of the languages offers are given in."),
    "age": lazy_gettext("Write the age as a whole number of years, from 0 to 25."),
    "free": lazy_gettext("Choose yes or no."),
    "statutory": lazy_gettext("Choose yes or no."),
    "near": lazy_gettext(
        "Write the point as latitude,longitude in degrees, e.g. 59.7441,10.2045 for Drammen."
    ),
    "radius": lazy_gettext("The distance is more than 0 and at most 2000 km, from a point."),
    "open_on": lazy_gettext("Choose a day of the week from the list."),
    "open_at": lazy_gettext("Write the time as hours and minutes, for example 18:00."),
    "page": lazy_gettext("The page number is a whole number from 1 to 10000."),
    "cursor": lazy_gettext(
        "This link to the next page belongs to another search or is damaged. "
        "Start again from the first page."
    ),
}

_OPAQUE = frozenset({"cursor"})
_SCHEMA = OfferSearchSchema(exclude=("per_page", "facets", "lang"))
_LISTS = frozenset(name for name, f in _SCHEMA.fields.items() if isinstance(f, fields.List))


@dataclass(frozen=True)
class Problem:
    """One parameter the site cannot use, with what was sent and why."""

    name: str
    values: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(LABELS[self.name])

    @property
    def message(self) -> str:
        return str(PROBLEMS[self.name])


class InvalidSearch(Exception):
    """The address holds values the search cannot use; ``valid`` is what remains of it."""

    def __init__(self, problems: list[Problem], valid: SearchParams) -> None:
        super().__init__(", ".join(p.name for p in problems))
        self.problems = problems
        self.valid = valid


@dataclass(frozen=True)
class SearchParams:
    """A validated search: the API schema's data, which the links below change."""

    data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def page(self) -> int:
        return int(self.data.get("page", 1))

    @property
    def after(self) -> Cursor | None:
        """The cursor of a page reached by "next page" past the numbered ones."""
        after = self.data.get("after")
        return after if isinstance(after, Cursor) else None

    def query(self) -> OfferQuery:
        return to_offer_query(dict(self.data))

    def values(self, name: str) -> list[Any]:
        value = self.data.get(name)
        if value is None:
            return []
        return list(value) if name in _LISTS else [value]

    def pairs(self) -> list[tuple[str, str]]:
        """The parameters in their fixed order, as an address writes them."""
        pairs = [(name, _text(value)) for name in ORDER for value in self.values(name)]
        return [(name, value) for name, value in pairs if (name, value) != ("page", "1")]

    def query_string(self) -> str:
        return urlencode(self.pairs())

    def replace(self, **changes: Any) -> SearchParams:
        """The same search with parameters set (``None`` removes one); back to page one
        unless a page is given."""
        data = {k: v for k, v in self.data.items() if k not in ("page", "cursor", "after")}
        data.update(changes)
        return SearchParams({k: v for k, v in data.items() if v not in (None, [], "")})

    def without(self, name: str, value: Any = None) -> SearchParams:
        """The same search without one value of a parameter (or all of it), from page one.
        Without the point there is no distance from it either."""
        if name == "near":
            return self.replace(near=None, radius=None)
        if value is None or name not in _LISTS:
            return self.replace(**{name: None})
        return self.replace(**{name: [v for v in self.data[name] if v != value]})

    def filters(self) -> list[tuple[str, Any]]:
        """Every chosen value of every parameter except the page, as (name, value)."""
        return [(n, v) for n in ORDER if n not in ("page", "cursor") for v in self.values(n)]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):  # a point
        return ",".join(number_text(part) for part in value)
    if isinstance(value, float):
        return number_text(value)
    return str(value)


def number_text(value: float) -> str:
    """A number as an address writes it: every digit the float has (its shortest exact
    form), so a link searches from exactly the same point; no ``.0`` on a whole number."""
    text = repr(float(value))
    return text.removesuffix(".0")


def _submitted(args: MultiDict[str, str], names: Iterable[str]) -> dict[str, Any]:
    """The parameters a form or link sent, empty fields left out."""
    raw: dict[str, Any] = {}
    for name in names:
        values = [v.strip() for v in args.getlist(name) if v.strip()]
        if values:
            # A value repeated (level=1&level=1) is one choice.
            raw[name] = list(dict.fromkeys(values)) if name in _LISTS else values[0]
    return raw


def parse(args: MultiDict[str, str]) -> SearchParams:
    """The search in ``args``; raises :class:`InvalidSearch` naming each unusable parameter."""
    raw = _submitted(args, _SCHEMA.fields)
    # A distance without a point (the form's point left empty) limits nothing: the site
    # searches without it, where the API refuses it.
    if "near" not in raw:
        raw.pop("radius", None)
    try:
        return SearchParams(_SCHEMA.load(raw))
    except ValidationError as error:
        problems = []
        messages = error.normalized_messages()
        for name in (n for n in ORDER if n in messages):
            wrong = _wrong_values(raw[name], messages[name])
            # A cursor is an opaque link, no value a person gave: it is not repeated.
            shown = () if name in _OPAQUE else tuple(str(v) for v in wrong)
            problems.append(Problem(name, shown))
            kept = [v for v in raw[name] if v not in wrong] if name in _LISTS else []
            raw[name] = kept or None
        usable = {k: v for k, v in raw.items() if v is not None}
        if "near" not in usable:
            usable.pop("radius", None)
        raise InvalidSearch(problems, SearchParams(_SCHEMA.load(usable))) from None


def _wrong_values(value: Any, messages: Any) -> list[Any]:
    """The values of one parameter that its messages refuse (for a list, by position)."""
    if isinstance(value, list) and isinstance(messages, dict):
        return [v for i, v in enumerate(value) if i in messages or str(i) in messages]
    return value if isinstance(value, list) else [value]
