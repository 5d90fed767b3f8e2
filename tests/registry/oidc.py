"""A real OpenID provider for the sign-on tests: panva's certified ``oidc-provider`` (npm,
pinned by ``tools/oidc/package-lock.json``), run by ``tools/oidc/provider.mjs`` on a free port.

Installed by ``.ci/run`` (``npm ci --prefix tools/oidc``). Where node or the package is
missing the tests are skipped, unless ``NETTUNGEN_REQUIRE_BROWSER`` is set (as ``.ci/run``
does), which makes that a failure.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from tests.browser import REQUIRED

TOOLS = Path(__file__).resolve().parents[2] / "tools/oidc"
SCRIPT = TOOLS / "provider.mjs"
PACKAGE = TOOLS / "node_modules/oidc-provider/package.json"
# The client secret the test provider knows its clients by (never a real one).
CLIENT_SECRET = "nettungen-test-client-secret"  # pragma: allowlist secret
# The provider's development login page takes any password.
ANY_PASSWORD = "hva-som-helst"  # pragma: allowlist secret


def provider_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.exists():
        return "oidc-provider is not installed (npm ci --prefix tools/oidc)"
    return None


def require_provider() -> None:
    reason = provider_missing()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"NETTUNGEN_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client(client_id: str, redirect_uris: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A confidential client of the test provider, as oidc-provider's metadata has it."""
    return {
        "client_id": client_id,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": list(redirect_uris),
        "post_logout_redirect_uris": [
            re.sub(r"/login/oidc/callback$", "/login", u) for u in redirect_uris
        ],
        **extra,
    }


@contextmanager
def run_provider(
    workdir: Path, clients: Sequence[Mapping[str, Any]], accounts: Mapping[str, Mapping[str, Any]]
) -> Iterator[str]:
    """Start the provider with these clients and accounts; yields its issuer URL."""
    require_provider()
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}"
    settings = workdir / f"oidc-provider-{port}.json"
    settings.write_text(
        json.dumps({"issuer": issuer, "port": port, "clients": clients, "accounts": accounts}),
        encoding="utf-8",
    )
    log = (workdir / f"oidc-provider-{port}.log").open("w")
    process = subprocess.Popen(["node", str(SCRIPT), str(settings)], stdout=log, stderr=log)  # noqa: S603,S607
    try:
        _wait_until_up(issuer, process)
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _wait_until_up(issuer: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oidc-provider exited with {process.returncode}")
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=2).is_success:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("oidc-provider did not start within 30 seconds")


def sign_in_at_provider(authorize_url: str, login: str, stop_at: str) -> str:
    """Go through the provider's own login page as a browser would (without JavaScript):
    follow the redirects, post the login form, until the provider sends the browser to an
    address starting with ``stop_at`` (the relying party's callback); returns that address."""
    with httpx.Client(timeout=10) as browser:
        url = authorize_url
        for _hop in range(12):
            if url.startswith(stop_at):
                return url
            response = browser.get(url)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            assert action, response.text[:2000]
            posted = browser.post(
                urljoin(url, unescape(action.group(1))),
                data={"prompt": "login", "login": login, "password": ANY_PASSWORD},
            )
            assert posted.is_redirect, posted.text[:2000]
            url = urljoin(url, posted.headers["location"])
        raise AssertionError(f"the provider never sent the browser back to {stop_at}")
