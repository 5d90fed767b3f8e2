"""The architecture contracts in pyproject.toml hold, and breaking one fails `lint-imports`.

`.ci/run` runs `lint-imports` itself; these tests prove that the check has teeth: each adds one
forbidden import to a scratch copy of the source tree and expects the matching contract to fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def only_python(folder: str, names: list[str]) -> set[str]:
    """For copytree: skip everything but packages and modules (templates, data, caches)."""
    skipped = {"__pycache__"}
    for name in names:
        if not name.endswith(".py") and not (Path(folder) / name).is_dir():
            skipped.add(name)
    return skipped


@pytest.fixture
def scratch_tree(tmp_path: Path) -> Path:
    """A copy of the Python sources and the contracts, to break without touching the tree."""
    for package in ("services", "shared"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=only_python)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout, result.stdout


def test_every_folder_of_code_is_a_package() -> None:
    """import-linter sees only packages: a folder without ``__init__.py`` would escape every
    contract. Alembic's version scripts are loaded by path, never imported."""
    folders = {
        path.parent.relative_to(ROOT)
        for package in ("services", "shared")
        for path in (ROOT / package).rglob("*.py")
        if path.parent.name != "versions"
    }
    assert [f for f in sorted(folders) if not (ROOT / f / "__init__.py").exists()] == []


def test_every_feature_package_is_layered() -> None:
    """A feature package (one with any of the layered modules) is a container of the
    feature-layers contract, so a new one cannot slip past it."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layered = next(c for c in contracts["contracts"] if c["id"] == "feature-layers")
    layers = {"api", "pages", "services", "schemas", "models"}
    features = {
        f"services.{folder.parent.name}.{folder.name}"
        for folder in (ROOT / "services").glob("*/*/")
        if any((folder / f"{name}.py").exists() or (folder / name).is_dir() for name in layers)
    }
    assert features - set(layered["containers"]) == set()


# (module of the copy, the import added to its end, the contract that must break)
BREAKAGES = [
    (
        "services/search/_breach.py",
        "import services.registry.offers.models",
        "The four services never import each other",
    ),
    (
        "shared/_breach.py",
        "from services.reporting import config",
        "shared never imports a service",
    ),
    (
        "services/search/hsds/services.py",
        "from flask import request",
        "Service layers, schemas and models are Flask-free",
    ),
    (
        "services/registry/offers/models.py",
        "from services.registry.offers import services",
        "Inside a feature package: api and pages above services above schemas above models",
    ),
    (
        "services/registry/accounts/pages/people.py",
        "from services.registry.accounts import api",
        "Inside a feature package: api and pages above services above schemas above models",
    ),
    (
        "services/reporting/history/models.py",
        "from services.reporting.reports import scope",
        "Search and reporting: site and API above presentation above reports above storage",
    ),
]


@pytest.mark.parametrize(
    ("module", "statement", "contract"), BREAKAGES, ids=[b[0] for b in BREAKAGES]
)
def test_breaking_a_contract_fails(
    scratch_tree: Path, module: str, statement: str, contract: str
) -> None:
    with (scratch_tree / module).open("a") as source:
        source.write(f"\n{statement}\n")
    result = lint_imports(scratch_tree)
    report = " ".join(result.stdout.split())  # long contract names wrap
    assert result.returncode != 0, result.stdout
    assert f"{contract} BROKEN" in report, result.stdout
    assert "1 broken" in report, result.stdout
