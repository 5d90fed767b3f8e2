"""Fetching JSON from other nodes, bounded in time and size whatever the node does.

A node can be slow, hang, drip bytes, send gigabytes or answer with garbage; none of that may
stall or exhaust the service harvesting it. Every fetch has a connect and read timeout, an
overall deadline checked while the body arrives, and a byte limit; anything beyond them is a
:class:`FetchError`, which the caller records against the node and moves on.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from shared.signing import VerificationKey

JWKS_PATH = "/.well-known/jwks.json"
USER_AGENT = "Nettungen-harvester/1.0 (+https://nettungen.no)"


class FetchError(Exception):
    """The node did not give a usable answer; the message says what happened."""


@dataclass(frozen=True)
class Limits:
    timeout: float = 30.0  # seconds for the whole response, body included
    connect_timeout: float = 5.0
    max_bytes: int = 32 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    status: int  # 200, or 304 when the ETag still matched
    document: Any
    etag: str | None


def new_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """A client for harvesting: TLS certificates verified, no redirects to other hosts."""
    return httpx.Client(
        transport=transport,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        verify=True,
    )


def get_json(client: httpx.Client, url: str, limits: Limits, etag: str | None = None) -> Fetched:
    """GET ``url`` as JSON within ``limits``; ``etag`` makes it conditional."""
    headers = {"Accept": "application/json"}
    if etag:
        headers["If-None-Match"] = etag
    timeout = httpx.Timeout(limits.timeout, connect=limits.connect_timeout)
    deadline = time.monotonic() + limits.timeout
    try:
        with client.stream("GET", url, headers=headers, timeout=timeout) as response:
            if response.status_code == 304:
                return Fetched(304, None, etag)
            if response.status_code != 200:
                raise FetchError(f"{url} answered {response.status_code}")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(f"{url} is {declared} bytes; the limit is {limits.max_bytes}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limits.max_bytes:
                    raise FetchError(f"{url} is larger than {limits.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(f"{url} took longer than {limits.timeout} s")
            new_etag = response.headers.get("ETag")
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    return Fetched(200, parse_json(body, url), new_etag)


def parse_json(body: bytes | bytearray, what: str) -> Any:
    """JSON from elsewhere, or :class:`FetchError`: malformed text, numbers too long to
    convert and nesting too deep to parse are all just bad input, never a crash."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise FetchError(f"{what} is not usable JSON: {type(exc).__name__}") from None


def fetch_keys(client: httpx.Client, base_url: str, limits: Limits) -> list[VerificationKey]:
    """The node's public keys from its JWKS; keys of other kinds are skipped."""
    fetched = get_json(client, base_url + JWKS_PATH, limits)
    listed = fetched.document.get("keys") if isinstance(fetched.document, dict) else None
    if not isinstance(listed, list):
        raise FetchError(f"{base_url}{JWKS_PATH} is not a JSON Web Key Set")
    keys = []
    for document in listed:
        if isinstance(document, dict):
            try:
                keys.append(VerificationKey.from_jwk(document))
            except ValueError:
                continue  # not an Ed25519 key of ours, or malformed: never trusted
    if not keys:
        raise FetchError(f"{base_url}{JWKS_PATH} lists no Ed25519 key")
    return keys
