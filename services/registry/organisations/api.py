"""HTTP API: member organisations and agencies."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from services.registry.context import current_actor
from services.registry.organisations import services
from services.registry.organisations.models import Agency, Organisation
from services.registry.organisations.schemas import (
    AgencyInputSchema,
    AgencySchema,
    AgencyUpdateSchema,
    OrganisationCreateSchema,
    OrganisationSchema,
    OrganisationUpdateSchema,
)
from shared.web import db_session

blp = Blueprint(
    "organisations",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Member organisations (tenants) of this node and their agencies (etater).",
)


def organisation(orgnr: str) -> Organisation:
    return services.get_organisation(db_session(), current_actor(), orgnr)


@blp.route("")
class Organisations(MethodView):
    @blp.response(200, OrganisationSchema(many=True))
    def get(self) -> list[Organisation]:
        """The organisations I belong to (node administrators: all)."""
        return services.list_organisations(db_session(), current_actor())

    @blp.arguments(OrganisationCreateSchema)
    @blp.response(201, OrganisationSchema)
    def post(self, data: dict[str, Any]) -> Organisation:
        """Add a member organisation (node administrators)."""
        return services.create_organisation(db_session(), current_actor(), data)


@blp.route("/<orgnr>")
class OrganisationItem(MethodView):
    @blp.response(200, OrganisationSchema)
    def get(self, orgnr: str) -> Organisation:
        return organisation(orgnr)

    @blp.arguments(OrganisationUpdateSchema)
    @blp.response(200, OrganisationSchema)
    def patch(self, data: dict[str, Any], orgnr: str) -> Organisation:
        """Change name or home area (administrators), or membership status (node admins)."""
        return services.update_organisation(
            db_session(), current_actor(), organisation(orgnr), data
        )


@blp.route("/<orgnr>/agencies")
class Agencies(MethodView):
    @blp.response(200, AgencySchema(many=True))
    def get(self, orgnr: str) -> list[Agency]:
        return organisation(orgnr).agencies

    @blp.arguments(AgencyInputSchema)
    @blp.response(201, AgencySchema)
    def post(self, data: dict[str, Any], orgnr: str) -> Agency:
        """Add an agency or, with ``parent_id``, a section inside one."""
        return services.create_agency(
            db_session(), current_actor(), organisation(orgnr), data["name"], data["parent_id"]
        )


@blp.route("/<orgnr>/agencies/<agency_id>")
class AgencyItem(MethodView):
    @blp.response(200, AgencySchema)
    def get(self, orgnr: str, agency_id: str) -> Agency:
        return services.get_agency(db_session(), current_actor(), organisation(orgnr), agency_id)

    @blp.arguments(AgencyUpdateSchema)
    @blp.response(200, AgencySchema)
    def patch(self, data: dict[str, Any], orgnr: str, agency_id: str) -> Agency:
        session, actor = db_session(), current_actor()
        agency = services.get_agency(session, actor, organisation(orgnr), agency_id)
        return services.update_agency(session, actor, agency, data)

    @blp.response(204)
    def delete(self, orgnr: str, agency_id: str) -> None:
        """Remove an agency that has no offers and no sections."""
        session, actor = db_session(), current_actor()
        agency = services.get_agency(session, actor, organisation(orgnr), agency_id)
        services.delete_agency(session, actor, agency)
