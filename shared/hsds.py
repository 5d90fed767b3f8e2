"""Offer versions as HSDS 3.0 objects (Open Referral Human Services Data Specification).

Pure functions from the canonical version document (``shared.publication.schema``) to HSDS
``service``, ``organization``, ``taxonomy`` and ``taxonomy_term`` objects. A node's publisher
serves them and the national search reuses them, so nothing here knows about Flask, a database
or a node's base URL.

Identifiers. HSDS ids are UUIDs, and the same offer, organisation or vocabulary term must have
the same id on every node and in the national search. Every id is a name-based UUID (RFC 9562
version 5) in :data:`NAMESPACE` over a natural key, see :func:`stable_id`; a service's key is
its offer URI, which no other node can mint.

Language. HSDS core has no multilingual fields. Text is bokmål (``nb``), the default language
of our vocabularies; the text an organisation wrote about its offer goes out as written. Taxonomy
terms say ``"language": "nb"``; their nynorsk and English labels stay in ``shared.vocab``.

Documents may come as parsed canonical JSON (dates as strings) or as loaded by
``load_offer_version`` (dates as objects); both map alike. Absent values are left out rather
than sent as ``null``: the HSDS schemas type every field (a ``null`` email would not validate).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from shared import vocab
from shared.areas import AreaKind, reference_data
from shared.publication.schema import STATUS_PUBLISHED
from shared.vocab import Concept, Vocabulary

HSDS_VERSION = "3.0"
# uuid5(NAMESPACE_URL, "https://nettungen.no/ns/hsds"). Never change it: every id depends on it.
NAMESPACE = uuid.UUID("ac3113f6-8aa9-5ad4-aefd-b169b2838584")
LANGUAGE = vocab.DEFAULT_LANGUAGE
COUNTRY = "NO"
CURRENCY = "NOK"
# org-id.guide's scheme for the Brønnøysund Register Centre's organisation numbers.
ORGANISATION_NUMBER_SCHEME = "NO-BRC"
BRREG_ENTITY_URL = "https://data.brreg.no/enhetsregisteret/api/enheter/{}"

# Our vocabularies published as HSDS taxonomies, in this (stable) order. The language list is
# not among them: HSDS has its own ``languages`` objects for it.
TAXONOMIES: tuple[Vocabulary, ...] = (
    vocab.PYRAMID_LEVELS,
    vocab.OFFER_CATEGORIES,
    vocab.AUDIENCES,
    vocab.RISK_GROUPS,
    vocab.DIAGNOSIS_GROUPS,
    vocab.ACCESS,
    vocab.MEASURE_STATUSES,
)

_AREA_KIND_LABELS = {
    AreaKind.MUNICIPALITY: "Kommunenummer",
    AreaKind.COUNTY: "Fylkesnummer",
    AreaKind.REGION: "Regionkode",
    AreaKind.NATIONAL: "Landkode",
}


def stable_id(kind: str, *key: str) -> str:
    """The UUID of the ``kind`` of thing with natural ``key``, the same everywhere.

    The name hashed is the compact JSON array ``[kind, *key]``, so keys holding any character
    never collide, and anyone can recompute an id from the key.
    """
    name = json.dumps([kind, *key], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(NAMESPACE, name))


def service_id(offer_uri: str) -> str:
    """The offer's service id: a name-based UUID of its URI.

    Not the offer id the node chose: any node could choose another node's id, while the URI
    lies under the node's own base URL, which every event's signature and source vouch for.
    """
    return stable_id("service", offer_uri)


def organization_id(organisation_number: str) -> str:
    return stable_id("organization", organisation_number)


def taxonomy_id(vocabulary: Vocabulary) -> str:
    return stable_id("taxonomy", vocabulary.id)


def taxonomy_term_id(vocabulary: Vocabulary, code: str) -> str:
    return stable_id("taxonomy_term", vocabulary.id, code)


# --- taxonomies ---------------------------------------------------------------------------------


def taxonomy(vocabulary: Vocabulary) -> dict[str, Any]:
    description = f"{vocabulary.title[LANGUAGE]}: kontrollert vokabular i Nettungen."
    if vocabulary.source:
        description += f" Kilde: {vocabulary.source}."
    return {
        "id": taxonomy_id(vocabulary),
        "name": vocabulary.title[LANGUAGE],
        "description": description,
    }


def taxonomy_term(
    vocabulary: Vocabulary, concept: Concept, *, with_taxonomy: bool = True
) -> dict[str, Any]:
    """One term; ``with_taxonomy`` nests the taxonomy as ``taxonomy_detail``."""
    name = concept.label(LANGUAGE)
    description = f"{vocabulary.title[LANGUAGE]}: {name}"
    if concept.notation:
        description += f" (ICD-10 {concept.notation})"
    term: dict[str, Any] = {
        "id": taxonomy_term_id(vocabulary, concept.code),
        "code": concept.code,
        "name": name,
        "description": description,
        "taxonomy": vocabulary.title[LANGUAGE],
        "taxonomy_id": taxonomy_id(vocabulary),
        "language": LANGUAGE,
    }
    if with_taxonomy:
        term["taxonomy_detail"] = taxonomy(vocabulary)
    return term


def all_taxonomy_terms() -> Iterator[tuple[Vocabulary, Concept]]:
    """Every term of every published taxonomy, in vocabulary order."""
    for vocabulary in TAXONOMIES:
        yield from ((vocabulary, concept) for concept in vocabulary)


def terms_of(document: Mapping[str, Any]) -> list[tuple[Vocabulary, Concept]]:
    """The taxonomy terms an offer version is classified with, in taxonomy order."""
    codes: dict[str, list[str]] = {
        vocab.PYRAMID_LEVELS.id: [str(document["level"])],
        vocab.OFFER_CATEGORIES.id: [document["category"]],
        vocab.AUDIENCES.id: list(document["audiences"]),
        vocab.RISK_GROUPS.id: list(document["risk_groups"]),
        vocab.DIAGNOSIS_GROUPS.id: list(document["diagnosis_groups"]),
        vocab.ACCESS.id: [document["access"]],
        vocab.MEASURE_STATUSES.id: [document["measure_status"]],
    }
    return [(v, v.get(code)) for v in TAXONOMIES for code in codes[v.id] if code in v]


# --- organizations ------------------------------------------------------------------------------


def organization(provider: Mapping[str, Any], *, nested: bool = True) -> dict[str, Any]:
    """The provider block of a version document as an HSDS organization.

    ``nested=False`` gives the one-to-one fields only, as HSDS lists carry them.
    """
    orgnr = provider["organisation_number"]
    org_id = organization_id(orgnr)
    kind = vocab.ORGANISATION_KINDS.get(provider["kind"]).label(LANGUAGE)
    result: dict[str, Any] = {
        "id": org_id,
        "name": provider["name"],
        "description": f"{kind}, {_area_name(provider['home_area'])}",
        "uri": BRREG_ENTITY_URL.format(orgnr),
    }
    if nested:
        result["organization_identifiers"] = [
            {
                "id": stable_id("organization_identifier", ORGANISATION_NUMBER_SCHEME, orgnr),
                "organization_id": org_id,
                "identifier_scheme": ORGANISATION_NUMBER_SCHEME,
                "identifier_type": "Organisasjonsnummer",
                "identifier": orgnr,
            }
        ]
    return result


# --- services -----------------------------------------------------------------------------------


def service_minimal(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a harvester needs to decide what to fetch: id and modification time.

    The HSDS API names ``id`` and a modification date; ``name`` and ``status`` are added
    because the list schema requires them.
    """
    return {
        "id": service_id(document["uri"]),
        "name": document["name"],
        "status": _status(document),
        "last_modified": _timestamp(document["published_at"]),
    }


def service_summary(
    document: Mapping[str, Any], *, with_organization: bool = True
) -> dict[str, Any]:
    """The service's one-to-one fields (HSDS ``service_list``), with its organization."""
    contact = document["contact"]
    result = {
        "id": service_id(document["uri"]),
        "organization_id": organization_id(document["provider"]["organisation_number"]),
        "name": document["name"],
        "description": document["description"],
        "url": contact.get("url"),
        "email": contact.get("email"),
        "status": _status(document),
        "application_process": vocab.ACCESS.get(document["access"]).label(LANGUAGE),
        "fees_description": _fees_description(document),
        "eligibility_description": _eligibility_description(document),
        "minimum_age": document["age_min"],
        "maximum_age": document["age_max"],
        "assured_date": _date(document.get("last_reviewed")),
        "last_modified": _timestamp(document["published_at"]),
    }
    if with_organization:
        result["organization"] = organization(document["provider"], nested=False)
    return _compact(result)


def service(document: Mapping[str, Any]) -> dict[str, Any]:
    """The fully nested HSDS service for one offer version."""
    sid = service_id(document["uri"])
    org_id = organization_id(document["provider"]["organisation_number"])
    return {
        **service_summary(document, with_organization=False),
        "organization": organization(document["provider"]),
        "phones": _phones(document, sid),
        "contacts": _contacts(document, sid),
        "schedules": _schedules(document, sid),
        "service_areas": [_service_area(sid, code) for code in document["coverage"]],
        "service_at_locations": _service_at_locations(document, sid, org_id),
        "languages": [
            {
                "id": stable_id("language", sid, code),
                "service_id": sid,
                "name": vocab.OFFER_LANGUAGES.get(code).label(LANGUAGE),
                "code": code,
            }
            for code in document["languages"]
            if code in vocab.OFFER_LANGUAGES
        ],
        "cost_options": _cost_options(document, sid),
        "attributes": [
            {
                "id": stable_id("attribute", sid, taxonomy_term_id(v, c.code)),
                "link_id": sid,
                "link_entity": "service",
                "link_type": v.id,
                "taxonomy_term_id": taxonomy_term_id(v, c.code),
                "taxonomy_term": taxonomy_term(v, c, with_taxonomy=False),
            }
            for v, c in terms_of(document)
        ],
    }


def organization_with_services(
    provider: Mapping[str, Any], documents: Iterable[Mapping[str, Any]], *, full: bool = False
) -> dict[str, Any]:
    """The fully nested organization with its services: one-to-one fields, or ``full``."""
    return {
        **organization(provider),
        "services": [
            service(d) if full else service_summary(d, with_organization=False) for d in documents
        ],
    }


def _status(document: Mapping[str, Any]) -> str:
    return "active" if document["status"] == STATUS_PUBLISHED else "inactive"


def _fees_description(document: Mapping[str, Any]) -> str:
    if document.get("cost_description"):
        return str(document["cost_description"])
    return "Gratis." if document["free_of_charge"] else "Tilbudet er ikke gratis."


def _eligibility_description(document: Mapping[str, Any]) -> str:
    low, high = document["age_min"], document["age_max"]
    text = f"Alder: {low} år." if low == high else f"Alder: {low}–{high} år."
    audiences = [vocab.AUDIENCES.get(c).label(LANGUAGE) for c in document["audiences"]]
    if audiences:
        text += f" Målgruppe: {', '.join(audiences)}."
    return text


def _phones(document: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    number = document["contact"].get("phone")
    if not number:
        return []
    return [{"id": stable_id("phone", sid, number), "service_id": sid, "number": number}]


def _schedules(document: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    # Registrars write opening hours as free text; HSDS keeps such text in ``description``.
    if not document.get("schedule"):
        return []
    return [
        {"id": stable_id("schedule", sid), "service_id": sid, "description": document["schedule"]}
    ]


def _contacts(document: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    contact = document["contact"]
    if not (contact.get("name") or contact.get("email") or contact.get("phone")):
        return []
    contact_id = stable_id("contact", sid)
    phones: list[dict[str, Any]] = []
    if contact.get("phone"):
        phones.append(
            {
                "id": stable_id("contact_phone", contact_id),
                "contact_id": contact_id,
                "number": contact["phone"],
            }
        )
    return [
        _compact(
            {
                "id": contact_id,
                "service_id": sid,
                "name": contact.get("name"),
                # The role that keeps the offer up to date, never a person: the method's rule.
                "title": document.get("responsible_role"),
                "department": document["agency"]["name"],
                "email": contact.get("email"),
                "phones": phones,
            }
        )
    ]


def _service_area(sid: str, code: str) -> dict[str, Any]:
    area = reference_data().areas.get(code)
    # A code retired by a municipal reform still names the area the registrar meant.
    name = area.label(LANGUAGE) if area else code
    kind = _AREA_KIND_LABELS[area.kind] if area else "Områdekode"
    return {
        "id": stable_id("service_area", sid, code),
        "service_id": sid,
        "name": name,
        "description": f"{kind} {code}",
    }


def _service_at_locations(
    document: Mapping[str, Any], sid: str, org_id: str
) -> list[dict[str, Any]]:
    links: dict[str, dict[str, Any]] = {}
    for place in document["locations"]:
        location = _location(document["provider"]["organisation_number"], org_id, place)
        links.setdefault(
            location["id"],
            {
                "id": stable_id("service_at_location", sid, location["id"]),
                "service_id": sid,
                "location_id": location["id"],
                "location": location,
            },
        )
    return list(links.values())


def _location(orgnr: str, org_id: str, place: Mapping[str, Any]) -> dict[str, Any]:
    # Keyed by the organisation and the place, so one building used by several of an
    # organisation's offers is one HSDS location.
    location_id = stable_id(
        "location",
        orgnr,
        place["name"],
        place.get("street_address") or "",
        place.get("postal_code") or "",
    )
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": place["name"],
        "organization_id": org_id,
    }
    address = _address(location_id, place)
    if address:
        location["addresses"] = [address]
    return location


def _address(location_id: str, place: Mapping[str, Any]) -> dict[str, Any] | None:
    """The postal address, when every part HSDS requires is known.

    HSDS requires a state or province: that is the county of the location's municipality, so
    an address without a municipality is left out rather than sent with a guessed county.
    """
    data = reference_data()
    municipality = data.areas.get(place.get("municipality") or "")
    county = data.areas.get(municipality.county_code or "") if municipality else None
    street, code, town = (place.get(k) for k in ("street_address", "postal_code", "postal_town"))
    if not (street and code and town and municipality and county):
        return None
    return {
        "id": stable_id("address", location_id),
        "location_id": location_id,
        "address_1": street,
        "city": town,
        "region": municipality.label(LANGUAGE),
        "state_province": county.label(LANGUAGE),
        "postal_code": code,
        "country": COUNTRY,
        "address_type": "physical",
    }


def _cost_options(document: Mapping[str, Any], sid: str) -> list[dict[str, Any]]:
    option: dict[str, Any] = {
        "id": stable_id("cost_option", sid),
        "service_id": sid,
        "currency": CURRENCY,
    }
    if document["free_of_charge"]:
        option.update(option="Gratis", amount=0)
    elif document.get("cost_description"):
        option["amount_description"] = document["cost_description"]
    else:
        return []
    return [option]


def _area_name(code: str) -> str:
    area = reference_data().areas.get(code)
    return area.label(LANGUAGE) if area else code


def _timestamp(value: str | dt.datetime) -> str:
    """HSDS ``last_modified``: UTC with millisecond accuracy, as the specification asks."""
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    text = moment.astimezone(dt.UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def _date(value: str | dt.date | None) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != []}
