"""The HSDS ``Page``: ``page_number`` counts from 1, and a page past the end is empty."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def window(number: int, per_page: int) -> slice:
    """Which items page ``number`` holds, as a slice of all of them."""
    start = (number - 1) * per_page
    return slice(start, start + per_page)


def page(contents: list[dict[str, Any]], total: int, number: int, per_page: int) -> dict[str, Any]:
    """Page ``number`` of ``total`` items, ``per_page`` a page, holding ``contents``."""
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def paginate(
    items: Sequence[T], number: int, per_page: int, render: Callable[[T], dict[str, Any]]
) -> dict[str, Any]:
    """Page ``number`` of ``items`` already in memory, each rendered by ``render``."""
    contents = [render(item) for item in items[window(number, per_page)]]
    return page(contents, len(items), number, per_page)
