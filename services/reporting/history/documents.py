"""From a verified offer version to what the history stores about it. Pure functions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from services.reporting.history.models import AUDIENCE, DIAGNOSIS_GROUP, DUTY, RISK_GROUP
from shared import text
from shared.areas import UnknownAreaError, reference_data
from shared.ingest.documents import offer_columns
from shared.publication.schema import reachable
from shared.reach import only_a_mobile

_MULTI_FIELDS = {
    RISK_GROUP: "risk_groups",
    DIAGNOSIS_GROUP: "diagnosis_groups",
    AUDIENCE: "audiences",
}


def distinct_terms(value: str) -> str:
    """The distinct analysed terms of ``value`` (see shared.text), space-separated."""
    return " ".join(dict.fromkeys(text.terms(value)))


def version_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The ``offer_versions`` columns of a version document (as the contract loads it), but
    for those that depend on the offer's other versions: only what the reports use, never the
    contact, locations, schedule or guides."""
    columns = offer_columns(document)
    # Only its analysed terms are compared (overlaps); no report shows the text.
    del columns["description"]
    return {
        **columns,
        "published_at": document["published_at"],
        "valid_from": document["published_at"],
        "name_terms": distinct_terms(document["name"]),
        "description_terms": distinct_terms(document["description"]),
        "agency_id": document["agency"]["id"],
        "user_participation": document["user_participation"],
        "evaluated": document["evaluated"],
        "good_practice": document["good_practice"],
        "evidence_based": document["evidence_based"],
        "review_interval_months": document["review_interval_months"],
        **resource_fields(document),
        "last_reviewed": document.get("last_reviewed"),
        "outside_home": outside_home(document["coverage"], document["provider"]["home_area"]),
        "reachable": reachable(document),
        "only_mobile": only_a_mobile(document),
    }


def resource_fields(document: Mapping[str, Any]) -> dict[str, Any]:
    """The resources of a version document as the history keeps them (the one place reporting
    reads them from a document)."""
    staff = document.get("staff_fte")
    budget = document.get("budget_nok")
    return {
        "staff_fte": None if staff is None else float(staff),
        "budget_nok": None if budget is None else int(budget),
    }


def outside_home(coverage: list[str], home_area: str) -> bool:
    """Whether the offer covers any municipality outside its provider's home area (a county
    offering in a neighbour's, a municipality claiming the whole country)."""
    areas = reference_data()
    try:
        return not areas.expand(coverage) <= areas.expand([home_area])
    except UnknownAreaError:
        return False  # an area retired by a newer classification: nothing to judge by


def term_rows(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(facet, code) for every value of the multi-valued fields, statutory duties included."""
    for facet, name in _MULTI_FIELDS.items():
        for code in dict.fromkeys(document.get(name) or []):
            yield facet, code
    for code in dict.fromkeys(duty["code"] for duty in document["statutory_duties"]):
        yield DUTY, code
