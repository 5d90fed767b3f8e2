"""Every configuration key of the registry, declared once (see ``nettungen registry config``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shared.config import (
    ConfigKey,
    absolute_path,
    base_url,
    optional_base_url,
    parse_bool,
    positive_int,
    timeout_seconds,
)
from shared.db import sqlite_url_in
from shared.web import TRUSTED_PROXIES_KEY
from shared.web.guards import METRICS_TOKEN_KEY, max_content_length


def _smtp_url(value: str) -> str:
    if value and not value.startswith(("smtp://", "smtps://")):
        raise ValueError("must be smtp://[user:password@]host:port[?starttls=1] or smtps://...")
    return value


def _instance_file_secret(name: str) -> Callable[[dict[str, Any]], str]:
    """Zero-configuration runs keep a random secret in the instance folder, never in git."""

    def default(resolved: dict[str, Any]) -> str:
        path = Path(resolved["INSTANCE_PATH"]) / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="ascii")
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()

    return default


CONFIG = [
    ConfigKey(
        "INSTANCE_PATH",
        "Folder for this node's local state: the SQLite database and the generated secret key.",
        absolute_path,
        "instance/node",
    ),
    ConfigKey(
        "DATABASE_URL",
        "SQLAlchemy URL of the node database (postgresql+psycopg://... in production).",
        str,
        lambda r: sqlite_url_in(Path(r["INSTANCE_PATH"]), "node.sqlite"),
    ),
    ConfigKey(
        "NODE_BASE_URL",
        "Public base URL of this node's publisher; offer URIs are minted under it, once.",
        base_url,
        "http://127.0.0.1:8011",
    ),
    ConfigKey(
        "SECRET_KEY",
        "Signs session cookies and CSRF tokens. Set it in production; else one is generated "
        "in the instance folder.",
        str,
        _instance_file_secret("secret_key"),
        secret=True,
    ),
    ConfigKey(
        "SIGNING_KEY_PASSPHRASE",
        "Seals the node's Ed25519 signing keys in the database. Set it in production and keep "
        "it with the database backups' secrets; else one is generated in the instance folder.",
        str,
        _instance_file_secret("signing_key_passphrase"),
        secret=True,
    ),
    ConfigKey(
        "SESSION_COOKIE_SECURE",
        "Send the session cookie over HTTPS only. Turn off only for plain-HTTP local demos.",
        parse_bool,
        True,
    ),
    ConfigKey(
        "SESSION_COOKIE_NAME",
        "Name of the login cookie. Cookies are kept per host, not per port: registries of "
        "several nodes on one host (as in the demo) need names of their own.",
        str,
        "nettungen_registry",
    ),
    ConfigKey(
        "SESSION_LIFETIME_HOURS",
        "How long a browser login lasts at most, however busy (the absolute lifetime); the "
        "session then ends on the server and the person logs in again.",
        int,
        12,
    ),
    ConfigKey(
        "SESSION_IDLE_MINUTES",
        "How long a browser login lasts without a request before it ends (the idle timeout).",
        int,
        120,
    ),
    # Enough for a bulk-mapping workbook of a few thousand offers.
    max_content_length(1_048_576),
    METRICS_TOKEN_KEY,
    ConfigKey(
        "LOGIN_MAX_FAILURES_PER_ACCOUNT",
        "Failed logins for one e-mail address within the window before logins are refused.",
        int,
        5,
    ),
    ConfigKey(
        "LOGIN_MAX_FAILURES_PER_ADDRESS",
        "Failed logins from one client address within the window before logins are refused.",
        int,
        20,
    ),
    ConfigKey("LOGIN_THROTTLE_WINDOW_SECONDS", "The login throttle window.", int, 900),
    ConfigKey(
        "SSO_CLOCK_LEEWAY_SECONDS",
        "How far this node's clock and an identity provider's may disagree when an ID token's "
        "expiry is checked (login through OpenID Connect).",
        int,
        60,
    ),
    ConfigKey(
        "OIDC_SECRETS_DIR",
        "Folder of the files an identity provider's secret reference `file:NAME` may name "
        "(client secrets, private keys for private_key_jwt); empty: no file references.",
        str,
        "",
    ),
    TRUSTED_PROXIES_KEY,
    ConfigKey(
        "REGISTRY_BASE_URL",
        "Public base URL of this registry's internal app; links in mails point under it.",
        base_url,
        "http://127.0.0.1:8010",
    ),
    ConfigKey(
        "SMTP_URL",
        "Where mail is sent: smtp://[user:password@]host:port (add ?starttls=1 to upgrade to "
        "TLS) or smtps://... for implicit TLS. Unset, mails are written as .eml files to "
        "<INSTANCE_PATH>/mail/ and logged.",
        _smtp_url,
        "",
        secret=True,
    ),
    ConfigKey(
        "MAIL_FROM",
        "The From address of every mail; its domain needs SPF and DKIM for the sending server.",
        str,
        "Nettungen <no-reply@nettungen.invalid>",
    ),
    ConfigKey("MAIL_REPLY_TO", "Reply-To address of every mail; empty for none.", str, ""),
    ConfigKey(
        "NATIONAL_SEARCH_URL",
        "Base URL of national search (https://sok.example.no): the dashboard and the assessment "
        "show the other providers' offers in the organisation's area from it, and each offer "
        "whether national search received it or refused it and why. Empty: not shown.",
        optional_base_url,
        "",
    ),
    ConfigKey(
        "NATIONAL_REPORTING_URL",
        "Base URL of national reporting: the dashboard and the assessment link to its reports "
        "for the organisation's area. Empty: no links.",
        optional_base_url,
        "",
    ),
    ConfigKey(
        "NATIONAL_TIMEOUT_SECONDS",
        "How long a page waits for national search before it says it cannot be reached.",
        timeout_seconds,
        3.0,
    ),
    ConfigKey(
        "ADDRESS_SEARCH_URL",
        "Base URL of Kartverket's open address API, which the offer form's address search "
        "asks (GET <url>/sok). Empty: no address search; places and points are typed by hand.",
        optional_base_url,
        "https://ws.geonorge.no/adresser/v1",
    ),
    ConfigKey(
        "ADDRESS_SEARCH_TIMEOUT_SECONDS",
        "How long the address search waits for the address API before it says so.",
        timeout_seconds,
        5.0,
    ),
    ConfigKey(
        "MAIL_MAX_ATTEMPTS",
        "Attempts to send a mail before it is marked failed (and kept for node admins).",
        positive_int,
        10,
    ),
    ConfigKey(
        "PERSONAL_DATA_RETENTION_DAYS",
        "Days personal data is kept after it stops being needed: a member removed from their "
        "last organisation, workspace member entries and logins in the audit trail, spent "
        "invitations, sent mails. `nettungen registry retention` (daily) erases what is older "
        "(docs/privacy.md).",
        positive_int,
        180,
    ),
]
