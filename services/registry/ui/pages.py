"""Page blueprints: who is signed in, which organisation a page belongs to, error pages.

Pages under ``/o/<orgnr>/`` belong to one member organisation. The organisation is loaded
through the service layer, so a person who is not a member gets the same 404 as for an
organisation that does not exist (tenant isolation), and a member without the needed role gets
403. Errors become HTML pages in the reader's language; a page never answers with the API's
JSON. A refused request (status 400 or more) writes nothing: the request's transaction is
rolled back by ``shared.web.RequestDatabase``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.registry.accounts.models import User
from services.registry.accounts.permissions import Actor, Role
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Organisation
from services.registry.ui.forms import Field, FormState, flatten_errors, read_form, readable
from shared.errors import AuthenticationRequired, DomainError, InvalidInput, PermissionDenied
from shared.web import db_session

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
# Roles that do the coordination group's work; readers follow it.
WORKERS = frozenset({Role.ADMIN, Role.PUBLISHER, Role.REGISTRAR})


def page_blueprint(name: str, import_name: str, *, organisation_pages: bool = True) -> Blueprint:
    """A blueprint of HTML pages, with HTML error pages; under ``/o/<orgnr>`` by default."""
    bp = Blueprint(
        name,
        import_name,
        template_folder=TEMPLATES,
        url_prefix="/o/<orgnr>" if organisation_pages else None,
    )
    bp.register_error_handler(DomainError, _domain_error_page)
    bp.register_error_handler(HTTPException, http_error_page)
    bp.before_request(_own_password_first)
    if organisation_pages:

        @bp.url_value_preprocessor
        def _take_orgnr(_endpoint: str | None, values: dict[str, Any] | None) -> None:
            g.orgnr = (values or {}).pop("orgnr", None)

        @bp.url_defaults
        def _give_orgnr(_endpoint: str, values: dict[str, Any]) -> None:
            if "orgnr" not in values and g.get("orgnr"):
                values["orgnr"] = g.orgnr

    return bp


# What someone who must choose their own password may still open.
_BEFORE_OWN_PASSWORD = frozenset({"pages.change_password", "pages.logout", "pages.login"})


def _own_password_first() -> Response | None:
    """Someone whose password was chosen by another (a node administrator, the command line)
    chooses their own before any other page."""
    actor: Actor | None = g.get("actor")
    if actor is None or actor.user_id is None or request.endpoint in _BEFORE_OWN_PASSWORD:
        return None
    user = db_session().get(User, actor.user_id)
    if user is None or not user.must_change_password:
        return None
    return redirect(url_for("pages.change_password", next=request.full_path.rstrip("?")))


def signed_in() -> Actor:
    """The signed-in person; anonymous visitors are sent to the login page."""
    actor: Actor | None = g.get("actor")
    if actor is None:
        raise AuthenticationRequired("login.required")
    return actor


def organisation() -> Organisation:
    """The organisation of this page, for a member of it only (others get 404)."""
    if "organisation" not in g:
        actor = signed_in()
        org = organisations.get_organisation(db_session(), actor, g.get("orgnr") or "")
        actor.require_member(org.id, "Organisation")
        g.organisation = org
    found: Organisation = g.organisation
    return found


def roles_here() -> frozenset[Role]:
    return signed_in().roles.get(organisation().id, frozenset())


def require_any_role(roles: frozenset[Role]) -> None:
    """Refuse (403) a member who holds none of ``roles`` here."""
    if not roles_here() & roles:
        raise PermissionDenied("role.not_allowed_here")


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A page of this organisation (or none), with what the layout needs to draw the menu."""
    org = g.get("organisation")
    actor = g.get("actor")
    roles = actor.roles.get(org.id, frozenset()) if actor and org else frozenset()
    html = render_template(template, organisation=org, actor=actor, my_roles=roles, **context)
    return html, status


def done(message: str, endpoint: str, **values: Any) -> Response:
    """After a successful post: say what happened, then show the next page (post/redirect/get)."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


def validate(schema: Schema, data: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list]]:
    """Load ``data``; on failure, the readable messages per field instead."""
    try:
        return schema.load(data), {}
    except ValidationError as exc:
        return {}, flatten_errors(exc.messages)


def read_posted(form: FormState, fields: Sequence[Field], schema: Schema) -> dict[str, Any] | None:
    """Read the posted form into ``form``: the schema's data, or None with ``form.errors`` set."""
    form.values = read_form(fields, request.form, schema)
    data, form.errors = validate(schema, form.values)
    return None if form.errors else data


def attempt(action: Callable[[], Any]) -> tuple[Any, dict[str, list[str]]]:
    """Run a service call; its field-level refusal comes back as messages per field."""
    try:
        return action(), {}
    except InvalidInput as exc:
        return None, flatten_errors(exc.errors or {"_schema": [exc.message]})


# --- error pages -------------------------------------------------------------------------------


def _error_page(status: int, message: str) -> tuple[str, int]:
    titles = {
        400: gettext("The request could not be used"),
        403: gettext("You do not have access to this"),
        404: gettext("Page not found"),
        405: gettext("Not allowed here"),
        409: gettext("This cannot be done now"),
        413: gettext("The file is too large"),
        422: gettext("Something in the form needs fixing"),
        429: gettext("Too many attempts"),
    }
    title = titles.get(status, gettext("Something went wrong"))
    return render_page("error.html", status, title=title, message=message, code=status)


def _domain_error_page(error: DomainError) -> Response | tuple[str, int]:
    if isinstance(error, AuthenticationRequired):
        return redirect(url_for("pages.login", next=request.full_path.rstrip("?")))
    if error.status_code == 404:
        return _error_page(404, gettext("There is nothing here, or you do not have access to it."))
    return _error_page(error.status_code, readable(error.message))


def http_error_page(error: HTTPException) -> tuple[str, int]:
    status = error.code or 500
    if isinstance(error, CSRFError):
        message = gettext(
            "The form had expired or did not come from this site, so nothing was changed. "
            "Go back, reload the page and try again."
        )
    elif status == 413:
        message = gettext("The file is larger than this node accepts; nothing was changed.")
    elif status == 404:
        message = gettext("There is nothing here, or you do not have access to it.")
    else:
        message = gettext("Nothing was changed.")
    return _error_page(status, message)
