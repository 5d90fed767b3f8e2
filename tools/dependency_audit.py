"""Audit the pinned dependencies (constraints.txt) for known vulnerabilities with pip-audit.

pip-audit asks PyPI's JSON API for the advisories of each pinned release. Where that source
cannot be reached (a machine without the internet, or a mirror without the per-release API) the
audit says so and is skipped: it could not ask, so it proves nothing either way, and every
release would otherwise be "skipped" one by one. Where it can be reached, any known
vulnerability, or any pin it could not check, fails the audit.

    .venv/bin/python tools/dependency_audit.py [constraints.txt]
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

ADVISORIES = "https://pypi.org/pypi/{name}/{version}/json"


def pins(constraints: Path) -> list[tuple[str, str]]:
    """(name, version) of every ``name==version`` line."""
    found = []
    for line in constraints.read_text(encoding="utf-8").splitlines():
        name, sep, version = line.split("#", 1)[0].strip().partition("==")
        if sep and name and version:
            found.append((name, version))
    return found


def unreachable(name: str, version: str) -> str | None:
    """Why the advisory source cannot answer for this release, or None when it can."""
    url = ADVISORIES.format(name=name, version=version)
    try:
        response = httpx.get(url, timeout=15, follow_redirects=True)
    except httpx.HTTPError as exc:
        return f"{url}: {exc.__class__.__name__}: {exc}"
    if response.status_code != 200:
        return f"{url} answered {response.status_code}"
    try:
        has_advisories = "vulnerabilities" in response.json()
    except ValueError:
        has_advisories = False
    return None if has_advisories else f"{url} holds no advisory data"


def audit(constraints: Path) -> int:
    pinned = pins(constraints)
    if not pinned:
        print(f"no pinned releases in {constraints}", file=sys.stderr)
        return 2
    reason = unreachable(*pinned[0])
    if reason is not None:
        print(f"advisory source unreachable, audit skipped ({reason})")
        return 0
    command = [
        sys.executable,
        "-m",
        "pip_audit",
        "--requirement",
        str(constraints),
        "--no-deps",
        "--disable-pip",
        "--strict",
        "--progress-spinner",
        "off",
        "--vulnerability-service",
        "pypi",
    ]
    print(f"auditing {len(pinned)} pinned releases of {constraints} against PyPI's advisories")
    return subprocess.run(command, check=False).returncode  # noqa: S603 - our own argv


if __name__ == "__main__":
    sys.exit(audit(Path(sys.argv[1] if len(sys.argv) > 1 else "constraints.txt")))
