"""What the landing page says about the node's publications; no Flask in here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.publication.models import LogEntry, PublishedOffer


@dataclass(frozen=True)
class NodeFigures:
    offers: int  # published now
    organisations: int  # with an offer published now
    updated: dt.datetime | None  # the newest entry in the node's log


def node_figures(session: Session) -> NodeFigures:
    offers, organisations = session.execute(
        select(func.count(), func.count(PublishedOffer.organisation_number.distinct()))
    ).one()
    updated = session.scalar(select(func.max(LogEntry.occurred_at)))
    return NodeFigures(int(offers), int(organisations), updated)
