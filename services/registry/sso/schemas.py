"""What a node administrator types to configure an identity provider, and an accepted domain."""

from __future__ import annotations

from urllib.parse import urlsplit

from marshmallow import ValidationError, fields, validate, validates

from shared.fields import InputSchema, organisation_number, strict_boolean
from shared.messages import Message

CLIENT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "private_key_jwt")
# Where a secret is read from: an environment variable or a file, never the database.
SECRET_REF = r"^(env:[A-Za-z_][A-Za-z0-9_]{0,199}|file:/\S{1,490})$"  # noqa: S105
# Hosts a provider may be reached at over plain HTTP: this machine only (tests, local demos).
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
DOMAIN = r"(?i)^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
CLAIM = r"^[A-Za-z_][A-Za-z0-9_:.\-/]{0,99}$"


def check_provider_url(value: str) -> None:
    """HTTPS, or HTTP on this machine; no query or fragment (OpenID Connect Discovery)."""
    parts = urlsplit(value)
    secure = parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
    if not secure or not parts.hostname or parts.query or parts.fragment:
        raise ValidationError(Message("sso.provider_url"))


def check_optional_provider_url(value: str) -> None:
    if value:
        check_provider_url(value)


class ProviderCreateSchema(InputSchema):
    public_id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9][a-z0-9-]{0,39}$"))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    issuer = fields.String(required=True, validate=[validate.Length(max=500), check_provider_url])
    discovery_url = fields.String(
        load_default="", validate=[validate.Length(max=500), check_optional_provider_url]
    )
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    client_auth = fields.String(
        load_default="client_secret_basic", validate=validate.OneOf(CLIENT_AUTH_METHODS)
    )
    secret_ref = fields.String(required=True, validate=validate.Regexp(SECRET_REF))
    key_id = fields.String(load_default="", validate=validate.Length(max=200))
    scopes = fields.String(load_default="openid email profile", validate=validate.Length(max=500))
    acr_values = fields.String(load_default="", validate=validate.Length(max=500))
    email_claim = fields.String(load_default="email", validate=validate.Regexp(CLAIM))
    trust_email = strict_boolean(load_default=False)

    @validates("scopes")
    def _openid_scope(self, value: str, **_kwargs: object) -> None:
        if "openid" not in value.split():
            raise ValidationError(Message("sso.scope_openid"))


class DomainCreateSchema(InputSchema):
    organisation_number = organisation_number(required=True)
    domain = fields.String(required=True, validate=validate.Regexp(DOMAIN))
