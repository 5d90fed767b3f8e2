"""Browser tests: Debian's Chromium driven by Playwright, and axe-core for accessibility.

Playwright never downloads a browser here: it starts ``/usr/bin/chromium`` (Debian's package,
installed by ``.ci/run``). axe-core comes from ``tools/browser`` (``npm ci --prefix
tools/browser``). Where either is missing the browser tests are skipped, unless
``NETTUNGEN_REQUIRE_BROWSER`` is set (as ``.ci/run`` does), which makes that a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = Path(os.environ.get("NETTUNGEN_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[1] / "tools/browser/node_modules/axe-core/axe.min.js"
REQUIRED = bool(os.environ.get("NETTUNGEN_REQUIRE_BROWSER"))
# Without these, Chromium reaches for Google's services, which this machine's network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# WCAG 2.1 A and AA rules, as axe-core tags them.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def browser_missing() -> str | None:
    """Why the browser tests cannot run here, or ``None`` when they can."""
    if not CHROMIUM.exists():
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix tools/browser)"
    return None


def require_browser() -> None:
    reason = browser_missing()
    if reason is None:
        return
    if REQUIRED:
        pytest.fail(f"NETTUNGEN_REQUIRE_BROWSER is set but {reason}")
    pytest.skip(reason)


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve ``app`` over real HTTP on a free local port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium_page(locale: str = "nb-NO", javascript: bool = True) -> Iterator[Any]:
    """A fresh headless Chromium page (Playwright ``Page``), closed afterwards; with
    ``javascript`` false, one that runs no script at all (so no axe either).

    CSP is bypassed only so axe-core can be injected; the pages' own policy is tested apart.
    """
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                locale=locale, bypass_csp=True, java_script_enabled=javascript
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            yield page
            context.close()
        finally:
            browser.close()


def accessibility_violations(page: Any, impacts: tuple[str, ...] = ("serious", "critical")) -> list:
    """axe-core's WCAG 2.1 A/AA violations of ``impacts`` on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page: Any) -> None:
    violations = accessibility_violations(page)
    assert not violations, f"{page.url}:\n  " + "\n  ".join(violations)
