"""The OpenID Connect authorization code flow with PKCE (S256), ``state`` and ``nonce``, as a
relying party, with authlib (the OAuth 2 session of its requests client, and its client
authentication, ``private_key_jwt`` included) and joserfc (the ID token's signature, by the
provider's published keys).

Flask-free: the caller keeps :class:`Pending` between the redirect and the callback (the
registry keeps it in the signed session cookie of the browser that started the login), and
hands the callback's query parameters to :func:`finish_login`, which returns the person's
claims only when every check holds: the ``state``, the ``iss`` of the response (RFC 9207),
the ID token's signature, ``iss``, ``aud`` (and ``azp``), ``exp``, ``nonce`` and, where the
provider is configured with ``acr_values``, its ``acr``.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.registry.sso.models import IdentityProvider
from shared.errors import DomainError, PermissionDenied, ServiceUnavailable

# The signature algorithms an ID token may use; "none" and the HMAC ones never.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"]
_TIMEOUT = 10.0


@dataclass(frozen=True)
class Metadata:
    """What the provider's discovery document says, as far as we use it."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str | None = None
    end_session_endpoint: str | None = None


@dataclass(frozen=True)
class Pending:
    """A login begun: what the callback must match. Kept by the browser's signed session."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    next: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Pending | None:
        if not isinstance(data, dict):
            return None
        try:
            return cls(
                **{k: str(data[k]) for k in ("provider", "state", "nonce", "code_verifier", "next")}
            )
        except KeyError:
            return None


def _get_json(url: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = httpx.get(url, timeout=_TIMEOUT, **kwargs)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise ServiceUnavailable("sso.provider_unreachable") from exc
    if not isinstance(data, dict):
        raise ServiceUnavailable("sso.provider_unreachable")
    return data


def discover(provider: IdentityProvider) -> Metadata:
    """The provider's endpoints from its discovery document, whose issuer must be exactly the
    configured one (OpenID Connect Discovery 1.0, section 4.3)."""
    url = (
        provider.discovery_url or provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    )
    data = _get_json(url)
    if data.get("issuer") != provider.issuer:
        raise ServiceUnavailable("sso.discovery_issuer")
    try:
        return Metadata(
            issuer=data["issuer"],
            authorization_endpoint=data["authorization_endpoint"],
            token_endpoint=data["token_endpoint"],
            jwks_uri=data["jwks_uri"],
            userinfo_endpoint=data.get("userinfo_endpoint"),
            end_session_endpoint=data.get("end_session_endpoint"),
        )
    except KeyError as exc:
        raise ServiceUnavailable("sso.provider_unreachable") from exc


def read_secret(reference: str) -> str:
    """The client secret or private key behind ``env:NAME`` or ``file:/path``."""
    kind, _, where = reference.partition(":")
    value: str | None = None
    if kind == "env":
        value = os.environ.get(where)
    elif kind == "file":
        path = Path(where)
        value = path.read_text(encoding="utf-8") if path.is_file() else None
    if not value or not value.strip():
        raise ServiceUnavailable("sso.secret_missing")
    return value.strip()


def _client(provider: IdentityProvider, metadata: Metadata, redirect_uri: str) -> OAuth2Session:
    client = OAuth2Session(
        client_id=provider.client_id,
        client_secret=read_secret(provider.secret_ref),
        token_endpoint_auth_method=provider.client_auth,
        scope=provider.scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
    )
    if provider.client_auth == "private_key_jwt":
        headers = {"kid": provider.key_id} if provider.key_id else None
        client.register_client_auth_method(
            PrivateKeyJWT(metadata.token_endpoint, headers=headers, alg="RS256")
        )
    return client


def begin_login(
    provider: IdentityProvider, metadata: Metadata, redirect_uri: str, next_path: str = ""
) -> tuple[str, Pending]:
    """The address to send the browser to, and what its callback must then match."""
    pending = Pending(
        provider=provider.public_id,
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        next=next_path,
    )
    extra = {"nonce": pending.nonce}
    if provider.acr_values:
        extra["acr_values"] = provider.acr_values
    with _client(provider, metadata, redirect_uri) as client:
        url, _state = client.create_authorization_url(
            metadata.authorization_endpoint,
            state=pending.state,
            code_verifier=pending.code_verifier,
            **extra,
        )
    return url, pending


def _same(a: object, b: str) -> bool:
    return isinstance(a, str) and hmac.compare_digest(a.encode(), b.encode())


def _check_response(metadata: Metadata, pending: Pending, params: dict[str, str]) -> str:
    """The authorization code, once the response is the one this browser asked for."""
    if not _same(params.get("state"), pending.state):
        raise DomainError("sso.state_mismatch")
    # RFC 9207: a provider that names itself must be the one we sent the person to.
    if "iss" in params and params["iss"] != metadata.issuer:
        raise DomainError("sso.token_issuer")
    if "error" in params:
        raise DomainError("sso.provider_refused", error=params["error"][:100])
    code = params.get("code")
    if not code:
        raise DomainError("sso.state_mismatch")
    return code


def _exchange(
    provider: IdentityProvider, metadata: Metadata, pending: Pending, code: str, redirect_uri: str
) -> dict[str, Any]:
    with _client(provider, metadata, redirect_uri) as client:
        try:
            token = client.fetch_token(
                metadata.token_endpoint,
                code=code,
                code_verifier=pending.code_verifier,
                timeout=_TIMEOUT,
            )
        except OAuthError as exc:
            raise DomainError("sso.code_refused") from exc
        except requests.RequestException as exc:
            raise ServiceUnavailable("sso.provider_unreachable") from exc
    return dict(token)


def validate_id_token(
    provider: IdentityProvider,
    metadata: Metadata,
    id_token: str,
    nonce: str,
    *,
    leeway: int = 60,
    now: float | None = None,
) -> dict[str, Any]:
    """The claims of an ID token signed by the provider's published keys, for this client,
    unexpired, with this login's nonce and, where configured, an accepted ``acr``."""
    published = _get_json(metadata.jwks_uri)
    try:
        keys = KeySet.import_key_set(published)  # type: ignore[arg-type]
        claims = dict(jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims)
    except (JoseError, ValueError) as exc:
        raise DomainError("sso.token_invalid") from exc
    check_claims(provider, metadata, claims, nonce, leeway=leeway, now=now)
    return claims


def check_claims(
    provider: IdentityProvider,
    metadata: Metadata,
    claims: dict[str, Any],
    nonce: str,
    *,
    leeway: int,
    now: float | None = None,
) -> None:
    """OpenID Connect Core 1.0, 3.1.3.7: the checks on a signed ID token's claims."""
    if claims.get("iss") != metadata.issuer:
        raise DomainError("sso.token_issuer")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else audience
    if not isinstance(audiences, list) or provider.client_id not in audiences:
        raise DomainError("sso.token_audience")
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise DomainError("sso.token_audience")
    expires = claims.get("exp")
    moment = time.time() if now is None else now
    if not isinstance(expires, int | float) or moment > expires + leeway:
        raise DomainError("sso.token_expired")
    if not _same(claims.get("nonce"), nonce):
        raise DomainError("sso.token_nonce")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise DomainError("sso.token_invalid")
    accepted = provider.acr_values.split()
    if accepted and claims.get("acr") not in accepted:
        raise PermissionDenied("sso.acr_too_low")


def _userinfo(metadata: Metadata, token: dict[str, Any], subject: str) -> dict[str, Any]:
    """The UserInfo claims, for a provider that keeps the e-mail out of the ID token; they
    count only for the same subject (OpenID Connect Core 1.0, 5.3.2)."""
    if not metadata.userinfo_endpoint or not token.get("access_token"):
        return {}
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    info = _get_json(metadata.userinfo_endpoint, headers=headers)
    if info.get("sub") != subject:
        raise DomainError("sso.token_invalid")
    return info


@dataclass(frozen=True)
class Login:
    """A login the provider vouched for: who, and whether it met the configured level."""

    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str
    # An acr_values level was configured and met: the provider did the multi-factor part.
    multi_factor: bool


def finish_login(
    provider: IdentityProvider,
    metadata: Metadata,
    pending: Pending,
    params: dict[str, str],
    redirect_uri: str,
    *,
    leeway: int = 60,
) -> Login:
    """Check the callback, exchange the code and check the ID token; the person's claims."""
    code = _check_response(metadata, pending, params)
    token = _exchange(provider, metadata, pending, code, redirect_uri)
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise DomainError("sso.token_invalid")
    claims = validate_id_token(provider, metadata, id_token, pending.nonce, leeway=leeway)
    if provider.email_claim not in claims:
        claims = {**_userinfo(metadata, token, claims["sub"]), **claims}
    return Login(
        issuer=metadata.issuer,
        subject=claims["sub"],
        claims=claims,
        id_token=id_token,
        multi_factor=bool(provider.acr_values),
    )


def logout_url(
    provider: IdentityProvider, metadata: Metadata, after: str, id_token: str | None
) -> str | None:
    """Where to end the person's session at the provider too (RP-Initiated Logout 1.0), or
    None for a provider without an end_session_endpoint."""
    if not metadata.end_session_endpoint:
        return None
    query = {"client_id": provider.client_id, "post_logout_redirect_uri": after}
    if id_token:
        query["id_token_hint"] = id_token
    separator = "&" if "?" in metadata.end_session_endpoint else "?"
    return metadata.end_session_endpoint + separator + urlencode(query)
