"""``/hsds/``: the national HSDS 3.1 API, the shared HSDS API over the search index."""

from __future__ import annotations

from services.search.context import public_url
from services.search.hsds.services import IndexedOffers
from shared.hsds_api.api import hsds_blueprint

blp = hsds_blueprint(
    IndexedOffers,
    description="HSDS 3.1 (Open Referral), national: every offer published in the Nettungen "
    "federation as a service, the organizations that provide them and our vocabularies as "
    "taxonomies. search finds words by their stems and as prefixes. Text is in Norwegian "
    "(bokmål).",
    openapi_url=lambda: public_url("/openapi.json"),
)
