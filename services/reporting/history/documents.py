"""From a verified offer version to what the history stores about it. Pure functions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from services.reporting.history.models import AUDIENCE, DIAGNOSIS_GROUP, DUTY, RISK_GROUP
from shared import hsds, text
from shared.publication.schema import canonical_json

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
    for those that depend on the offer's other versions."""
    provider = document["provider"]
    return {
        "offer_uri": document["uri"],
        "version": document["version"],
        "offer_id": hsds.service_id(document["uri"]),
        "valid_from": document["published_at"],
        "name": document["name"],
        "name_sort": text.sort_key(document["name"])[:200],
        "description": document["description"],
        "name_terms": distinct_terms(document["name"]),
        "description_terms": distinct_terms(document["description"]),
        "provider_orgnr": provider["organisation_number"],
        "provider_name": provider["name"],
        "provider_kind": provider["kind"],
        "provider_home_area": provider["home_area"],
        "agency_id": document["agency"]["id"],
        "agency_name": document["agency"]["name"],
        "level": document["level"],
        "category": document["category"],
        "age_min": document["age_min"],
        "age_max": document["age_max"],
        "user_participation": document["user_participation"],
        "evaluated": document["evaluated"],
        "good_practice": document["good_practice"],
        "evidence_based": document["evidence_based"],
        "measure_status": document["measure_status"],
        "review_interval_months": document["review_interval_months"],
        "last_reviewed": document.get("last_reviewed"),
    }


def term_rows(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(facet, code) for every value of the multi-valued fields, statutory duties included."""
    for facet, name in _MULTI_FIELDS.items():
        for code in dict.fromkeys(document.get(name) or []):
            yield facet, code
    for code in dict.fromkeys(duty["code"] for duty in document["statutory_duties"]):
        yield DUTY, code


def stored_document(event: Mapping[str, Any]) -> str:
    """The version exactly as the node signed it (the event's ``data``), as canonical JSON."""
    return canonical_json(event["data"])
