"""The open status of what a national service received from each node and refused
(:mod:`shared.ingest.status`): JSON at ``/api/v1/status/...`` and readable pages at
``/status/nodes``, the same in national search and national reporting. The JSON's query
parameters are strict like the search API's: a malformed or unknown one is a 400.

The pages extend the service's own layout (``layout``) and take their words from its
catalogues; they need no script.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint as PageBlueprint
from flask import abort, render_template
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from shared.errors import NotFound
from shared.fields import NoQuery, StrictQuery
from shared.ingest import status
from shared.web import db_session
from shared.web.query import strict_query

_DATE = {"format": "date-time"}


class NodeQuerySchema(StrictQuery):
    base_url = fields.String(
        validate=validate.Length(max=300),
        metadata={"description": "Only the node with this base URL (a node's own question)."},
    )


class OfferQuerySchema(StrictQuery):
    uri = fields.List(
        fields.String(validate=validate.Length(max=500)),
        required=True,
        validate=validate.Length(1, status.MAX_OFFERS_ASKED),
        metadata={"description": "An offer URI; repeat for several (at most 100)."},
    )


class ReceivedSchema(Schema):
    published = fields.Integer(required=True)
    withdrawn = fields.Integer(required=True)
    last_applied_at = fields.String(required=True, allow_none=True, metadata=_DATE)
    last_sequence = fields.Integer(required=True, allow_none=True)


class RefusalCountSchema(Schema):
    kept = fields.Integer(required=True)
    open = fields.Integer(required=True)


class HarvestSchema(Schema):
    read_up_to_sequence = fields.Integer(required=True)
    harvested_at = fields.String(required=True, allow_none=True, metadata=_DATE)
    last_error = fields.String(required=True, allow_none=True)


class NodeSummarySchema(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    base_url = fields.String(required=True)
    enabled = fields.Boolean(required=True)
    transport = fields.String(required=True)
    received = fields.Nested(ReceivedSchema, required=True)
    refusals = fields.Nested(RefusalCountSchema, required=True)
    harvest = fields.Nested(HarvestSchema, required=True)


class NodeSummaryListSchema(Schema):
    nodes = fields.List(fields.Nested(NodeSummarySchema), required=True)


class AppliedSchema(Schema):
    offer_uri = fields.String(required=True)
    version = fields.Integer(required=True)
    withdrawn = fields.Boolean(required=True)
    event_id = fields.String(required=True)
    sequence = fields.Integer(required=True)
    applied_at = fields.String(required=True, allow_none=True, metadata=_DATE)


class RefusalSchema(Schema):
    received_at = fields.String(required=True, allow_none=True, metadata=_DATE)
    via = fields.String(required=True)
    event_id = fields.String(required=True, allow_none=True)
    offer_uri = fields.String(required=True, allow_none=True)
    reason = fields.String(required=True)
    open = fields.Boolean(
        required=True,
        metadata={"description": "Not followed by the offer being received (still to mend)."},
    )


class GrantedOrganisationSchema(Schema):
    organisation_number = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    kind = fields.String(required=True, allow_none=True)


class KeySchema(Schema):
    key_id = fields.String(required=True)
    state = fields.String(required=True)
    retired_after_sequence = fields.Integer(required=True, allow_none=True)
    missing_since = fields.String(required=True, allow_none=True, metadata=_DATE)
    trusted_at = fields.String(required=True, allow_none=True, metadata=_DATE)


class NodeStatusSchema(NodeSummarySchema):
    last_event = fields.Nested(AppliedSchema, required=True, allow_none=True)
    organisations = fields.List(fields.Nested(GrantedOrganisationSchema), required=True)
    keys = fields.List(fields.Nested(KeySchema), required=True)
    refused = fields.List(
        fields.Nested(RefusalSchema),
        required=True,
        metadata={"description": f"The newest {status.REFUSALS_SHOWN} refusals."},
    )


class OfferStatusSchema(Schema):
    offer_uri = fields.String(required=True)
    received = fields.Nested(AppliedSchema, required=True, allow_none=True)
    refused = fields.List(fields.Nested(RefusalSchema), required=True)


class OfferStatusListSchema(Schema):
    offers = fields.List(fields.Nested(OfferStatusSchema), required=True)


def status_api() -> Blueprint:
    """``/api/v1/status/...``: each node's status, and the status of given offers."""
    blp = Blueprint(
        "node_status",
        __name__,
        url_prefix="/api/v1/status",
        description="What this service received from each node of the federation and what it "
        "refused, and why: open, for every node's operator.",
    )

    @blp.route("/nodes")
    class Nodes(MethodView):
        @strict_query(blp, NodeQuerySchema)
        @blp.response(200, NodeSummaryListSchema)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            """Every node in the directory, in brief."""
            return {"nodes": status.node_summaries(db_session(), args.get("base_url"))}

    @blp.route("/nodes/<node_id>")
    class Node(MethodView):
        @strict_query(blp, NoQuery)
        @blp.response(200, NodeStatusSchema)
        @blp.alt_response(404, description="No node with this id is in the directory.")
        def get(self, _query: dict[str, Any], node_id: str) -> dict[str, Any]:
            """One node: organisations it may publish for, keys, last event, refusals."""
            return status.node_status(db_session(), node_id)

    @blp.route("/offers")
    class Offers(MethodView):
        @strict_query(blp, OfferQuerySchema)
        @blp.response(200, OfferStatusListSchema)
        def get(self, args: dict[str, Any]) -> dict[str, Any]:
            """Given offers (by URI): the version received, or the open refusals and why."""
            return {"offers": status.offer_statuses(db_session(), args["uri"])}

    return blp


def status_pages(layout: str) -> PageBlueprint:
    """``/status/nodes`` and ``/status/nodes/<id>``, in the service's ``layout``."""
    bp = PageBlueprint("status_pages", __name__)

    @bp.get("/status/nodes")
    def nodes() -> str:
        found = status.node_summaries(db_session())
        return render_template("shared/status_nodes.html", layout=layout, nodes=found)

    @bp.get("/status/nodes/<node_id>")
    def node(node_id: str) -> str:
        try:
            found = status.node_status(db_session(), node_id)
        except NotFound:
            abort(404)
        return render_template("shared/status_node.html", layout=layout, node=found)

    return bp
