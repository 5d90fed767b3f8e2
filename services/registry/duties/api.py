"""HTTP API: the statutory-duty catalogue (public to read, node administrators edit)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.context import current_actor, public
from services.registry.duties import services
from services.registry.duties.models import StatutoryDuty
from services.registry.duties.schemas import (
    DutyCreateSchema,
    DutyQuerySchema,
    DutySchema,
    DutyUpdateSchema,
)
from shared.web import db_session

blp = Blueprint(
    "duties",
    __name__,
    url_prefix="/api/v1/duties",
    description="Statutory duties (lovpålagte oppgaver) toward children, youth and families.",
)


@blp.route("")
class Duties(MethodView):
    @public(blp)
    @blp.arguments(DutyQuerySchema, location="query")
    @blp.response(200, DutySchema(many=True))
    def get(self, query: dict[str, Any]) -> list[StatutoryDuty]:
        """The catalogue; ``applies_to`` narrows it to one kind of organisation."""
        return services.list_duties(db_session(), query.get("applies_to"), query["include_retired"])

    @blp.arguments(DutyCreateSchema)
    @blp.response(201, DutySchema)
    def post(self, data: dict[str, Any]) -> StatutoryDuty:
        return services.create_duty(db_session(), current_actor(), data)


@blp.route("/<code>")
class DutyItem(MethodView):
    @public(blp)
    @blp.response(200, DutySchema)
    def get(self, code: str) -> StatutoryDuty:
        return services.get_duty(db_session(), code)

    @blp.arguments(DutyUpdateSchema)
    @blp.response(200, DutySchema)
    def patch(self, data: dict[str, Any], code: str) -> StatutoryDuty:
        """Edit or retire (``active: false``) a duty."""
        session = db_session()
        return services.update_duty(
            session, current_actor(), services.get_duty(session, code), data
        )
