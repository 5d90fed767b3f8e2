"""Migrations run years after they are written: they import only their own service, the
column types of ``shared.db`` and the frozen schema steps of ``shared.ingest.schema_migrations``,
never code that can change under them."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import pytest

from shared.hsds import service_id

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = sorted(ROOT.glob("services/*/migrations/versions/*.py"))
STABLE_SHARED = {"shared.db", "shared.ingest.schema_migrations"}
THIRD_PARTY = {"alembic", "sqlalchemy"}


def _imported(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


@pytest.mark.parametrize("path", MIGRATIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_migration_imports_only_what_cannot_change_under_it(path: Path) -> None:
    own = "services." + path.relative_to(ROOT / "services").parts[0]
    for module in _imported(path):
        top = module.split(".")[0]
        if top in ("shared", "services"):
            assert module in STABLE_SHARED or module.startswith(own + "."), module
        else:
            assert top in THIRD_PARTY or top in ("__future__", "json", "typing", "uuid"), module


def test_the_registry_migration_computes_service_ids_as_shared_hsds_does() -> None:
    path = ROOT / "services/registry/migrations/versions/0004_service_ids.py"
    spec = importlib.util.spec_from_file_location("registry_0004", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for uri in ("https://node.test/offers/abc", "https://kommune.no/tilbud/offers/æøå"):
        assert migration._service_id(uri) == service_id(uri)
