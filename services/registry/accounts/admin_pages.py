"""Pages for the organisation's administrator: its people and their roles, its agencies."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from services.registry.accounts import services
from services.registry.accounts.models import Membership
from services.registry.accounts.schemas import MemberCreateSchema, MemberUpdateSchema
from services.registry.organisations import services as organisations
from services.registry.organisations.schemas import AgencyInputSchema, AgencyUpdateSchema
from services.registry.ui.forms import Field, FormState
from services.registry.ui.web import (
    attempt,
    done,
    organisation,
    page_blueprint,
    read_posted,
    render_page,
    signed_in,
    validate,
)
from services.registry.web import db_session
from shared import vocab

bp = page_blueprint("admin_pages", __name__)

ROLES = Field(
    "roles",
    _l("Roles"),
    kind="checkboxes",
    required=True,
    vocabulary=vocab.ROLES,
    hint=_l(
        "Registrars register the offers of their agencies; publishers check and publish them; "
        "administrators manage people and agencies; readers see everything and change nothing."
    ),
)
AGENCIES = Field(
    "agencies",
    _l("Agencies (for registrars)"),
    kind="checkboxes",
    dynamic=True,
    hint=_l("A registrar works in these agencies and their sections."),
)
NEW_MEMBER = (
    Field("email", _l("E-mail address"), kind="email", required=True, autocomplete="off"),
    Field("name", _l("Name"), hint=_l("Needed when the person is new to Nettungen.")),
    ROLES,
    AGENCIES,
)
PASSWORD = Field(
    "password",
    _l("First password"),
    hint=_l("At least 12 characters. Give it to the person in a safe way."),
)
AGENCY = (
    Field("name", _l("Name of the agency or section"), required=True),
    Field("parent_id", _l("Part of (for a section)"), kind="select", dynamic=True),
)


def _agency_choices() -> list[tuple[str, str]]:
    return [(a.public_id, a.name) for a in organisation().agencies]


def _member_fields() -> tuple[Field, ...]:
    return (*NEW_MEMBER, PASSWORD) if signed_in().is_node_admin else NEW_MEMBER


@bp.get("/admin/users")
def users() -> tuple[str, int]:
    members = services.list_members(db_session(), signed_in(), organisation())
    return render_page("admin_users.html", members=members)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user() -> Response | tuple[str, int]:
    org = organisation()
    fields = _member_fields()
    state = FormState(choices={"agencies": _agency_choices()})
    if request.method == "GET":
        # Checked before the form is shown: only administrators manage people.
        services.list_members(db_session(), signed_in(), org)
        return render_page("admin_user_form.html", form=state, fields=fields, member=None)
    data = read_posted(state, fields, MemberCreateSchema())
    if data is not None:
        _member, state.errors = attempt(
            lambda: services.add_member(db_session(), signed_in(), org, **_member_input(data))
        )
    if data is None or state.errors:
        return render_page("admin_user_form.html", 422, form=state, fields=fields, member=None)
    return done(gettext("%(email)s is added.", email=data["email"]), "admin_pages.users")


def _member_input(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "email": data["email"],
        "name": data.get("name"),
        "roles": data["roles"],
        "agencies": data.get("agencies", []),
        "password": data.get("password"),
    }


def _membership(user_id: int) -> Membership:
    return services.get_membership(db_session(), signed_in(), organisation(), user_id)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int) -> Response | tuple[str, int]:
    membership = _membership(user_id)
    fields = (ROLES, AGENCIES)
    state = FormState(
        values={"roles": membership.roles, "agencies": [a.public_id for a in membership.agencies]},
        choices={"agencies": _agency_choices()},
    )
    if request.method == "POST":
        data = read_posted(state, fields, MemberUpdateSchema())
        if data is not None:
            _updated, state.errors = attempt(
                lambda: services.update_member(db_session(), signed_in(), membership, **data)
            )
        if not state.errors:
            return done(gettext("The roles are saved."), "admin_pages.users")
    status = 422 if state.errors else 200
    return render_page("admin_user_form.html", status, form=state, fields=fields, member=membership)


@bp.post("/admin/users/<int:user_id>/remove")
def remove_user(user_id: int) -> Response:
    membership = _membership(user_id)
    email = membership.user.email
    services.remove_member(db_session(), signed_in(), membership)
    return done(gettext("%(email)s is no longer a member.", email=email), "admin_pages.users")


def _agencies_page(state: FormState, status: int = 200) -> tuple[str, int]:
    org = organisation()
    # Only administrators see this page, though every member may read the agencies.
    signed_in().require_admin(org.id)
    state.choices = {"parent_id": _agency_choices()}
    return render_page(
        "admin_agencies.html", status, form=state, fields=AGENCY, agencies=org.agencies
    )


@bp.get("/admin/agencies")
def agencies() -> tuple[str, int]:
    return _agencies_page(FormState())


@bp.post("/admin/agencies")
def add_agency() -> Response | tuple[str, int]:
    org = organisation()
    state = FormState()
    data = read_posted(state, AGENCY, AgencyInputSchema())
    if data is not None:
        _agency, state.errors = attempt(
            lambda: organisations.create_agency(
                db_session(), signed_in(), org, data["name"], data["parent_id"]
            )
        )
    if data is None or state.errors:
        return _agencies_page(state, 422)
    return done(gettext("%(name)s is added.", name=data["name"]), "admin_pages.agencies")


@bp.post("/admin/agencies/<agency_id>")
def rename_agency(agency_id: str) -> Response | tuple[str, int]:
    session, actor = db_session(), signed_in()
    agency = organisations.get_agency(session, actor, organisation(), agency_id)
    data, errors = validate(AgencyUpdateSchema(), {"name": request.form.get("name", "").strip()})
    if not errors:
        _agency, errors = attempt(lambda: organisations.update_agency(session, actor, agency, data))
    if errors:
        state = FormState(errors={f"rename-{agency_id}": errors.get("name", [])})
        return _agencies_page(state, 422)
    return done(gettext("The agency is renamed."), "admin_pages.agencies")


@bp.post("/admin/agencies/<agency_id>/delete")
def delete_agency(agency_id: str) -> Response:
    session, actor = db_session(), signed_in()
    agency = organisations.get_agency(session, actor, organisation(), agency_id)
    organisations.delete_agency(session, actor, agency)
    return done(gettext("The agency is removed."), "admin_pages.agencies")
