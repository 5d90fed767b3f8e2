"""The offer form's address search as steps of the form itself, so it works without
JavaScript: "search for the address" posts the form and gets it back with the addresses
found under the place; choosing one posts it again and gets the place filled in. Neither
step saves anything."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext
from werkzeug.exceptions import BadRequest

from services.registry.offers import places
from services.registry.ui.forms import FormState
from shared import addresses

# The group of places the address search fills in (its fields are locations-<row>-<name>).
_GROUP = "locations"


def address_step(raw: dict[str, Any]) -> FormState | None:
    """The form again, nothing saved, when the post is an address search or the choice of an
    address found (the form's steps without JavaScript); None when it is a save.

    A button's row is its position on the page, counting rows left empty; the form's values
    leave those out, so the place is read from the posted fields of that position and the
    answer is shown under the row it becomes. A button value that is not one the form gives
    (a forged or mangled post) is refused with 400."""
    if "find_address" in request.form:
        position = _row(request.form["find_address"])
        if position is None:
            raise BadRequest()
        found = {_index(position): _search(_posted_place(position))}
        return FormState(values=raw, addresses=found)
    if "use_address" in request.form:
        number, _, token = request.form["use_address"].partition(":")
        position, address = _row(number), addresses.from_token(token)
        if position is None or address is None:
            raise BadRequest()
        rows = raw.setdefault("locations", [])
        index = _index(position)
        if position not in _filled() or index >= len(rows):
            index = len(rows)
            rows.append({})
        rows[index].update(address.fields())
        return FormState(values=raw)
    return None


def _row(text: str) -> int | None:
    """The position a button names, within the rows the form posted."""
    if not _digits(text):
        return None
    position = int(text)
    return position if position < _posted_rows() else None


def _posted_rows() -> int:
    count = request.form.get(f"{_GROUP}-count", "")
    return int(count) if _digits(count) else 0


def _digits(text: str) -> bool:
    """A small number in ASCII digits ("²" is a digit to Python, not to int)."""
    return text.isascii() and text.isdigit() and len(text) < 4


def _posted_place(position: int) -> dict[str, str]:
    """The place typed in the row at ``position`` of the page, as posted."""
    prefix = f"{_GROUP}-{position}-"
    found = {k[len(prefix) :]: v.strip() for k, v in request.form.items() if k.startswith(prefix)}
    return {k: v for k, v in found.items() if v}


def _filled() -> set[int]:
    """The positions of the rows with anything typed in them, read in one pass."""
    found = set()
    for key, value in request.form.items():
        position, dash, _ = key.removeprefix(f"{_GROUP}-").partition("-")
        if key.startswith(f"{_GROUP}-") and dash and _digits(position) and value.strip():
            found.add(int(position))
    return found


def _index(position: int) -> int:
    """Where the row at ``position`` of the page is among the form's values: rows left empty
    are not there (an empty row itself becomes the first empty row shown, after them all)."""
    filled = {row for row in _filled() if row < _posted_rows()}
    if position not in filled:
        return len(filled)
    return sum(1 for earlier in filled if earlier < position)


def _search(place: dict[str, Any]) -> places.AddressSearch:
    """The addresses matching what is typed of ``place``, or why there are none."""
    words = " ".join(
        str(place[k]) for k in ("street_address", "postal_code", "postal_town") if place.get(k)
    )
    base_url = current_app.config["ADDRESS_SEARCH_URL"]
    if not base_url:
        return places.AddressSearch(problem=gettext("The address search is not set up here."))
    if not words.strip():
        return places.AddressSearch(
            problem=gettext("Type a street address or a town first, then search.")
        )
    try:
        found = addresses.search_addresses(
            base_url, words, current_app.config["ADDRESS_SEARCH_TIMEOUT_SECONDS"]
        )
    except addresses.AddressSearchFailed as exc:
        current_app.logger.warning("address search failed: %s", exc)
        return places.AddressSearch(
            problem=gettext(
                "The address search cannot be reached just now. Fill in the place by hand "
                "(the point can stay empty); the offer saves all the same."
            )
        )
    return places.AddressSearch(addresses=found)
