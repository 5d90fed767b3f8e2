"""HTTP API: vocabularies and areas, public and read-only."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.registry.context import public
from shared import vocab
from shared.areas import Area, AreaKind, reference_data
from shared.errors import NotFound

blp = Blueprint(
    "reference",
    __name__,
    url_prefix="/api/v1",
    description="The common concept set and the 2024 classification of areas.",
)


class ConceptSchema(Schema):
    code = fields.String(required=True)
    labels = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    notation = fields.String(allow_none=True)


class VocabularySchema(Schema):
    id = fields.String(required=True)
    title = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    source = fields.String(allow_none=True)
    concepts = fields.List(fields.Nested(ConceptSchema), required=True)


class AreaSchema(Schema):
    code = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    names = fields.Dict(keys=fields.String(), values=fields.String())
    county_code = fields.String(allow_none=True)
    municipalities = fields.Function(lambda a: sorted(a.municipalities), required=True)


class AreaQuerySchema(Schema):
    kind = fields.String(validate=validate.OneOf([k.value for k in AreaKind]))


@blp.route("/vocabularies")
class Vocabularies(MethodView):
    @public(blp)
    @blp.response(200, VocabularySchema(many=True))
    def get(self) -> list[vocab.Vocabulary]:
        # A list: flask-smorest reads a tuple returned by a view as (body, status, headers).
        return list(vocab.ALL)


@blp.route("/vocabularies/<vocabulary_id>")
class VocabularyItem(MethodView):
    @public(blp)
    @blp.response(200, VocabularySchema)
    def get(self, vocabulary_id: str) -> vocab.Vocabulary:
        try:
            return vocab.BY_ID[vocabulary_id]
        except KeyError:
            raise NotFound("vocabulary.not_found") from None


@blp.route("/areas")
class Areas(MethodView):
    @public(blp)
    @blp.arguments(AreaQuerySchema, location="query")
    @blp.response(200, AreaSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[Area]:
        """Municipalities, counties, regions and the country; ``kind`` filters."""
        areas = reference_data().areas.values()
        return [a for a in areas if query.get("kind") in (None, a.kind.value)]


@blp.route("/areas/<code>")
class AreaItem(MethodView):
    @public(blp)
    @blp.response(200, AreaSchema)
    def get(self, code: str) -> Area:
        if code not in reference_data():
            raise NotFound("area.not_found")
        return reference_data().get(code)
