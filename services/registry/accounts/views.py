"""HTTP API for the acting user and members; the browser login form."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, g, redirect, request, url_for
from flask import session as browser_session
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from services.registry.accounts import services
from services.registry.accounts.models import ApiToken, Membership, User
from services.registry.accounts.schemas import (
    IssuedTokenSchema,
    MemberCreateSchema,
    MemberSchema,
    MemberUpdateSchema,
    MeSchema,
    TokenCreateSchema,
    TokenSchema,
)
from services.registry.organisations.views import organisation
from services.registry.ui.web import page_blueprint, render_page
from services.registry.web import csrf, current_actor, db_session, session_fingerprint
from shared.errors import NotFound, TooManyRequests

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/api/v1",
    description="The acting user, personal API tokens and the members of an organisation.",
)
pages = page_blueprint("pages", __name__, organisation_pages=False)


def _me() -> User:
    user = db_session().get(User, current_actor().user_id)
    if user is None:
        raise NotFound("user.not_found")
    return user


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Who I am, and my roles in each organisation."""
        actor, user = current_actor(), _me()
        memberships = [m for m in user.memberships if m.organisation_id in actor.roles]
        token_org = next(
            (
                m.organisation.organisation_number
                for m in memberships
                if m.organisation_id == actor.token_organisation_id
            ),
            None,
        )
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "is_node_admin": actor.is_node_admin,
            "memberships": memberships,
            "token_organisation": token_org,
            "csrf_token": None if actor.via_token else generate_csrf(),
        }


@blp.route("/me/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[ApiToken]:
        """My API tokens (never their secrets)."""
        return services.list_tokens(db_session(), current_actor(), _me())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data: dict[str, Any]) -> services.IssuedToken:
        """Create a token for one of my organisations; the secret is in this response only."""
        return services.issue_token(
            db_session(),
            current_actor(),
            _me(),
            organisation(data["organisation"]),
            data["name"],
            data.get("expires_in_days"),
        )


@blp.route("/me/tokens/<token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenSchema)
    def delete(self, token_id: str) -> ApiToken:
        """Revoke a token at once."""
        return services.revoke_token(db_session(), current_actor(), token_id)


@blp.route("/organisations/<orgnr>/members")
class Members(MethodView):
    @blp.response(200, MemberSchema(many=True))
    def get(self, orgnr: str) -> list[Membership]:
        return services.list_members(db_session(), current_actor(), organisation(orgnr))

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberSchema)
    def post(self, data: dict[str, Any], orgnr: str) -> Membership:
        """Give a person roles here; a new e-mail address creates the user."""
        return services.add_member(
            db_session(),
            current_actor(),
            organisation(orgnr),
            email=data["email"],
            name=data.get("name"),
            roles=data["roles"],
            agencies=data["agencies"],
            password=data.get("password"),
        )


@blp.route("/organisations/<orgnr>/members/<int:user_id>")
class MemberItem(MethodView):
    @blp.response(200, MemberSchema)
    def get(self, orgnr: str, user_id: int) -> Membership:
        return services.get_membership(db_session(), current_actor(), organisation(orgnr), user_id)

    @blp.arguments(MemberUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data: dict[str, Any], orgnr: str, user_id: int) -> Membership:
        session, actor = db_session(), current_actor()
        membership = services.get_membership(session, actor, organisation(orgnr), user_id)
        return services.update_member(
            session, actor, membership, roles=data.get("roles"), agencies=data.get("agencies")
        )

    @blp.response(204)
    def delete(self, orgnr: str, user_id: int) -> None:
        session, actor = db_session(), current_actor()
        membership = services.get_membership(session, actor, organisation(orgnr), user_id)
        services.remove_member(session, actor, membership)


# --- browser login -----------------------------------------------------------------------------


def _throttle() -> services.Throttle:
    config = current_app.config
    return services.Throttle(
        config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        dt.timedelta(seconds=config["LOGIN_THROTTLE_WINDOW_SECONDS"]),
    )


def _safe_next(target: str | None) -> str:
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
        return render_page("home.html", user=None, memberships=[])
    user = _me()
    memberships = [m for m in user.memberships if m.organisation_id in actor.roles]
    if len(memberships) == 1 and request.args.get("stay") is None:
        orgnr = memberships[0].organisation.organisation_number
        return redirect(url_for("offer_pages.home", orgnr=orgnr))
    return render_page("home.html", user=user, memberships=memberships)


@pages.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    if request.method == "GET":
        return render_page("login.html", next=request.args.get("next", ""), error=None)
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
        services.record_login_failure(session, throttle, email, remote)
        database.keep_despite_error()
        page, _status = render_page(
            "login.html", next=request.form.get("next", ""), error="throttled", email=email
        )
        return page, 429, {"Retry-After": str(exc.retry_after)}  # type: ignore[return-value]
    user = services.login(session, email, password, remote) if email and password else None
    if user is None:
        services.record_login_failure(session, throttle, email, remote)
        database.keep_despite_error()
        return render_page(
            "login.html", 401, next=request.form.get("next", ""), error="invalid", email=email
        )
    browser_session.clear()
    browser_session.permanent = True
    browser_session["user_id"] = user.id
    browser_session["auth"] = session_fingerprint(user)
    return redirect(_safe_next(request.form.get("next")))


@pages.post("/logout")
def logout() -> Response:
    csrf.protect()
    browser_session.clear()
    return redirect(url_for("pages.login"))
