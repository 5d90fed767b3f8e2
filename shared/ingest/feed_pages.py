"""What a node's LDES feed must look like, page by page, before the harvester takes any of
it: the stream's root, a page's events, and each event's sequence number in the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.ingest.http import FetchError
from shared.publication.events import EventRejected, sequence_of

MAX_PAGE_SIZE = 10_000


@dataclass(frozen=True)
class StreamRoot:
    page_size: int
    last_sequence: int
    etag: str | None


def stream_root(document: Any, etag: str | None) -> StreamRoot:
    if not isinstance(document, dict):
        raise FetchError("the stream's root is not a JSON object")
    size, last = document.get("page_size"), document.get("last_sequence")
    if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
        raise FetchError(f"the stream's page_size {size!r} is not between 1 and {MAX_PAGE_SIZE}")
    if not isinstance(last, int) or isinstance(last, bool) or last < 0:
        raise FetchError(f"the stream's last_sequence {last!r} is not a count")
    return StreamRoot(size, last, etag)


def page_events(document: Any, page: int, size: int) -> tuple[list[Any], bool]:
    """The events of a page, checked to lie in its range in order, and whether it is full."""
    if not isinstance(document, dict) or document.get("page") != page:
        raise FetchError(f"page {page} does not say it is page {page}")
    events, complete = document.get("events"), document.get("complete")
    if not isinstance(events, list) or not isinstance(complete, bool):
        raise FetchError(f"page {page} has no list of events")
    if len(events) > size:
        raise FetchError(f"page {page} holds {len(events)} events; pages hold {size}")
    return events, complete


def _sequence_in_page(
    event: Any, position: int, newest: int, bounds: tuple[int, int]
) -> int | None:
    """The event's sequence number, checked to follow ``newest`` within the page's
    ``bounds``; None for one at or before ``position`` (applied in an earlier round)."""
    try:
        sequence = sequence_of(event) if isinstance(event, dict) else None
    except EventRejected:
        sequence = None
    if sequence is None or not bounds[0] <= sequence <= bounds[1] or sequence <= newest:
        if sequence is not None and sequence <= position:
            return None
        raise FetchError(f"page events are out of order or out of range at {sequence}")
    return sequence


def page_sequences(
    events: list[Any], position: int, bounds: tuple[int, int]
) -> tuple[list[int | None], FetchError | None]:
    """Each event's sequence number (None: applied in an earlier round), up to the first
    out of order or out of range, and the error that one is (raised once the events before
    it are taken, as one at a time)."""
    sequences: list[int | None] = []
    newest = position
    for event in events:
        try:
            sequence = _sequence_in_page(event, position, newest, bounds)
        except FetchError as exc:
            return sequences, exc
        sequences.append(sequence)
        if sequence is not None:
            newest = sequence
    return sequences, None
