"""A place typed as words on the search site: ``near=Engene 1, Drammen`` is looked up in
Kartverket's address API (:mod:`shared.addresses`, as the offer form does) on the server, so it
works without JavaScript, and the search runs from the first address found, the others offered
as links. A point typed as numbers is never sent anywhere.

When the API is not set (``ADDRESS_SEARCH_URL`` empty), fails, or finds nothing, the page says
which, asks for the point as numbers, and every other part of the search still works.

A public page that asks another service for every visitor is bounded: what the API answered
for the same words (in any case and spacing) is kept for an hour, at most
:data:`KEPT_ANSWERS` of them per process, and after a failure it is not asked again for
:data:`FAILED_PAUSE_SECONDS` (each ask could hold a worker for the whole timeout).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import current_app
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from shared import addresses
from shared.addresses import Address
from shared.fields import PointField

# Why no address was used: the API is not set, it could not be asked, or it found none.
OFF, FAILED, NOT_FOUND = "off", "failed", "not_found"

KEPT_ANSWERS = 1000
KEPT_SECONDS = 3600.0
FAILED_PAUSE_SECONDS = 30.0


@dataclass
class _Answers:
    """The answers kept in one application, newest last, and when a failure's pause ends."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    found: OrderedDict[tuple[str, str], tuple[float, tuple[Address, ...]]] = field(
        default_factory=OrderedDict
    )
    paused_until: dict[str, float] = field(default_factory=dict)


def _answers() -> _Answers:
    kept = current_app.extensions.get("nettungen.address_answers")
    if kept is None:
        kept = current_app.extensions.setdefault("nettungen.address_answers", _Answers())
    return kept


def _search(base_url: str, words: str) -> tuple[Address, ...]:
    """The addresses for ``words``, kept or asked (raises AddressSearchFailed, also while
    paused after a failure)."""
    kept, now = _answers(), time.monotonic()
    key = (base_url, " ".join(words.casefold().split())[: addresses.MAX_QUERY_LENGTH])
    with kept.lock:
        if kept.paused_until.get(base_url, 0.0) > now:
            raise addresses.AddressSearchFailed("paused after a failure")
        answer = kept.found.get(key)
        if answer is not None and answer[0] > now:
            kept.found.move_to_end(key)
            return answer[1]
    try:
        found = addresses.search_addresses(
            base_url, words, current_app.config["ADDRESS_SEARCH_TIMEOUT_SECONDS"]
        )
    except addresses.AddressSearchFailed:
        with kept.lock:
            kept.paused_until[base_url] = time.monotonic() + FAILED_PAUSE_SECONDS
        raise
    with kept.lock:
        kept.found[key] = (time.monotonic() + KEPT_SECONDS, found)
        kept.found.move_to_end(key)
        while len(kept.found) > KEPT_ANSWERS:
            kept.found.popitem(last=False)
    return found


@dataclass(frozen=True)
class Located:
    """What the words typed as the point gave: the address used and the others found, or
    why there is none (``OFF``, ``FAILED``, ``NOT_FOUND``)."""

    words: str
    found: tuple[Address, ...] = ()
    problem: str | None = None

    @property
    def address(self) -> Address | None:
        return self.found[0] if self.found else None


def _is_point(text: str) -> bool:
    try:
        PointField().deserialize(text)
    except ValidationError:
        return False
    return True


def locate(args: MultiDict[str, str]) -> tuple[MultiDict[str, str], Located | None]:
    """``args`` with the words typed as the point replaced by the first address's point
    (unchanged when they are a point, or no address was found), and what the look-up gave
    (None when nothing was looked up)."""
    words = (args.get("near") or "").strip()
    if not words or not any(c.isalpha() for c in words) or _is_point(words):
        return args, None
    base_url = current_app.config["ADDRESS_SEARCH_URL"]
    if not base_url:
        return args, Located(words, problem=OFF)
    try:
        found = _search(base_url, words)
    except addresses.AddressSearchFailed as failure:
        current_app.logger.warning("address search on the site failed: %s", failure)
        return args, Located(words, problem=FAILED)
    if not found:
        return args, Located(words, problem=NOT_FOUND)
    changed = MultiDict(args)
    changed.setlist("near", [f"{found[0].latitude},{found[0].longitude}"])
    return changed, Located(words, found)
