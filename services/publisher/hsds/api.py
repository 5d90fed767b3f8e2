"""The node's HSDS 3.1 API (Open Referral): its published offers as services.

The endpoints, parameters and pages are the shared HSDS API (``shared.hsds_api``); the node
answers them from its published snapshots (``services.PublishedOffers``).
"""

from __future__ import annotations

from services.publisher.context import base_url
from services.publisher.hsds.services import PublishedOffers
from shared.hsds_api.api import hsds_blueprint

blp = hsds_blueprint(
    PublishedOffers,
    description="HSDS 3.1 (Open Referral): the node's published offers as services, their "
    "organizations and our vocabularies as taxonomies. Text is in Norwegian (bokmål).",
    openapi_url=lambda: f"{base_url().rstrip('/')}/openapi.json",
)
