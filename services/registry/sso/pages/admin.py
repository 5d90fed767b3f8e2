"""Configuring sign-on: node administrators add and remove identity providers and say which
e-mail domains each organisation accepts through them (``/node/identity-providers``); an
organisation's administrators let people of those domains join as readers at their first
login (``/o/<orgnr>/admin/sign-in``). No secret is ever typed in or shown: a provider names
where its secret is read from (``env:NAME`` or ``file:/path``)."""

from __future__ import annotations

from flask import request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from services.registry.node.pages import node_admin
from services.registry.sso import services as sso
from services.registry.sso.schemas import (
    CLIENT_AUTH_METHODS,
    DomainCreateSchema,
    ProviderCreateSchema,
)
from services.registry.ui.forms import Field, FormState
from services.registry.ui.pages import (
    attempt,
    done,
    organisation,
    page_blueprint,
    read_posted,
    render_page,
    signed_in,
)
from shared.vocab import Concept, Vocabulary
from shared.web import db_session

bp = page_blueprint("sso_admin_pages", __name__, organisation_pages=False)
org_bp = page_blueprint("sso_org_pages", __name__)

CLIENT_AUTH = Vocabulary(
    "client-auth",
    {"nb": "Klientautentisering", "nn": "Klientautentisering", "en": "Client authentication"},
    tuple(Concept(code, {"nb": code, "nn": code, "en": code}) for code in CLIENT_AUTH_METHODS),
)
PROVIDER = (
    Field(
        "public_id",
        _l("Short name"),
        required=True,
        hint=_l("Small letters, digits and hyphens, such as entra-drammen. Used in addresses."),
    ),
    Field(
        "name",
        _l("Name on the login button"),
        required=True,
        hint=_l("Such as Drammen kommune (Entra ID); the button reads “Log in with …”."),
    ),
    Field(
        "issuer",
        _l("Issuer"),
        kind="url",
        required=True,
        hint=_l("Exactly as the provider names itself, such as https://test.ansattporten.no."),
    ),
    Field(
        "discovery_url",
        _l("Discovery address"),
        kind="url",
        hint=_l("Leave empty for the issuer's /.well-known/openid-configuration."),
    ),
    Field("client_id", _l("Client id"), required=True),
    Field("client_auth", _l("Client authentication"), kind="select", vocabulary=CLIENT_AUTH),
    Field(
        "secret_ref",
        _l("Where the secret is read from"),
        required=True,
        hint=_l(
            "env:NAME for an environment variable, or file:/path for a file, holding the "
            "client secret, or the PEM private key for private_key_jwt. The secret itself "
            "is never stored in the database nor shown here."
        ),
    ),
    Field(
        "key_id",
        _l("Key id (kid)"),
        hint=_l("For private_key_jwt, where the provider asks for it."),
    ),
    Field("scopes", _l("Scopes"), hint=_l("Separated by spaces; openid is required.")),
    Field(
        "acr_values",
        _l("Required authentication levels (acr_values)"),
        hint=_l(
            "Separated by spaces, such as idporten-loa-substantial. A login must meet one of "
            "them, and then counts as multi-factor."
        ),
    ),
    Field("email_claim", _l("Claim holding the e-mail address"), hint=_l("email unless said.")),
    Field(
        "trust_email",
        _l("The provider vouches for every e-mail address it gives"),
        kind="checkbox",
        hint=_l(
            "Only for a provider that sends no email_verified claim and owns the domains, "
            "such as an organisation's own Entra ID tenant."
        ),
    ),
)
DOMAIN = (
    Field("organisation_number", _l("Organisation number"), required=True),
    Field("domain", _l("E-mail domain"), required=True, hint=_l("Such as drammen.kommune.no.")),
)


def _providers_page(state: FormState, status: int = 200) -> tuple[str, int]:
    node_admin()
    found = sso.list_providers(db_session(), include_removed=True)
    return render_page(
        "node_identity_providers.html", status, providers=found, form=state, fields=PROVIDER
    )


@bp.get("/node/identity-providers")
def providers() -> tuple[str, int]:
    return _providers_page(
        FormState(values={"scopes": "openid email profile", "email_claim": "email"})
    )


@bp.post("/node/identity-providers")
def add_provider() -> Response | tuple[str, int]:
    actor, state = node_admin(), FormState()
    data = read_posted(state, PROVIDER, ProviderCreateSchema())
    if data is not None:
        _found, state.errors = attempt(lambda: sso.create_provider(db_session(), actor, data))
    if data is None or state.errors:
        return _providers_page(state, 422)
    return done(
        gettext("The identity provider is added."),
        "sso_admin_pages.provider",
        provider_id=data["public_id"],
    )


def _provider_page(provider_id: str, state: FormState, status: int = 200) -> tuple[str, int]:
    node_admin()
    found = sso.get_provider(db_session(), provider_id)
    return render_page(
        "node_identity_provider.html", status, provider=found, form=state, fields=DOMAIN
    )


@bp.get("/node/identity-providers/<provider_id>")
def provider(provider_id: str) -> tuple[str, int]:
    return _provider_page(provider_id, FormState())


@bp.post("/node/identity-providers/<provider_id>")
def add_domain(provider_id: str) -> Response | tuple[str, int]:
    session, actor, state = db_session(), node_admin(), FormState()
    found = sso.get_provider(session, provider_id)
    data = read_posted(state, DOMAIN, DomainCreateSchema())
    if data is not None:
        _domain, state.errors = attempt(lambda: sso.add_domain(session, actor, found, data))
    if data is None or state.errors:
        return _provider_page(provider_id, state, 422)
    return done(
        gettext("The domain is added."), "sso_admin_pages.provider", provider_id=provider_id
    )


@bp.post("/node/identity-providers/<provider_id>/domains/<int:domain_id>/delete")
def remove_domain(provider_id: str, domain_id: int) -> Response:
    session, actor = db_session(), node_admin()
    sso.remove_domain(session, actor, sso.get_provider(session, provider_id), domain_id)
    return done(
        gettext("The domain is removed."), "sso_admin_pages.provider", provider_id=provider_id
    )


@bp.post("/node/identity-providers/<provider_id>/remove")
def remove_provider(provider_id: str) -> Response:
    session, actor = db_session(), node_admin()
    sso.remove_provider(session, actor, sso.get_provider(session, provider_id))
    return done(
        gettext("The identity provider is removed; nobody logs in through it now."),
        "sso_admin_pages.providers",
    )


# --- an organisation's own page ------------------------------------------------------------------


@org_bp.get("/admin/sign-in")
def sign_in() -> tuple[str, int]:
    found = sso.domains_of(db_session(), signed_in(), organisation())
    return render_page("admin_sign_in.html", domains=found)


@org_bp.post("/admin/sign-in/<int:domain_id>")
def set_self_join(domain_id: int) -> Response:
    allowed = request.form.get("self_join") == "on"
    sso.set_self_join(db_session(), signed_in(), organisation(), domain_id, allowed)
    message = (
        gettext("People of this domain may now join as readers at their first login.")
        if allowed
        else gettext("People of this domain now need an invitation.")
    )
    return done(message, "sso_org_pages.sign_in")
