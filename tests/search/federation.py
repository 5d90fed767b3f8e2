"""The search index over a test federation (:mod:`tests.federation`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.search.index.sink import SearchSink
from shared.db import create_engine
from tests.federation import IngestingDatabase


@dataclass
class SearchIndex(IngestingDatabase):
    """A search database with the federation's nodes in its directory."""

    def indexed(self) -> dict[str, int]:
        """offer URI -> version of every offer in the index."""
        from services.search.index.models import IndexedOffer

        with Session(self.engine) as session:
            return dict(session.execute(select(IndexedOffer.offer_uri, IndexedOffer.version)).all())


def new_search_index(make_database: Any, client: httpx.Client) -> SearchIndex:
    url = make_database()
    return SearchIndex(url, create_engine(url, sqlite_begin="IMMEDIATE"), client, SearchSink)
