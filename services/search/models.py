"""Every table of the search database, for Alembic and for tests: the index and the ingest
tables of :mod:`shared.ingest.models`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData

from services.search.index.models import (
    EARTH_INDEX,
    FACET_COUNTS_INDEX,
    FTS_TABLE,
    SEARCH_VECTOR,
    SearchBase,
)
from shared.ingest.models import IngestBase

METADATA: list[MetaData] = [SearchBase.metadata, IngestBase.metadata]


def include_object(obj: Any, name: str | None, kind: str, reflected: bool, _compare: Any) -> bool:
    """Hide the full-text and distance machinery and the covering index of facet counts,
    which differ by database, from the models check."""
    if kind == "table" and name and name.startswith(FTS_TABLE):
        return False
    if kind == "index" and name in (EARTH_INDEX, FACET_COUNTS_INDEX):
        return False
    return not (kind in ("column", "index") and name and SEARCH_VECTOR in name)
