"""Offer versions as HSDS 3.1 objects (Open Referral Human Services Data Specification).

Pure functions from the canonical version document (``shared.publication.schema``) to HSDS
``service``, ``organization``, ``location``, ``service_at_location``, ``taxonomy`` and
``taxonomy_term`` objects. A node's publisher serves them and the national search reuses them,
so nothing here knows about Flask, a database or a node's base URL.

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

The package is split by what each module maps: :mod:`~shared.hsds.ids` (the version, the
language and every id), :mod:`~shared.hsds.taxonomies` (our vocabularies as taxonomies) and
:mod:`~shared.hsds.records` (organizations and services). Everything public is importable from
``shared.hsds`` itself.
"""

from shared.hsds.ids import (
    HSDS_VERSION,
    LANGUAGE,
    NAMESPACE,
    organization_id,
    service_id,
    stable_id,
    taxonomy_id,
    taxonomy_term_id,
)
from shared.hsds.records import (
    BRREG_ENTITY_URL,
    COUNTRY,
    CURRENCY,
    ORGANISATION_NUMBER_SCHEME,
    location,
    organization,
    organization_with_services,
    places,
    service,
    service_at_location,
    service_minimal,
    service_summary,
)
from shared.hsds.taxonomies import (
    TAXONOMIES,
    all_taxonomy_terms,
    taxonomy,
    taxonomy_term,
    terms_of,
)

__all__ = [
    "BRREG_ENTITY_URL",
    "COUNTRY",
    "CURRENCY",
    "HSDS_VERSION",
    "LANGUAGE",
    "NAMESPACE",
    "ORGANISATION_NUMBER_SCHEME",
    "TAXONOMIES",
    "all_taxonomy_terms",
    "organization",
    "organization_id",
    "organization_with_services",
    "places",
    "location",
    "service_at_location",
    "service",
    "service_id",
    "service_minimal",
    "service_summary",
    "stable_id",
    "taxonomy",
    "taxonomy_id",
    "taxonomy_term",
    "taxonomy_term_id",
    "terms_of",
]
