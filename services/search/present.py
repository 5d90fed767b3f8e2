"""How an indexed offer is told to people and programs: labels in their language, where it
comes from, what it covers. Used by the JSON API and the public pages alike."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from services.search.index.models import IndexedOffer
from services.search.index.query import FACETS, MULTI_FACETS, OfferQuery, SearchPage
from shared import vocab
from shared.areas import NATIONAL, UnknownAreaError, reference_data
from shared.vocab import Vocabulary

FACET_VOCABULARIES: dict[str, Vocabulary] = {
    "level": vocab.PYRAMID_LEVELS,
    "category": vocab.OFFER_CATEGORIES,
    "provider_kind": vocab.ORGANISATION_KINDS,
    "risk_group": vocab.RISK_GROUPS,
    "diagnosis_group": vocab.DIAGNOSIS_GROUPS,
    "audience": vocab.AUDIENCES,
    "language": vocab.OFFER_LANGUAGES,
}
# Where an offer comes from, seen from the municipality a person searches in.
SOURCE_OWN = "own_municipality"
SOURCES = (SOURCE_OWN, "municipality", "county", "region", "state", "voluntary")
_YES_NO = {
    "true": {"nb": "Ja", "nn": "Ja", "en": "Yes"},
    "false": {"nb": "Nei", "nn": "Nei", "en": "No"},
}


def label(vocabulary: Vocabulary, code: str, lang: str) -> str:
    return vocabulary.get(code).label(lang) if code in vocabulary else code


def area_name(code: str, lang: str = "nb") -> str:
    try:
        return reference_data().get(code).label(lang)
    except UnknownAreaError:
        return code


@lru_cache(maxsize=4096)
def _parsed(document: str) -> Mapping[str, Any]:
    parsed: Mapping[str, Any] = json.loads(document)
    return parsed


def document(offer: IndexedOffer) -> Mapping[str, Any]:
    """The offer version as the node published it (parsed once per distinct document)."""
    return _parsed(offer.document)


def source(offer: IndexedOffer, municipality: str | None) -> str:
    """Whether the offer comes from the municipality itself, another municipality, the
    county, a region, the state or a voluntary organisation."""
    if offer.provider_kind == "municipality":
        return SOURCE_OWN if offer.provider_home_area == municipality else "municipality"
    return offer.provider_kind


def coverage(offer: IndexedOffer, lang: str) -> list[dict[str, str]]:
    codes = document(offer)["coverage"]
    if NATIONAL in codes:
        codes = [NATIONAL]
    return [{"code": code, "name": area_name(code, lang)} for code in codes]


def summary(offer: IndexedOffer, lang: str, municipality: str | None = None) -> dict[str, Any]:
    """An offer in a list of results."""
    doc = document(offer)
    return {
        "id": offer.offer_id,
        "uri": offer.offer_uri,
        "version": offer.version,
        "node": offer.node_id,
        "name": offer.name,
        "description": offer.description,
        "provider": {
            "organisation_number": offer.provider_orgnr,
            "name": offer.provider_name,
            "kind": offer.provider_kind,
            "kind_label": label(vocab.ORGANISATION_KINDS, offer.provider_kind, lang),
        },
        "agency": offer.agency_name,
        "source": source(offer, municipality),
        "level": {
            "code": offer.level,
            "label": label(vocab.PYRAMID_LEVELS, str(offer.level), lang),
        },
        "category": {
            "code": offer.category,
            "label": label(vocab.OFFER_CATEGORIES, offer.category, lang),
        },
        "age_min": offer.age_min,
        "age_max": offer.age_max,
        "audiences": list(doc["audiences"]),
        "risk_groups": list(doc["risk_groups"]),
        "diagnosis_groups": list(doc.get("diagnosis_groups") or []),
        "languages": list(doc["languages"]),
        "access": offer.access,
        "free_of_charge": offer.free_of_charge,
        "statutory": offer.statutory,
        "coverage": coverage(offer, lang),
        "published_at": offer.published_at,
        "last_reviewed": offer.last_reviewed,
    }


def chosen(query: OfferQuery) -> dict[str, tuple[Any, ...]]:
    """The values chosen in each facet of ``query`` (a yes/no facet has one or none)."""
    picked: dict[str, tuple[Any, ...]] = {}
    for facet in FACETS:
        value = getattr(query, facet)
        if isinstance(value, tuple):
            picked[facet] = value
        else:
            picked[facet] = () if value is None else (value,)
    return picked


def facets(page: SearchPage, lang: str, chosen: Mapping[str, Iterable[Any]]) -> dict[str, list]:
    """Every facet's values in vocabulary order, each with its label, count and whether it is
    chosen now."""
    result: dict[str, list] = {}
    for facet in FACETS:
        counts = page.facets.get(facet, {})
        picked = {str(v).lower() for v in chosen.get(facet, ())}
        if facet in FACET_VOCABULARIES:
            values = [(c.code, c.label(lang)) for c in FACET_VOCABULARIES[facet]]
        else:
            values = [(code, names[lang]) for code, names in _YES_NO.items()]
        result[facet] = [
            {"code": code, "label": name, "count": counts.get(code, 0), "chosen": code in picked}
            for code, name in values
            if facet not in MULTI_FACETS or counts.get(code) or code in picked
        ]
    return result
