"""Pages for node administrators under ``/node/``: the member organisations (add one; suspend,
end or restore a membership, with what that does to its offers; see its members), the node's
users (deactivate, reactivate), the statutory-duty catalogue (retire, reinstate) and the mails
the sender gave up on.

Everyone else gets 403 here (node administration is no secret); the service layer refuses
them too, so the pages are not the only guard.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor
from services.registry.duties import services as duties
from services.registry.duties.schemas import DutyCreateSchema
from services.registry.mail import services as mail
from services.registry.national import pages as national_pages
from services.registry.organisations import services as organisations
from services.registry.organisations.schemas import (
    OrganisationCreateSchema,
    OrganisationUpdateSchema,
)
from services.registry.ui.forms import Field, FormState
from services.registry.ui.pages import (
    attempt,
    done,
    page_blueprint,
    read_posted,
    render_page,
    signed_in,
)
from shared import vocab
from shared.errors import PermissionDenied
from shared.web import db_session

bp = page_blueprint("node_pages", __name__, organisation_pages=False)

NEW_ORGANISATION = (
    Field(
        "organisation_number",
        _l("Organisation number"),
        required=True,
        hint=_l("Nine digits, from the Central Coordinating Register (Brønnøysundregistrene)."),
    ),
    Field("name", _l("Name"), required=True),
    Field(
        "kind",
        _l("Kind of organisation"),
        kind="select",
        required=True,
        vocabulary=vocab.ORGANISATION_KINDS,
    ),
    Field(
        "home_area",
        _l("Home area"),
        required=True,
        hint=_l(
            "A municipality number (3301) for a municipality, a county number (33) for a "
            "county, a region code for a region, NO for a state body; any of them for a "
            "voluntary organisation."
        ),
    ),
)
NEW_DUTY = (
    Field(
        "code",
        _l("Code"),
        required=True,
        hint=_l("Small letters, digits and hyphens, such as bvl-3-1-forebygging."),
    ),
    Field("title.nb", _l("Title (bokmål)"), required=True),
    Field("title.nn", _l("Title (nynorsk)")),
    Field("title.en", _l("Title (English)")),
    Field(
        "law_short", _l("Short name of the law"), required=True, hint=_l("Such as barnevernsloven.")
    ),
    Field("law_title", _l("Full title of the law"), required=True),
    Field(
        "law_id",
        _l("Lovdata's id of the law"),
        required=True,
        hint=_l("Such as LOV-2021-06-18-97."),
    ),
    Field("section", _l("Section"), required=True, hint=_l("Such as § 3-1.")),
    Field(
        "applies_to",
        _l("Applies to"),
        kind="checkboxes",
        required=True,
        vocabulary=vocab.ORGANISATION_KINDS,
    ),
)
MEMBERSHIP = Field(
    "membership_status",
    _l("Membership"),
    kind="radio",
    required=True,
    vocabulary=vocab.MEMBERSHIP_STATUSES,
)


def node_admin() -> Actor:
    """The signed-in node administrator; anyone else is refused (403)."""
    actor = signed_in()
    if not actor.is_node_admin:
        raise PermissionDenied("role.node_admin_for_users")
    return actor


# --- organisations ----------------------------------------------------------------------------


def _organisations_page(state: FormState, status: int = 200) -> tuple[str, int]:
    found = organisations.list_organisations(db_session(), node_admin())
    return render_page(
        "node_organisations.html", status, organisations=found, form=state, fields=NEW_ORGANISATION
    )


@bp.get("/node/organisations")
def organisation_list() -> tuple[str, int]:
    return _organisations_page(FormState())


@bp.post("/node/organisations")
def add_organisation() -> Response | tuple[str, int]:
    actor, state = node_admin(), FormState()
    data = read_posted(state, NEW_ORGANISATION, OrganisationCreateSchema())
    if data is not None:
        _org, state.errors = attempt(
            lambda: organisations.create_organisation(db_session(), actor, data)
        )
    if data is None or state.errors:
        return _organisations_page(state, 422)
    return done(
        gettext(
            "%(name)s is a member of the node. Before its offers reach national search and "
            "reports, the national operators must let the node publish for it: see below.",
            name=data["name"],
        ),
        "node_pages.organisation",
        orgnr=data["organisation_number"],
    )


def _organisation_page(orgnr: str, state: FormState, status: int = 200) -> tuple[str, int]:
    session, actor = db_session(), node_admin()
    org = organisations.get_organisation(session, actor, orgnr)
    state.values = state.values or {"membership_status": org.membership_status}
    return render_page(
        "node_organisation.html",
        status,
        member_organisation=org,
        members=accounts.list_members(session, actor, org),
        published=organisations.count_published_offers(session, actor, org),
        form=state,
        fields=(MEMBERSHIP,),
        grants=national_pages.grants_needed(org.organisation_number),
    )


@bp.get("/node/organisations/<orgnr>")
def organisation(orgnr: str) -> tuple[str, int]:
    return _organisation_page(orgnr, FormState())


@bp.post("/node/organisations/<orgnr>/membership")
def set_membership(orgnr: str) -> Response | tuple[str, int]:
    session, actor, state = db_session(), node_admin(), FormState()
    org = organisations.get_organisation(session, actor, orgnr)
    data = read_posted(state, (MEMBERSHIP,), OrganisationUpdateSchema())
    if data is not None:
        _org, state.errors = attempt(
            lambda: organisations.update_organisation(session, actor, org, data)
        )
    if data is None or state.errors:
        return _organisation_page(orgnr, state, 422)
    return done(gettext("The membership is saved."), "node_pages.organisation", orgnr=orgnr)


# --- users ------------------------------------------------------------------------------------


@bp.get("/node/users")
def users() -> tuple[str, int]:
    return render_page("node_users.html", users=accounts.list_users(db_session(), node_admin()))


@bp.post("/node/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    session, actor = db_session(), node_admin()
    user = accounts.get_user(session, actor, user_id)
    accounts.deactivate_user(session, actor, user)
    return done(
        gettext("%(email)s is deactivated and logged out everywhere.", email=user.email),
        "node_pages.users",
    )


@bp.post("/node/users/<int:user_id>/reactivate")
def reactivate(user_id: int) -> Response:
    session, actor = db_session(), node_admin()
    user = accounts.get_user(session, actor, user_id)
    accounts.reactivate_user(session, actor, user)
    return done(gettext("%(email)s can log in again.", email=user.email), "node_pages.users")


# --- the statutory-duty catalogue -------------------------------------------------------------


def _duties_page(state: FormState, status: int = 200) -> tuple[str, int]:
    node_admin()
    found = duties.list_duties(db_session(), include_retired=True)
    return render_page("node_duties.html", status, duties=found, form=state, fields=NEW_DUTY)


@bp.get("/node/duties")
def duty_list() -> tuple[str, int]:
    return _duties_page(FormState())


@bp.post("/node/duties")
def add_duty() -> Response | tuple[str, int]:
    actor, state = node_admin(), FormState()
    data = read_posted(state, NEW_DUTY, DutyCreateSchema())
    if data is not None:
        _duty, state.errors = attempt(lambda: duties.create_duty(db_session(), actor, data))
    if data is None or state.errors:
        # The schema words a missing bokmål title as a problem of the whole title.
        if "title" in state.errors:
            state.errors.setdefault("title.nb", []).extend(state.errors.pop("title"))
        return _duties_page(state, 422)
    return done(gettext("The duty is added."), "node_pages.duty_list")


@bp.post("/node/duties/<code>/retire")
def retire_duty(code: str) -> Response:
    return _set_duty_active(code, active=False)


@bp.post("/node/duties/<code>/reinstate")
def reinstate_duty(code: str) -> Response:
    return _set_duty_active(code, active=True)


def _set_duty_active(code: str, *, active: bool) -> Response:
    session, actor = db_session(), node_admin()
    duty = duties.get_duty(session, code)
    duties.update_duty(session, actor, duty, {"active": active})
    message = gettext("The duty is reinstated.") if active else gettext("The duty is retired.")
    return done(message, "node_pages.duty_list")


# --- the outbox's failures ----------------------------------------------------------------------


@bp.get("/node/mail")
def failed_mail() -> tuple[str, int]:
    node_admin()
    return render_page("node_mail.html", mails=mail.failed_mails(db_session()))
