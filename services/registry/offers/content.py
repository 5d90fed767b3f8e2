"""An offer's content as plain data, and the version document built from it.

The same content dict serves the audit diff, the "anything to submit?" check and the published
version document, so the three can never disagree about what an offer says.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from services.registry.duties.models import StatutoryDuty
from services.registry.offers.models import Offer
from shared import vocab
from shared.dates import add_months
from shared.publication.schema import SCHEMA_VERSION, STATUS_WITHDRAWN

# Fields of the mapping form stored as columns of the offer, in form order.
CONTENT_FIELDS = (
    "name",
    "description",
    "contact",
    "responsible_role",
    "locations",
    "schedule",
    "timetable",
    "no_contact_reason",
    "access",
    "free_of_charge",
    "cost_description",
    "languages",
    "level",
    "category",
    "age_min",
    "age_max",
    "audiences",
    "risk_groups",
    "diagnosis_groups",
    "staff_fte",
    "budget_nok",
    "user_participation",
    "evaluated",
    "evaluation_description",
    "good_practice",
    "evidence_based",
    "measure_status",
    "guides",
    "coverage",
    "review_interval_months",
    "last_reviewed",
)


# Fields added to the contract later, optional there.
OPTIONAL_FIELDS = ("timetable", "no_contact_reason")

# Multi-valued fields that are sets: which codes, not in what order (the form posts checkboxes
# in the vocabulary's order, the API in any). Their content is in the vocabulary's order, so
# that choosing the same codes in another order is no change.
UNORDERED = {
    "audiences": vocab.AUDIENCES,
    "risk_groups": vocab.RISK_GROUPS,
    "diagnosis_groups": vocab.DIAGNOSIS_GROUPS,
}


def _in_order(content: dict[str, Any]) -> dict[str, Any]:
    for name, vocabulary in UNORDERED.items():
        codes = content.get(name)
        if isinstance(codes, list):
            order = {code: i for i, code in enumerate(vocabulary.codes)}
            content[name] = sorted(codes, key=lambda c: (order.get(c, len(order)), str(c)))
    return content


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def content_of(offer: Offer) -> dict[str, Any]:
    """The working copy as JSON-ready data, with the agency and duties by their codes."""
    content = {name: _plain(getattr(offer, name)) for name in CONTENT_FIELDS}
    content["agency"] = offer.agency.public_id
    content["statutory_duties"] = sorted(d.code for d in offer.statutory_duties)
    return _in_order(content)


def content_of_document(document: dict[str, Any]) -> dict[str, Any]:
    """The same shape as :func:`content_of`, read back from a published version document."""
    content = {name: document.get(name) for name in CONTENT_FIELDS}
    content["agency"] = document["agency"]["id"]
    content["statutory_duties"] = sorted(d["code"] for d in document["statutory_duties"])
    return _in_order(content)


def duty_reference(duty: StatutoryDuty) -> dict[str, Any]:
    return {
        "code": duty.code,
        "title": duty.title,
        "law": duty.law_short,
        "law_id": duty.law_id,
        "section": duty.section,
        "url": duty.section_url or duty.law_url,
    }


def version_document(
    offer: Offer, version: int, status: str, published_at: dt.datetime
) -> dict[str, Any]:
    """The full version document (shared.publication.schema) for ``offer`` as it is now.

    A withdrawal carries no contact: it only ends the offer's public life, and nobody needs
    to reach anyone through it (docs/privacy.md)."""
    organisation, agency = offer.organisation, offer.agency
    document = {name: getattr(offer, name) for name in CONTENT_FIELDS}
    for name in OPTIONAL_FIELDS:  # left out when not given, as in versions from before them
        if document[name] is None:
            del document[name]
    if status == STATUS_WITHDRAWN:
        document["contact"] = {}
    document.update(
        schema_version=SCHEMA_VERSION,
        uri=offer.uri,
        id=offer.id,
        version=version,
        status=status,
        published_at=published_at,
        provider={
            "organisation_number": organisation.organisation_number,
            "name": organisation.name,
            "kind": organisation.kind,
            "home_area": organisation.home_area,
        },
        agency={"id": agency.public_id, "name": agency.name},
        statutory_duties=[duty_reference(d) for d in offer.statutory_duties],
    )
    return document


def review_due(offer: Offer) -> dt.date:
    """When the offer should next be reviewed: the interval after the last review (or creation)."""
    return due_after(offer.last_reviewed, offer.created_at, offer.review_interval_months)


def due_after(last_reviewed: dt.date | None, created_at: dt.datetime, months: int) -> dt.date:
    """:func:`review_due` of an offer's columns (for lists read a few columns at a time)."""
    return add_months(last_reviewed or created_at.date(), months)
