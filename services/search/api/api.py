"""``/api/v1/offers``: the federation's published offers, searched and filtered, with facets."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from services.search import present
from services.search.api.schemas import (
    OfferDetailSchema,
    OfferItemQuerySchema,
    OfferPageSchema,
    OfferSearchSchema,
    to_offer_query,
)
from services.search.context import public_url
from services.search.index import keyset
from services.search.index import query as index
from services.search.index.models import IndexedOffer
from shared.errors import NotFound
from shared.web import db_session
from shared.web.caching import PUBLIC_CACHE, cacheable, not_modified
from shared.web.query import strict_query

blp = Blueprint(
    "offers",
    __name__,
    url_prefix="/api/v1",
    description="Every offer published in the federation, as search finds it.",
)
_FACET_PARAMS = {"free_of_charge": "free"}
SEARCH_CACHE = PUBLIC_CACHE


def _links(offer: IndexedOffer) -> dict[str, str]:
    return {
        "self": public_url(f"/api/v1/offers/{offer.offer_id}"),
        "page": public_url(f"/tilbud/{offer.offer_id}"),
        "hsds": public_url(f"/hsds/services/{offer.offer_id}"),
        "source": offer.offer_uri,
    }


def _item(
    offer: IndexedOffer, lang: str, municipality: str | None, distance: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        **present.summary(offer, lang, municipality),
        **(distance or {}),
        "links": _links(offer),
    }


def _distance(page: index.SearchPage, offer: IndexedOffer) -> dict[str, Any]:
    found = page.distances.get(offer.id)
    return {"distance_km": None if found is None else round(found, 2)}


def _json_item(
    offer: IndexedOffer, lang: str, municipality: str | None, distance: dict[str, Any] | None
) -> dict[str, Any]:
    """:func:`_item` as ``OfferSummarySchema`` dumps it: dates in ISO 8601."""
    item = _item(offer, lang, municipality, distance)
    item["published_at"] = item["published_at"].isoformat()
    if item["last_reviewed"] is not None:
        item["last_reviewed"] = item["last_reviewed"].isoformat()
    return item


@blp.route("/offers")
class Offers(MethodView):
    @strict_query(blp, OfferSearchSchema)
    @blp.response(200, OfferPageSchema)
    @blp.alt_response(
        304,
        description="Nothing in the index has changed since the answer whose ETag the "
        "request names in If-None-Match.",
    )
    def get(self, args: dict[str, Any]) -> Response:
        """Search: words, a municipality, county or region, facet filters, a point and a
        radius; relevance (or distance from the point), then name. An unknown parameter or a
        bad value is a 400 naming it."""
        session = db_session()
        etag = index.answer_tag(session)
        unchanged = not_modified(etag)
        if unchanged is not None:
            return unchanged
        query = to_offer_query(args)
        page = index.search(
            session, query, args["page"], args["per_page"], args["facets"], args.get("after")
        )
        lang = args["lang"]
        # Built and serialised here, not dumped through OfferPageSchema: the schema documents
        # the answer (and the fuzzing tests hold the answer to it), the hot path skips it.
        answer = jsonify(
            {
                "total": page.total,
                "total_exact": page.total_exact,
                "page": page.page,
                "per_page": page.per_page,
                "pages": page.pages,
                "next_cursor": keyset.encode(query, page.next_cursor) if page.next_cursor else None,
                "items": [
                    _json_item(
                        o, lang, query.municipality, _distance(page, o) if query.near else None
                    )
                    for o in page.offers
                ],
                "facets": present.facets(page, lang, present.chosen(query))
                if args["facets"]
                else {},
                "facets_exact": page.facets_exact,
            }
        )
        # A public answer (shared.web.caching): cached for a minute, then revalidated by its
        # weak ETag (index.answer_tag), which a search that has not changed since answers with
        # a bodiless 304.
        return cacheable(answer, etag)


@blp.route("/offers/<offer_id>")
class Offer(MethodView):
    @strict_query(blp, OfferItemQuerySchema)
    @blp.response(200, OfferDetailSchema)
    @blp.alt_response(404, description="No offer with this id is published now.")
    def get(self, args: dict[str, Any], offer_id: str) -> dict[str, Any]:
        """One published offer: a summary and the version exactly as its node published it."""
        offer = index.find(db_session(), offer_id)
        if offer is None:
            raise NotFound("offer.not_published_now", id=offer_id)
        return {
            "id": offer.offer_id,
            "node": offer.node_id,
            "summary": _item(offer, args["lang"], None),
            "document": dict(present.document(offer)),
        }
