"""Places of an offer in the form: what an address search shows, and the advice given on a
point that lies outside Norway. The address API's client is :mod:`shared.addresses`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.addresses import Address
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
