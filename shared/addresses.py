"""Kartverket's open address API: the address search of the offer form (registry) and of the
public search site (search), one client for both.

The API (``ADDRESS_SEARCH_URL``, ``https://ws.geonorge.no/adresser/v1`` by default) answers
``GET /sok?sok=<words>`` with ``{"metadata": {...}, "adresser": [...]}``; each address has its
text (``adressetekst``), postcode and postal town, municipality number and name, and a
``representasjonspunkt`` in the coordinate system asked for. We ask for EPSG:4258 (ETRS89,
within a metre of WGS84 in Norway). Pages work without it: a failing or absent API is a
message, and a person types the place and its point by hand.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from typing import Any

import httpx

from shared.areas import reference_data

# Ten addresses are a few KiB; an answer far larger is not an address list and is not read on.
MAX_ANSWER_BYTES = 256 * 1024
MAX_ADDRESSES = 10
MAX_QUERY_LENGTH = 200
# A choice button's value (Address.token) is a few hundred bytes.
MAX_TOKEN_LENGTH = 1024
_ETRS89 = "4258"


class AddressSearchFailed(Exception):
    """The address API could not be asked, or its answer could not be read."""


@dataclass(frozen=True)
class Address:
    """One address the API found, as the form's place fields take it."""

    street_address: str
    postal_code: str | None
    postal_town: str | None
    municipality: str | None
    latitude: float
    longitude: float

    def label(self) -> str:
        """How the address is offered to choose: ``Bragernes torg 2, 3017 Drammen``."""
        town = " ".join(p for p in (self.postal_code, self.postal_town) if p)
        return ", ".join(p for p in (self.street_address, town) if p)

    def token(self) -> str:
        """The address as the value of its choice button (read back by :func:`from_token`)."""
        return json.dumps(
            [
                self.street_address,
                self.postal_code,
                self.postal_town,
                self.municipality,
                self.latitude,
                self.longitude,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def fields(self) -> dict[str, Any]:
        """The place's fields this address fills in: every one, None where the address has
        nothing (so no part of an address chosen before is left behind)."""
        return {
            "street_address": self.street_address,
            "postal_code": self.postal_code,
            "postal_town": self.postal_town,
            "municipality": self.municipality,
            "latitude": self.latitude,
            "longitude": self.longitude,
        }


def from_token(token: str) -> Address | None:
    """The address a choice button carried; None when it is not one (the place's fields are
    then validated by the offer's schema as typed, so nothing unchecked is saved).

    A token is short JSON written by :meth:`Address.token`; a longer one, deep nesting, a
    number too large for a float or a point that is not finite and in range is not one."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        street, code, town, municipality, latitude, longitude = json.loads(token)
        address = Address(
            str(street)[:200],
            _text(code),
            _text(town),
            _text(municipality),
            float(latitude),
            float(longitude),
        )
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    if not (_number(address.latitude, 90) and _number(address.longitude, 180)):
        return None
    return address


def _text(value: Any) -> str | None:
    return str(value)[:100] if value not in (None, "") else None


def search_addresses(base_url: str, words: str, timeout: float) -> tuple[Address, ...]:
    """The addresses matching ``words``, at most :data:`MAX_ADDRESSES`.

    The API is reached directly (never through a proxy named in the environment), within
    ``timeout`` seconds, and at most :data:`MAX_ANSWER_BYTES` of its answer are read.
    """
    params = {
        "sok": words[:MAX_QUERY_LENGTH],
        "treffPerSide": str(MAX_ADDRESSES),
        "side": "0",
        "utkoordsys": _ETRS89,
        "asciiKompatibel": "true",
    }
    url = base_url.rstrip("/") + "/sok"
    # httpx's timeout bounds each read, not the whole answer: a server sending a byte every
    # few seconds would hold the worker, so the whole exchange has its own deadline. The
    # answer is asked for uncompressed, so the size read is the size received.
    deadline = time.monotonic() + timeout
    try:
        with httpx.stream(
            "GET",
            url,
            params=params,
            timeout=timeout,
            headers={"Accept-Encoding": "identity"},
            trust_env=False,
            follow_redirects=False,
        ) as response:
            response.raise_for_status()
            body = bytearray()
            for chunk in response.iter_raw():
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise AddressSearchFailed(f"more than {MAX_ANSWER_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise AddressSearchFailed(f"no whole answer within {timeout} seconds")
        answer = json.loads(body)
    except (httpx.HTTPError, ValueError) as exc:
        raise AddressSearchFailed(str(exc)) from exc
    if not isinstance(answer, dict) or not isinstance(answer.get("adresser"), list):
        raise AddressSearchFailed("not an address list")
    found = (_address(item) for item in answer["adresser"][:MAX_ADDRESSES])
    return tuple(a for a in found if a is not None)


def _address(item: Any) -> Address | None:
    """One address of the answer; one without a usable point is left out."""
    if not isinstance(item, dict):
        return None
    point = item.get("representasjonspunkt")
    text = item.get("adressetekst")
    if not isinstance(point, dict) or not isinstance(text, str) or not text:
        return None
    latitude, longitude = point.get("lat"), point.get("lon")
    if not isinstance(latitude, int | float) or not isinstance(longitude, int | float):
        return None
    if not _number(latitude, 90) or not _number(longitude, 180):
        return None
    code = item.get("postnummer")
    municipality = item.get("kommunenummer")
    return Address(
        street_address=text[:200],
        postal_code=code if isinstance(code, str) and len(code) == 4 and code.isdigit() else None,
        postal_town=_town(item.get("poststed")),
        municipality=municipality if municipality in reference_data().areas else None,
        latitude=round(float(latitude), 6),
        longitude=round(float(longitude), 6),
    )


def _number(value: Any, limit: float) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and -limit <= value <= limit
    )


def _town(value: Any) -> str | None:
    """The postal town as people write it: the API gives it in capitals (``DRAMMEN``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    words = value.strip().lower().split()
    return " ".join(w if i and len(w) < 3 else w.capitalize() for i, w in enumerate(words))[:100]
