"""Logging in through an identity provider: the redirect there, and the callback, which
begins the browser session only when the protocol's checks hold and the person may come in
(``services.registry.sso.admission``); any refusal is shown on the login page, and writes
nothing."""

from __future__ import annotations

from flask import current_app, request, url_for
from flask import session as browser_session
from werkzeug.wrappers import Response

from services.registry.accounts import services as accounts
from services.registry.accounts.pages.people import login_page, safe_next
from services.registry.accounts.pages.sign_in import begin_browser_login
from services.registry.context import session_limits
from services.registry.organisations.models import Organisation
from services.registry.sso import services as sso
from services.registry.ui.forms import readable
from services.registry.ui.pages import page_blueprint
from shared.errors import DomainError, PermissionDenied
from shared.web import db_session

bp = page_blueprint("sso_pages", __name__, organisation_pages=False)
# The browser's signed session keeps the login begun, for its callback only.
PENDING = "sso_pending"


def _redirect_uri() -> str:
    """The callback address to register at every provider:
    <REGISTRY_BASE_URL>/login/oidc/callback."""
    return current_app.config["REGISTRY_BASE_URL"].rstrip("/") + url_for("sso_pages.callback")


def _secrets_dir() -> str:
    return str(current_app.config["OIDC_SECRETS_DIR"])


def _users_path(organisation: Organisation) -> str:
    return url_for("admin_pages.users", orgnr=organisation.organisation_number)


@bp.get("/login/oidc/<provider_id>")
def start(provider_id: str) -> Response | tuple[str, int]:
    try:
        provider = sso.get_provider(db_session(), provider_id)
        if provider.removed_at is not None:
            raise PermissionDenied("sso.provider_removed")
        metadata = sso.discover(provider)
        target = safe_next(request.args.get("next")) if request.args.get("next") else ""
        url, pending = sso.begin_login(
            provider, metadata, _redirect_uri(), target, secrets_dir=_secrets_dir()
        )
    except DomainError as exc:
        return _refused(exc)
    browser_session[PENDING] = pending.as_dict()
    return Response(status=303, headers={"Location": url, "Cache-Control": "no-store"})


@bp.get("/login/oidc/callback")
def callback() -> Response | tuple[str, int]:
    # Used once, whatever comes of it: a second try with the same state is refused.
    pending = sso.Pending.from_dict(browser_session.pop(PENDING, None))
    try:
        if pending is None:
            raise DomainError("sso.state_mismatch")
        return _complete(pending)
    except DomainError as exc:
        return _refused(exc)


def _complete(pending: sso.Pending) -> Response:
    session = db_session()
    provider = sso.get_provider(session, pending.provider)
    if provider.removed_at is not None:
        raise PermissionDenied("sso.provider_removed")
    metadata = sso.discover(provider)
    leeway = current_app.config["SSO_CLOCK_LEEWAY_SECONDS"]
    params = dict(request.args.items())
    login = sso.finish_login(
        provider,
        metadata,
        pending,
        params,
        _redirect_uri(),
        leeway=leeway,
        secrets_dir=_secrets_dir(),
    )
    remote = request.remote_addr or "unknown"
    user = sso.admit(session, provider, login, remote, _users_path)
    secret = begin_browser_login(user, multi_factor=login.multi_factor)
    session.flush()
    found = accounts.find_session(session, secret, session_limits())
    if found is not None:
        sso.record_provider_login(session, found, provider, login)
    target = pending.next or url_for("pages.home")
    return Response(status=303, headers={"Location": target})


def _refused(error: DomainError) -> tuple[str, int]:
    """The login page with the refusal, in the reader's language; nothing is written."""
    current_app.logger.warning("login through an identity provider refused: %s", error.code)
    message = readable(error.message)
    return login_page(error.status_code, next="", error="sso", sso_message=message)
