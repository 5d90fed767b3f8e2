"""Login through a real OpenID provider (panva's oidc-provider, tests/registry/oidc.py) at the
HTTP level: the registry's own test client, the provider's own login page driven as a browser
without JavaScript would. Who comes in, and every refusal the protocol and the rules give.
tests/registry/test_sso_browser.py does the same in Chromium."""

from __future__ import annotations

import base64
import hashlib
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import Membership, User
from services.registry.audit.models import AuditEntry
from services.registry.sso import services as sso
from services.registry.sso.models import AccountIdentity, IdentityProvider
from services.registry.sso.protocol import discover, validate_id_token
from shared.errors import DomainError
from tests.registry.conftest import OPERATOR, ORG_A, World
from tests.registry.oidc import CLIENT_SECRET, client, run_provider, sign_in_at_provider

# The test app's REGISTRY_BASE_URL is the configuration's default.
BASE = "http://127.0.0.1:8010"
CALLBACK = f"{BASE}/login/oidc/callback"
SECRET_ENV = "NETTUNGEN_TEST_OIDC_SECRET"  # pragma: allowlist secret
DOMAIN = "drammen.kommune.no"
ACCOUNTS = {
    "ola": {"email": "ola@drammen.kommune.no", "email_verified": True, "name": "Ola Invitert"},
    "ola-twin": {"email": "ola@drammen.kommune.no", "email_verified": True},
    "per": {"email": "per@example.com", "email_verified": True},
    "nils": {"email": "nils@drammen.kommune.no", "email_verified": True, "name": "Nils Ny"},
    "ulf": {"email": "ulf@drammen.kommune.no", "email_verified": False},
    "admin": {"email": "a_admin@example.org", "email_verified": True},
}


def _private_key() -> str:
    return RSAKey.generate_key(2048).as_pem(private=True).decode()


# The key the "signed" client authenticates with (private_key_jwt); the provider knows its
# public half only.
CLIENT_KEY = _private_key()


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    public = RSAKey.import_key(CLIENT_KEY).as_dict(private=False)
    clients = [
        client("nettungen", [CALLBACK]),
        client("other", [CALLBACK]),
        client("shortlived", [CALLBACK], id_token_ttl=1),
        client(
            "signed",
            [CALLBACK],
            token_endpoint_auth_method="private_key_jwt",
            jwks={"keys": [{**public, "kid": "nettungen-test", "use": "sig"}]},
        ),
    ]
    with run_provider(tmp_path_factory.mktemp("oidc"), clients, ACCOUNTS) as url:
        yield url


def _provider(db: Session, issuer: str, **overrides: Any) -> IdentityProvider:
    settings = {
        "public_id": "testidp",
        "name": "Testleverandør",
        "issuer": issuer,
        "client_id": "nettungen",
        "secret_ref": f"env:{SECRET_ENV}",
        **overrides,
    }
    return sso.create_provider(db, OPERATOR, settings)


@pytest.fixture
def provider(db: Session, world: World, issuer: str, monkeypatch) -> IdentityProvider:
    """The provider, Drammen accepting its domain, and Ola invited to Drammen as registrar."""
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)
    found = _provider(db, issuer)
    sso.add_domain(db, OPERATOR, found, {"organisation_number": ORG_A, "domain": DOMAIN})
    accounts.invite(
        db,
        OPERATOR,
        world.orgs[ORG_A],
        email="ola@drammen.kommune.no",
        roles=["registrar"],
        agencies=[world.agencies["a_health"]],
        path_to=lambda secret: f"/invitation/{secret}",
        language="nb",
    )
    db.flush()
    return found


def _begin(http: Any, provider_id: str = "testidp") -> str:
    response = http.get(f"/login/oidc/{provider_id}")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def _callback(http: Any, url: str) -> Any:
    assert url.startswith(CALLBACK)
    return http.get(url.removeprefix(BASE))


def _log_in(http: Any, login: str, provider_id: str = "testidp") -> Any:
    return _callback(http, sign_in_at_provider(_begin(http, provider_id), login, CALLBACK))


def _signed_in_as(http: Any) -> str | None:
    response = http.get("/api/v1/me")
    return response.get_json()["email"] if response.status_code == 200 else None


def _refused(response: Any, status: int, text: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert text in page, page


def test_an_invited_member_logs_in_and_the_subject_is_bound(client, db, provider, issuer):
    url = _begin(client)
    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{issuer}/auth?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 43 and len(query["nonce"][0]) >= 43
    assert query["client_id"] == ["nettungen"] and query["redirect_uri"] == [CALLBACK]

    response = _callback(client, sign_in_at_provider(url, "ola", CALLBACK))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert _signed_in_as(client) == "ola@drammen.kommune.no"
    user = db.scalar(select(User).where(User.email == "ola@drammen.kommune.no"))
    assert user is not None and user.name == "Ola Invitert" and user.password_hash is None
    membership = db.scalar(select(Membership).where(Membership.user_id == user.id))
    assert membership is not None and membership.roles == ["registrar"]
    bound = db.scalar(select(AccountIdentity).where(AccountIdentity.user_id == user.id))
    assert bound is not None and (bound.issuer, bound.subject) == (issuer, "ola")
    actions = db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-5:] == [
        "user.created",
        "invitation.accepted",
        "membership.created",
        "sso.identity_bound",
        "login.succeeded",
    ]


def test_a_bound_subject_comes_back_by_its_subject(client, app, db, provider):
    assert _log_in(client, "ola").status_code == 303
    client.post("/logout", headers=_csrf(client))
    assert _signed_in_as(client) is None
    assert _log_in(client, "ola").status_code == 303
    assert _signed_in_as(client) == "ola@drammen.kommune.no"
    count = select(func.count()).select_from(AccountIdentity)
    assert db.scalar(count) == 1


def _csrf(http: Any) -> dict[str, str]:
    return {"X-CSRFToken": http.get("/api/v1/me").get_json()["csrf_token"]}


def test_a_wrong_state_is_refused_and_the_login_cannot_be_replayed(client, db, provider):
    url = _begin(client)
    back = sign_in_at_provider(url, "ola", CALLBACK)
    state = parse_qs(urlsplit(back).query)["state"][0]
    _refused(
        _callback(client, back.replace(state, "forged-" + state[7:])), 400, "denne nettleseren"
    )
    assert _signed_in_as(client) is None
    # The login begun is used up by the failed attempt: the genuine answer is refused too.
    _refused(_callback(client, back), 400, "denne nettleseren")
    assert _signed_in_as(client) is None
    assert db.scalar(select(User).where(User.email == "ola@drammen.kommune.no")) is None


def test_an_answer_without_a_login_begun_in_this_browser_is_refused(client, app, provider):
    back = sign_in_at_provider(_begin(client), "ola", CALLBACK)
    other = app.test_client()
    _refused(_callback(other, back), 400, "denne nettleseren")
    assert _signed_in_as(other) is None


def test_a_wrong_nonce_is_refused(client, provider):
    url = _begin(client)
    with client.session_transaction() as browser:
        browser["sso_pending"] = {**browser["sso_pending"], "nonce": "another-login-" + "n" * 30}
    _refused(
        _callback(client, sign_in_at_provider(url, "ola", CALLBACK)), 400, "en annen innlogging"
    )
    assert _signed_in_as(client) is None


def _code_and_token(issuer: str, client_id: str, login: str) -> tuple[str, str]:
    """An ID token the real provider issues to ``client_id``, through the code flow done by
    hand (PKCE included); returns it and the nonce it carries."""
    verifier, nonce = "v" * 50, "nonce-" + "x" * 40
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": CALLBACK,
        "state": "s" * 20,
        "nonce": nonce,
        "code_challenge": challenge.decode(),
        "code_challenge_method": "S256",
    }
    authorize = str(httpx.URL(f"{issuer}/auth", params=query))
    code = parse_qs(urlsplit(sign_in_at_provider(authorize, login, CALLBACK)).query)["code"][0]
    token = httpx.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
        auth=(client_id, CLIENT_SECRET),
        timeout=10,
    )
    assert token.status_code == 200, token.text
    return token.json()["id_token"], nonce


def test_an_id_token_for_another_audience_is_refused(db, provider, issuer):
    id_token, nonce = _code_and_token(issuer, "other", "ola")
    metadata = discover(provider)
    with pytest.raises(DomainError) as refused:
        validate_id_token(provider, metadata, id_token, nonce)
    assert refused.value.code == "sso.token_audience"
    # The same kind of token, issued to our own client, passes: the audience made the difference.
    own_token, own_nonce = _code_and_token(issuer, "nettungen", "ola")
    assert validate_id_token(provider, metadata, own_token, own_nonce)["sub"] == "ola"


def test_an_expired_id_token_is_refused(db, provider, issuer):
    shortlived = _provider(db, issuer, public_id="kortlivet", client_id="shortlived")
    id_token, nonce = _code_and_token(issuer, "shortlived", "ola")
    metadata = discover(shortlived)
    assert validate_id_token(shortlived, metadata, id_token, nonce, leeway=0)["sub"] == "ola"
    time.sleep(2.1)  # the provider gave it one second
    with pytest.raises(DomainError) as refused:
        validate_id_token(shortlived, metadata, id_token, nonce, leeway=0)
    assert refused.value.code == "sso.token_expired"


def test_a_forged_signature_is_refused(db, provider, issuer):
    id_token, nonce = _code_and_token(issuer, "nettungen", "ola")
    head, body, signature = id_token.split(".")
    forged = f"{head}.{body}.{signature[:-6]}AAAAAA"
    with pytest.raises(DomainError) as refused:
        validate_id_token(provider, discover(provider), forged, nonce)
    assert refused.value.code == "sso.token_invalid"


def test_an_email_domain_no_organisation_accepts_is_refused(client, db, provider):
    _refused(_log_in(client, "per"), 403, "e-postdomenet ditt")
    assert _signed_in_as(client) is None
    assert db.scalar(select(User).where(User.email == "per@example.com")) is None


def test_an_unverified_email_is_refused(client, db, provider):
    _refused(_log_in(client, "ulf"), 403, "bekreftet e-postadresse")
    assert db.scalar(select(User).where(User.email == "ulf@drammen.kommune.no")) is None


def test_an_uninvited_person_joins_only_once_the_organisation_allows_the_domain(
    client, db, world, provider
):
    _refused(_log_in(client, "nils"), 403, "invitasjon")
    assert db.scalar(select(User).where(User.email == "nils@drammen.kommune.no")) is None
    [domain] = sso.domains_of(db, OPERATOR, world.orgs[ORG_A])
    admin = accounts.build_actor(db, accounts.get_user_by_email(db, "a_admin@example.org"))
    sso.set_self_join(db, admin, world.orgs[ORG_A], domain.id, True)
    db.flush()
    assert _log_in(client, "nils").status_code == 303
    user = db.scalar(select(User).where(User.email == "nils@drammen.kommune.no"))
    assert user is not None
    assert [m.roles for m in user.memberships] == [["reader"]]
    joined = db.scalar(select(AuditEntry).where(AuditEntry.action == "sso.self_joined"))
    assert joined is not None and joined.organisation_id == world.orgs[ORG_A].id


def test_a_subject_cannot_open_an_account_bound_to_another_subject(client, app, db, provider):
    assert _log_in(client, "ola").status_code == 303
    twin = app.test_client()
    _refused(_log_in(twin, "ola-twin"), 403, "knyttet til en annen identitet")
    assert _signed_in_as(twin) is None
    bound = db.scalars(select(AccountIdentity.subject)).all()
    assert bound == ["ola"]


def test_an_account_of_another_domain_is_not_opened_through_the_provider(client, db, provider):
    # a_admin@example.org is a member of Drammen, but Drammen accepts only its own domain.
    _refused(_log_in(client, "admin"), 403, "e-postdomenet ditt")


def test_a_removed_provider_refuses_new_and_begun_logins(client, db, provider):
    assert _log_in(client, "ola").status_code == 303
    client.post("/logout", headers=_csrf(client))
    url = _begin(client)  # begun before the removal
    sso.remove_provider(db, OPERATOR, provider)
    db.flush()
    _refused(_callback(client, sign_in_at_provider(url, "ola", CALLBACK)), 403, "fjernet fra noden")
    _refused(client.get("/login/oidc/testidp"), 403, "fjernet fra noden")
    assert "Testleverandør" not in client.get("/login").get_data(as_text=True)
    assert _signed_in_as(client) is None


def test_a_required_acr_level_the_login_did_not_reach_is_refused(client, db, provider):
    provider.acr_values = "urn:nettungen:loa:high"
    db.flush()
    url = _begin(client)
    assert parse_qs(urlsplit(url).query)["acr_values"] == ["urn:nettungen:loa:high"]
    _refused(_callback(client, sign_in_at_provider(url, "ola", CALLBACK)), 403, "sikkerhetsnivået")
    assert _signed_in_as(client) is None


def test_logout_ends_the_session_at_the_provider_too(client, db, provider, issuer):
    assert _log_in(client, "ola").status_code == 303
    response = client.post("/logout", headers=_csrf(client))
    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{issuer}/session/end"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == [f"{BASE}/login"]
    assert query["client_id"] == ["nettungen"] and query["id_token_hint"][0].count(".") == 2
    assert _signed_in_as(client) is None
    # The provider accepts the request (its page asks the person to confirm).
    assert httpx.get(response.headers["Location"], timeout=10).status_code == 200


def test_a_password_login_logs_out_here_only(client, provider, node_admin):
    response = client.post("/logout", headers=node_admin)
    assert response.headers["Location"].endswith("/login")


def test_no_secret_is_stored(db, provider):
    # Only where the secret is read from, at login time: the environment variable's name.
    row = db.execute(select(IdentityProvider.__table__)).one()
    assert CLIENT_SECRET not in repr(tuple(row))
    assert row.secret_ref == f"env:{SECRET_ENV}"


@pytest.mark.parametrize(("key", "accepted"), [(CLIENT_KEY, True), (_private_key(), False)])
def test_a_client_authenticated_by_a_private_key_jwt(
    client, db, provider, issuer, tmp_path, key, accepted
):
    """The client's own signed assertion instead of a secret; a key the provider does not know
    for the client is refused at the token endpoint."""
    key_file = tmp_path / "signed.pem"
    key_file.write_text(key, encoding="ascii")
    signed = _provider(
        db,
        issuer,
        public_id="signert",
        client_id="signed",
        client_auth="private_key_jwt",
        secret_ref=f"file:{key_file}",
        key_id="nettungen-test",
    )
    sso.add_domain(db, OPERATOR, signed, {"organisation_number": ORG_A, "domain": DOMAIN})
    db.flush()
    response = _log_in(client, "ola", "signert")
    if accepted:
        assert response.status_code == 303, response.get_data(as_text=True)
        assert _signed_in_as(client) == "ola@drammen.kommune.no"
    else:
        _refused(response, 400, "ville ikke fullføre innloggingen")
        assert _signed_in_as(client) is None


def test_a_provider_that_names_another_issuer_or_is_down_refuses_to_begin(
    client, db, provider, issuer
):
    # Discovery names "http://127.0.0.1:<port>", exactly; one character more is another issuer.
    _provider(db, issuer + "/", public_id="skjev")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    _provider(db, f"http://127.0.0.1:{closed}", public_id="nede")
    db.flush()
    _refused(client.get("/login/oidc/skjev"), 503, "en annen utsteder")
    _refused(client.get("/login/oidc/nede"), 503, "Fikk ikke kontakt med identitetsleverandøren")
    with client.session_transaction() as browser:
        assert "sso_pending" not in browser
