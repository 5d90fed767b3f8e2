"""The command-line tools some deploy tests run (``kubectl``, ``systemd-analyze``). Where one
is missing its tests are skipped, unless ``NETTUNGEN_REQUIRE_DEPLOY_TOOLS`` is set (as
``.ci/run`` does, after installing them), which makes that a failure: CI never passes by
skipping them."""

from __future__ import annotations

import os
import shutil

import pytest

REQUIRED = bool(os.environ.get("NETTUNGEN_REQUIRE_DEPLOY_TOOLS"))


def require(tool: str) -> str:
    """The path of ``tool``; skip the test (fail it, in CI) when it is not installed."""
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} is not installed"
        if REQUIRED:
            pytest.fail(f"NETTUNGEN_REQUIRE_DEPLOY_TOOLS is set but {reason}")
        pytest.skip(reason)
    return path
