"""What a national service keeps of a verified offer version, whatever else it adds.

The search index stores the version exactly as the node signed it (it answers HSDS with it);
the reporting history does not, and keeps only what its reports use (docs/privacy.md). Both
keep the same columns of its provider, agency and classification (reporting all but the
description's text); each adds its own columns on top of :func:`offer_columns`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared import hsds, text
from shared.publication.canonical import canonical_bytes

# Longest sort key kept: the column is String(200) in both services.
NAME_SORT_LENGTH = 200


def stored_document(event: Mapping[str, Any]) -> str:
    """The version exactly as the node signed it (the event's ``data``), as canonical JSON."""
    return canonical_bytes(event["data"]).decode("utf-8")


def offer_columns(document: Mapping[str, Any]) -> dict[str, Any]:
    """The columns both services keep of a version document (as the contract loads it)."""
    provider = document["provider"]
    return {
        "offer_uri": document["uri"],
        "offer_id": hsds.service_id(document["uri"]),
        "version": document["version"],
        "name": document["name"],
        "name_sort": text.sort_key(document["name"])[:NAME_SORT_LENGTH],
        "description": document["description"],
        "provider_orgnr": provider["organisation_number"],
        "provider_name": provider["name"],
        "provider_kind": provider["kind"],
        "provider_home_area": provider["home_area"],
        "agency_name": document["agency"]["name"],
        "level": document["level"],
        "category": document["category"],
        "measure_status": document["measure_status"],
        "age_min": document["age_min"],
        "age_max": document["age_max"],
    }
