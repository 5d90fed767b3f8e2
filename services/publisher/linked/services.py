"""Reading offers for the linked-data routes, and the facts an offer page shows.

Service functions take the session explicitly and know nothing of Flask; they raise
``shared.errors`` so every route answers in the one error format.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.publisher.linked.cpsv import is_public
from shared import vocab
from shared.ages import age_range
from shared.areas import reference_data
from shared.errors import DomainError, NotFound
from shared.publication.models import LogEntry, PublishedOffer
from shared.publication.uris import offer_uri


class Gone(DomainError):
    """The offer was published once and has since been withdrawn."""

    status_code = 410


def current_offer(session: Session, base_url: str, offer_id: str) -> dict[str, Any]:
    """The current published version document of an offer.

    Raises Gone for an offer this node published and then withdrew, NotFound for one it never
    published.
    """
    snapshot = session.scalar(
        select(PublishedOffer.snapshot).where(PublishedOffer.offer_id == offer_id)
    )
    if snapshot is not None:
        document: dict[str, Any] = json.loads(snapshot)
        return document
    known = session.scalar(
        select(LogEntry.seq).where(LogEntry.offer_uri == offer_uri(base_url, offer_id)).limit(1)
    )
    if known is not None:
        raise Gone("offer.withdrawn")
    raise NotFound("offer.not_on_node")


def offer_page(document: dict[str, Any]) -> dict[str, Any]:
    """What the offer page shows, with every code turned into its bokmål label."""
    areas = reference_data()
    published_at = dt.datetime.fromisoformat(document["published_at"])
    last_reviewed = document.get("last_reviewed")
    return {
        "offer": document,
        "public": is_public(document),
        "provider_kind": vocab.ORGANISATION_KINDS.get(document["provider"]["kind"]).label(),
        "level": vocab.PYRAMID_LEVELS.get(str(document["level"])).label(),
        "ages": age_range(document["age_min"], document["age_max"], "nb"),
        "category": vocab.OFFER_CATEGORIES.get(document["category"]).label(),
        "access": vocab.ACCESS.get(document["access"]).label(),
        "audiences": _labels(vocab.AUDIENCES, document["audiences"]),
        "risk_groups": _labels(vocab.RISK_GROUPS, document["risk_groups"]),
        "diagnosis_groups": _labels(vocab.DIAGNOSIS_GROUPS, document["diagnosis_groups"]),
        "languages": _labels(vocab.OFFER_LANGUAGES, document["languages"]),
        "coverage": [areas.get(code).label() for code in document["coverage"]],
        "location_areas": {
            place["municipality"]: areas.get(place["municipality"]).label()
            for place in document["locations"]
            if place.get("municipality")
        },
        "published_at": published_at.date(),
        "last_reviewed": dt.date.fromisoformat(last_reviewed) if last_reviewed else None,
    }


def _labels(vocabulary: vocab.Vocabulary, codes: list[str]) -> list[str]:
    return [vocabulary.get(code).label() for code in codes]
