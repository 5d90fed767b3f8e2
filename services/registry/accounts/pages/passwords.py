"""Pages: a forgotten password (asking for a link, and the link's page) and changing one's
own password, which someone whose password was chosen by another must do first."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext
from werkzeug.wrappers import Response

from services.registry.accounts import second_factor, services
from services.registry.accounts.models import User
from services.registry.accounts.pages.people import pages, safe_next
from services.registry.accounts.pages.second_factor import code_ok, refusal
from services.registry.accounts.pages.sign_in import finish_password_login
from services.registry.accounts.schemas import EmailSchema
from services.registry.context import csrf
from services.registry.ui.pages import attempt, render_page, signed_in, validate
from shared.errors import NotFound
from shared.i18n import current_language
from shared.web import db_session

# A link's secret is in its address: no page that holds one may pass it on to another site.
PRIVATE = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def reset_path(secret: str) -> str:
    return url_for("pages.reset_password", secret=secret)


@pages.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Response | tuple[str, int]:
    """Ask for a reset link; the answer is the same whether the address has an account."""
    if request.method == "GET":
        return render_page("password_forgot.html", errors={}, email="")
    csrf.protect()
    email = request.form.get("email", "").strip()
    _data, errors = validate(EmailSchema(), {"email": email})
    if errors:
        return render_page("password_forgot.html", 422, errors=errors, email=email)
    services.request_reset(db_session(), email, reset_path, current_language())
    return render_page("password_forgot_sent.html", email=email)


@pages.route("/password/reset/<secret>", methods=["GET", "POST"])
def reset_password(secret: str) -> Response | tuple[str, int, dict[str, str]]:
    """Choose a new password with a reset link: once, within its hour."""
    session = db_session()
    if request.method == "POST":
        csrf.protect()
        password = request.form.get("password", "")
        user, errors = attempt(lambda: services.reset_password(session, secret, password))
        if not errors:
            # A reset proves the mailbox, not the second factor: the login goes on to it.
            flash(gettext("Your new password is saved."), "success")
            return finish_password_login(user, url_for("pages.home"))
        status = 404 if "_schema" in errors else 422
        return (*render_page("password_reset.html", status, errors=errors), PRIVATE)
    if not services.reset_link_is_open(session, secret):
        errors = {"_schema": [gettext("This link is not valid any more.")]}
        return (*render_page("password_reset.html", 404, errors=errors), PRIVATE)
    return (*render_page("password_reset.html", errors={}), PRIVATE)


@pages.route("/password/change", methods=["GET", "POST"])
def change_password() -> Response | tuple[str, int]:
    """Change one's own password; the current one is asked for."""
    actor = signed_in()
    user = db_session().get(User, actor.user_id)
    if user is None:
        raise NotFound("user.not_found")
    target = safe_next(request.values.get("next"))
    enrolled = second_factor.has_second_factor(db_session(), user)
    context: dict[str, Any] = {"next": target, "user": user, "has_second_factor": enrolled}
    if request.method == "GET":
        return render_page("password_change.html", errors={}, **context)
    current, new = request.form.get("current_password", ""), request.form.get("password", "")
    here = browser_session.get("sid")
    errors, status = _second_factor_code(user)
    if errors:
        return render_page("password_change.html", status, errors=errors, **context)
    _none, errors = attempt(
        lambda: services.change_own_password(
            db_session(), actor, user, current, new, here if isinstance(here, str) else None
        )
    )
    if errors:
        return render_page("password_change.html", 422, errors=errors, **context)
    flash(gettext("Your new password is saved."), "success")
    return redirect(target)


def _second_factor_code(user: User) -> tuple[dict[str, list[str]], int]:
    """A new password is a change to the login: where the account has a second factor, a
    code of it is asked beside the current password."""
    if not second_factor.has_second_factor(db_session(), user):
        return {}, 200
    ok = code_ok(user, request.form.get("code", ""))
    return ({}, 200) if ok else refusal(ok)
