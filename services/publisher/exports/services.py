"""The node's published offers for the table downloads; no Flask in here."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import hsds, text
from shared.publication.models import PublishedOffer


def published_documents(session: Session) -> list[dict[str, Any]]:
    """Every published version on the node, by name in Norwegian order, then service id.

    A node holds at most a few thousand offers, so they are read at once (the table is then
    written as it is sent, with no database session open).
    """
    documents = [json.loads(s) for s in session.scalars(select(PublishedOffer.snapshot))]
    return sorted(documents, key=lambda d: (text.sort_key(d["name"]), hsds.service_id(d["uri"])))
