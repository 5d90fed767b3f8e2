"""Places of an offer in the form: what an address search shows, and the advice given on a
place that is probably wrong. The address API's client is :mod:`shared.addresses`.

Advice, never a refusal (the offer is saved all the same):

* a point outside Norway (latitude and longitude swapped, a minus sign);
* a place in a municipality outside every area the offer covers: the municipality is the one
  the place's address names (its ``municipality`` field, which the address search fills in
  from the API's ``kommunenummer``), and the coverage its municipalities, counties, regions or
  the whole country. An offer held in Drammen for Kongsberg's children is possible, so this
  asks to check, and says what was seen.

A point far from the municipality its address names (more than some tens of km from it) is
not checked: that needs the municipalities' borders or centres, which this service does not
hold (the address API gives a point only for an address asked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.addresses import Address
from shared.areas import AreaKind, reference_data
from shared.messages import Message

# Mainland Norway, Svalbard and Jan Mayen with a margin: a point outside is probably a typing
# error (latitude and longitude swapped, a minus sign), so the form says so without refusing.
_NORWAY = (57.5, 81.5, -9.5, 34.0)


@dataclass(frozen=True)
class AddressSearch:
    """What the form shows under a place after a search: the addresses, or why none."""

    addresses: tuple[Address, ...] = ()
    problem: str | None = None


def point_warnings(locations: Any) -> dict[str, list[Message]]:
    """Advice, per field, on points that lie outside Norway (saved all the same)."""
    found: dict[str, list[Message]] = {}
    for index, place in enumerate(locations if isinstance(locations, list) else []):
        if not isinstance(place, dict):
            continue
        latitude, longitude = place.get("latitude"), place.get("longitude")
        if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
            continue
        south, north, west, east = _NORWAY
        if not (south <= latitude <= north and west <= longitude <= east):
            found[f"locations.{index}.latitude"] = [Message("point.outside_norway")]
    return found


def coverage_warnings(locations: Any, coverage: Any) -> dict[str, list[Message]]:
    """Advice, per field, on places whose municipality lies outside every area of
    ``coverage`` (a list of area codes, as the form reads it)."""
    areas = reference_data()
    if isinstance(coverage, str):  # as typed: codes apart by commas or spaces
        coverage = coverage.replace(",", " ").split()
    codes = [c for c in coverage if isinstance(c, str) and c in areas.areas] if coverage else []
    if not codes or not isinstance(locations, list):
        return {}
    covered = areas.expand(codes)
    found: dict[str, list[Message]] = {}
    for index, place in enumerate(locations):
        municipality = place.get("municipality") if isinstance(place, dict) else None
        area = areas.areas.get(municipality) if isinstance(municipality, str) else None
        if area is not None and area.kind is AreaKind.MUNICIPALITY and area.code not in covered:
            found[f"locations.{index}.municipality"] = [
                Message("place.outside_coverage", municipality=area.name)
            ]
    return found
