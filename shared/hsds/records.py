"""Offer versions and their providers as HSDS ``service`` and ``organization`` objects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from shared import vocab
from shared.areas import AreaKind, reference_data
from shared.hsds.ids import LANGUAGE, organization_id, service_id, stable_id, taxonomy_term_id
from shared.hsds.schedules import schedules
from shared.hsds.taxonomies import taxonomy_term, terms_of
from shared.publication.schema import STATUS_PUBLISHED

COUNTRY = "NO"
CURRENCY = "NOK"
# org-id.guide's scheme for the Brønnøysund Register Centre's organisation numbers.
ORGANISATION_NUMBER_SCHEME = "NO-BRC"
BRREG_ENTITY_URL = "https://data.brreg.no/enhetsregisteret/api/enheter/{}"

_AREA_KIND_LABELS = {
    AreaKind.MUNICIPALITY: "Kommunenummer",
    AreaKind.COUNTY: "Fylkesnummer",
    AreaKind.REGION: "Regionkode",
    AreaKind.NATIONAL: "Landkode",
}


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


def service(document: Mapping[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """The fully nested HSDS service for one offer version; ``today`` (Oslo's date by
    default) starts the horizon of its weekly schedules (:mod:`shared.hsds.schedules`)."""
    sid = service_id(document["uri"])
    return _compact(
        {
            **service_summary(document, with_organization=False),
            "organization": organization(document["provider"]),
            "phones": _phones(document, sid),
            "contacts": _contacts(document, sid),
            "schedules": schedules(document, sid, today),
            "service_areas": [_service_area(sid, code) for code in document["coverage"]],
            "service_at_locations": _service_at_locations(document),
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
    )


def organization_with_services(
    provider: Mapping[str, Any], documents: Iterable[Mapping[str, Any]], *, full: bool = False
) -> dict[str, Any]:
    """The fully nested organization with its services: one-to-one fields, or ``full``."""
    return _compact(
        {
            **organization(provider),
            "services": [
                service(d) if full else service_summary(d, with_organization=False)
                for d in documents
            ],
        }
    )


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


def _service_at_locations(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    # Nested in its service, a link needs no copy of the service.
    return [service_at_location(document, place) for _, place in places(document)]


def places(document: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """The distinct places of an offer version with their HSDS location ids, in its order;
    of places with one id (the id leaves the point out), the first with a point."""
    orgnr = document["provider"]["organisation_number"]
    found: dict[str, Mapping[str, Any]] = {}
    for place in document["locations"]:
        location_id = _location_id(orgnr, place)
        known = found.get(location_id)
        if known is None or (known.get("latitude") is None and place.get("latitude") is not None):
            found[location_id] = place
    return list(found.items())


def location(orgnr: str, place: Mapping[str, Any]) -> dict[str, Any]:
    """One place of an offer version of organisation ``orgnr`` as an HSDS location."""
    return _location(orgnr, organization_id(orgnr), place)


def service_at_location(
    document: Mapping[str, Any], place: Mapping[str, Any], *, full: bool = False
) -> dict[str, Any]:
    """The offer at one of its places: with the location (lists), or ``full`` with the
    service's one-to-one fields too."""
    sid = service_id(document["uri"])
    found = location(document["provider"]["organisation_number"], place)
    result = {
        "id": stable_id("service_at_location", sid, found["id"]),
        "service_id": sid,
        "location_id": found["id"],
        "location": found,
    }
    if full:
        result["service"] = service_summary(document)
    return result


def _location_id(orgnr: str, place: Mapping[str, Any]) -> str:
    # Keyed by the organisation and the place, so one building used by several of an
    # organisation's offers is one HSDS location.
    return stable_id(
        "location",
        orgnr,
        place["name"],
        place.get("street_address") or "",
        place.get("postal_code") or "",
    )


def _location(orgnr: str, org_id: str, place: Mapping[str, Any]) -> dict[str, Any]:
    location_id = _location_id(orgnr, place)
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "name": place["name"],
        "organization_id": org_id,
    }
    if place.get("latitude") is not None and place.get("longitude") is not None:
        location["latitude"] = place["latitude"]
        location["longitude"] = place["longitude"]
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
