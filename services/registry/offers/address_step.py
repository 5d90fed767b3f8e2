"""The offer form's address search as steps of the form itself, so it works without
JavaScript: "search for the address" posts the form and gets it back with the addresses
found under the place; choosing one posts it again and gets the place filled in. Neither
step saves anything."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext

from services.registry.offers import places
from services.registry.ui.forms import FormState


def address_step(raw: dict[str, Any]) -> FormState | None:
    """The form again, nothing saved, when the post is an address search or the choice of an
    address found (the form's steps without JavaScript); None when it is a save."""
    if "find_address" in request.form:
        index = _row(request.form["find_address"])
        rows = raw.get("locations") or []
        place = rows[index] if index is not None and index < len(rows) else {}
        found = {index if index is not None else 0: _search(place)}
        return FormState(values=raw, addresses=found)
    if "use_address" in request.form:
        number, _, token = request.form["use_address"].partition(":")
        index, address = _row(number), places.from_token(token)
        rows = raw.setdefault("locations", [])
        if index is not None and address is not None and index <= len(rows):
            if index == len(rows):
                rows.append({})
            rows[index].update(address.fields())
        return FormState(values=raw)
    return None


def _row(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 4 else None


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
        found = places.search_addresses(
            base_url, words, current_app.config["ADDRESS_SEARCH_TIMEOUT_SECONDS"]
        )
    except places.AddressSearchFailed as exc:
        current_app.logger.warning("address search failed: %s", exc)
        return places.AddressSearch(
            problem=gettext(
                "The address search cannot be reached just now. Fill in the place by hand "
                "(the point can stay empty); the offer saves all the same."
            )
        )
    return places.AddressSearch(addresses=found)
