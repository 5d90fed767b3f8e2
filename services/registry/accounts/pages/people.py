"""Pages: signing in and out, the start page, and the organisation's administrator's pages
(its people, their roles and invitations, its agencies)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from services.registry.accounts import second_factor, services
from services.registry.accounts.models import Membership, User
from services.registry.accounts.pages.sign_in import finish_password_login
from services.registry.accounts.schemas import InvitationCreateSchema, MemberUpdateSchema
from services.registry.context import csrf, session_limits
from services.registry.organisations import services as organisations
from services.registry.organisations.schemas import AgencyInputSchema, AgencyUpdateSchema
from services.registry.sso import services as sso
from services.registry.ui.forms import Field, FormState
from services.registry.ui.pages import (
    attempt,
    done,
    organisation,
    page_blueprint,
    read_posted,
    render_page,
    signed_in,
    validate,
)
from shared import vocab
from shared.errors import NotFound, TooManyRequests
from shared.i18n import current_language
from shared.web import db_session

bp = page_blueprint("admin_pages", __name__)
pages = page_blueprint("pages", __name__, organisation_pages=False)

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
INVITATION = (
    Field("email", _l("E-mail address"), kind="email", required=True, autocomplete="off"),
    ROLES,
    AGENCIES,
)
AGENCY = (
    Field("name", _l("Name of the agency or section"), required=True),
    Field("parent_id", _l("Part of (for a section)"), kind="select", dynamic=True),
)


def _agency_choices() -> list[tuple[str, str]]:
    return [(a.public_id, a.name) for a in organisation().agencies]


def _parent_choices(agencies: list[Any]) -> dict[str, list[tuple[str, str]]]:
    """For each agency, where it may be moved: any agency but itself and its own sections
    (the service refuses those too)."""
    children: dict[int | None, list[Any]] = {}
    for a in agencies:
        children.setdefault(a.parent_id, []).append(a)
    choices = {}
    for agency in agencies:
        inside, todo = {agency.id}, [agency.id]
        while todo:
            for child in children.get(todo.pop(), []):
                inside.add(child.id)
                todo.append(child.id)
        choices[agency.public_id] = [(a.public_id, a.name) for a in agencies if a.id not in inside]
    return choices


def invitation_path(secret: str) -> str:
    """The path of the page where an invitation's link is opened."""
    return url_for("pages.invitation", secret=secret)


@bp.get("/admin/users")
def users() -> tuple[str, int]:
    session, actor, org = db_session(), signed_in(), organisation()
    members = services.list_members(session, actor, org)
    invitations = services.list_invitations(session, actor, org)
    return render_page("admin_users.html", members=members, invitations=invitations)


@bp.route("/admin/users/new", methods=["GET", "POST"])
def new_user() -> Response | tuple[str, int]:
    """Invite a person by e-mail: they become a member when they accept."""
    org = organisation()
    state = FormState(choices={"agencies": _agency_choices()})
    if request.method == "GET":
        # Checked before the form is shown: only administrators manage people.
        services.list_members(db_session(), signed_in(), org)
        return render_page("admin_user_form.html", form=state, fields=INVITATION, member=None)
    data = read_posted(state, INVITATION, InvitationCreateSchema())
    if data is not None:
        _invitation, state.errors = attempt(lambda: _invite(data))
    if data is None or state.errors:
        return render_page("admin_user_form.html", 422, form=state, fields=INVITATION, member=None)
    message = gettext("An invitation is sent to %(email)s.", email=data["email"])
    return done(message, "admin_pages.users")


def _invite(data: dict[str, Any]) -> object:
    return services.invite(
        db_session(),
        signed_in(),
        organisation(),
        email=data["email"],
        roles=data["roles"],
        agencies=data.get("agencies", []),
        path_to=invitation_path,
        language=current_language(),
    )


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
    enrolled = second_factor.factor_of(db_session(), membership.user) is not None
    return render_page(
        "admin_user_form.html",
        status,
        form=state,
        fields=fields,
        member=membership,
        member_has_second_factor=enrolled,
    )


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
        "admin_agencies.html",
        status,
        form=state,
        fields=AGENCY,
        agencies=org.agencies,
        parents=_parent_choices(list(org.agencies)),
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


@bp.post("/admin/agencies/<agency_id>/move")
def move_agency(agency_id: str) -> Response | tuple[str, int]:
    """Place an agency or section inside another agency of the organisation, or at the top."""
    session, actor = db_session(), signed_in()
    agency = organisations.get_agency(session, actor, organisation(), agency_id)
    data = {"parent_id": request.form.get("parent_id", "").strip() or None}
    _agency, errors = attempt(lambda: organisations.update_agency(session, actor, agency, data))
    if errors:
        messages = [m for problems in errors.values() for m in problems]
        return _agencies_page(FormState(errors={f"move-{agency_id}": messages}), 422)
    return done(gettext("%(name)s is moved.", name=agency.name), "admin_pages.agencies")


@bp.post("/admin/review-rule")
def review_rule() -> Response:
    """Turn the organisation's four-eyes rule on (the box ticked) or off."""
    rule = "publisher_not_submitter" in request.form
    organisations.update_organisation(
        db_session(), signed_in(), organisation(), {"publisher_not_submitter": rule}
    )
    return done(gettext("The review rule is saved."), "admin_pages.agencies")


@bp.post("/admin/agencies/<agency_id>/delete")
def delete_agency(agency_id: str) -> Response:
    session, actor = db_session(), signed_in()
    agency = organisations.get_agency(session, actor, organisation(), agency_id)
    organisations.delete_agency(session, actor, agency)
    return done(gettext("The agency is removed."), "admin_pages.agencies")


# --- signing in and out -----------------------------------------------------------------------


def _throttle() -> services.Throttle:
    config = current_app.config
    return services.Throttle(
        config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        dt.timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"]),
    )


def safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect after login is a phishing tool. Browsers read a
    # backslash as a slash (/\evil.example is //evil.example) and drop tabs and newlines.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("pages.home")


@pages.get("/")
def home() -> Response | tuple[str, int]:
    actor = g.get("actor")
    if actor is None:
        return render_page("home.html", user=None, memberships=[], closed=[])
    user = db_session().get(User, actor.user_id)
    if user is None:
        raise NotFound("user.not_found")
    memberships = [m for m in user.memberships if m.organisation_id in actor.roles]
    # Memberships of suspended or ended organisations: said so, rather than "no organisation".
    closed = [m for m in user.memberships if m.organisation.membership_status != "active"]
    if len(memberships) == 1 and not closed and request.args.get("stay") is None:
        orgnr = memberships[0].organisation.organisation_number
        return redirect(url_for("offer_pages.home", orgnr=orgnr))
    return render_page("home.html", user=user, memberships=memberships, closed=closed)


def login_page(status: int, **context: Any) -> tuple[str, int]:
    """The login page: e-mail and password, and a button for each identity provider."""
    providers = sso.list_providers(db_session())
    return render_page("login.html", status, providers=providers, **context)


@pages.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return login_page(200, next=request.args.get("next", ""), error=None)
    csrf.protect()
    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    remote = request.remote_addr or "unknown"
    session = db_session()
    database, throttle = current_app.extensions["nettungen.db"], _throttle()
    try:
        services.check_throttle(session, throttle, email, remote)
    except TooManyRequests as exc:
        # A refused attempt counts too: whoever keeps trying stays shut out for the window.
        services.record_login_failure(session, throttle, email, remote, refused=True)
        database.keep_despite_error()
        page, _status = login_page(
            429, next=request.form.get("next", ""), error="throttled", email=email
        )
        return page, 429, {"Retry-After": str(exc.retry_after)}  # type: ignore[return-value]
    user = services.login(session, email, password, remote) if email and password else None
    if user is None:
        services.record_login_failure(session, throttle, email, remote)
        database.keep_despite_error()
        return login_page(401, next=request.form.get("next", ""), error="invalid", email=email)
    # The second factor, where the account has one or must have one, before the session.
    return finish_password_login(user, safe_next(request.form.get("next")))


@pages.post("/logout")
def logout() -> Response:
    csrf.protect()
    secret = browser_session.get("sid")
    target = url_for("pages.login")
    if isinstance(secret, str):
        session = db_session()
        found = services.find_session(session, secret, session_limits())
        if found is not None:
            # Begun through an identity provider: end the person's session there too.
            after = current_app.config["REGISTRY_BASE_URL"].rstrip("/") + target
            target = sso.provider_logout_url(session, found, after) or target
        # Ended on the server, so a copy of the cookie is refused from now on.
        services.end_session(session, secret)
    browser_session.clear()
    return redirect(target)
