"""Pages: an organisation's administrator resends or withdraws an invitation; the invited
person opens the mailed link and accepts, with a new password or by logging in."""

from __future__ import annotations

from typing import Any

from flask import g, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.accounts import services
from services.registry.accounts.models import AccountToken, User
from services.registry.accounts.pages.passwords import PRIVATE
from services.registry.accounts.pages.people import bp, invitation_path, pages
from services.registry.accounts.pages.sign_in import finish_password_login
from services.registry.context import csrf
from services.registry.ui.pages import attempt, done, organisation, render_page, signed_in
from shared.errors import InvalidInput, NotFound
from shared.web import db_session

Page = tuple[str, int, dict[str, str]]


def _pending(public_id: str) -> AccountToken:
    return services.get_invitation(db_session(), signed_in(), organisation(), public_id)


@bp.post("/admin/invitations/<public_id>/resend")
def resend_invitation(public_id: str) -> Response:
    invitation = _pending(public_id)
    services.resend_invitation(db_session(), signed_in(), invitation, invitation_path)
    message = gettext("A new invitation is sent to %(email)s.", email=invitation.email)
    return done(message, "admin_pages.users")


@bp.post("/admin/invitations/<public_id>/revoke")
def revoke_invitation(public_id: str) -> Response:
    invitation = _pending(public_id)
    services.revoke_invitation(db_session(), signed_in(), invitation)
    message = gettext("The invitation to %(email)s is withdrawn.", email=invitation.email)
    return done(message, "admin_pages.users")


def _users_path(invitation: AccountToken) -> str:
    orgnr = services.organisation_of(invitation).organisation_number
    return url_for("admin_pages.users", orgnr=orgnr)


def _page(status: int = 200, **context: Any) -> Page:
    return (*render_page("invitation.html", status, **context), PRIVATE)


@pages.route("/invitation/<secret>", methods=["GET", "POST"])
def invitation(secret: str) -> Response | Page:
    """The invitation's page: a new person chooses a name and password; a person with an
    account logs in (as the invited address) and accepts."""
    session = db_session()
    try:
        found = services.open_invitation(session, secret)
    except InvalidInput:
        return _page(404, invitation=None, errors={})
    has_account = services.has_account(session, found)
    user = session.get(User, g.actor.user_id) if g.get("actor") else None
    context: dict[str, Any] = {"invitation": found, "has_account": has_account, "user": user}
    if request.method == "GET":
        return _page(errors={}, name="", **context)
    csrf.protect()
    if has_account:
        return _accept_as_user(secret, found, context)
    name, password = request.form.get("name", "").strip(), request.form.get("password", "")
    errors = {} if name else {"name": [gettext("Write your name.")]}
    if not errors:
        new_user, errors = attempt(
            lambda: services.accept_invitation(session, secret, name, password, _users_path(found))
        )
    if errors:
        return _page(422, errors=errors, name=name, **context)
    # A member of an organisation that requires a second factor sets it up before going on.
    welcome = _welcome(found)
    return finish_password_login(new_user, welcome.headers["Location"])


def _accept_as_user(secret: str, found: AccountToken, context: dict[str, Any]) -> Response | Page:
    session, actor = db_session(), signed_in()
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("user.not_found")
    _membership, errors = attempt(
        lambda: services.accept_invitation_as_user(session, actor, user, secret, _users_path(found))
    )
    if errors:
        return _page(422, errors=errors, name="", **context)
    return _welcome(found)


def _welcome(found: AccountToken) -> Response:
    organisation = services.organisation_of(found)
    message = gettext("Welcome to %(name)s.", name=organisation.name)
    return done(message, "offer_pages.home", orgnr=organisation.organisation_number)
