"""``nettungen registry idp ...`` from a fresh database: providers and domains, bad input
refused with nothing written, and no secret stored."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from services.cli import main
from services.registry.sso.models import IdentityProvider
from shared.db import create_engine

ISSUER = "https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0"


@pytest.fixture
def fresh(database_factory, tmp_path, monkeypatch):
    url = database_factory()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    return url


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["registry", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str) -> str:
    result = CliRunner().invoke(main, ["registry", *args])
    assert result.exit_code != 0, result.output
    return result.output


def test_providers_and_domains_from_the_command_line(fresh):
    run("db", "upgrade")
    run(
        "org",
        "create",
        "--orgnr",
        "910000012",
        "--name",
        "Drammen kommune",
        "--kind",
        "municipality",
        "--home-area",
        "3301",
    )
    added = run(
        "idp",
        "add",
        "entra-drammen",
        "--name",
        "Drammen kommune",
        "--issuer",
        ISSUER,
        "--client-id",
        "abc",
        "--secret-ref",
        "env:ENTRA_DRAMMEN_SECRET",
    )
    assert added == f"Added identity provider entra-drammen ({ISSUER}).\n"
    assert "drammen.kommune.no through entra-drammen (domain 1)" in run(
        "idp", "domain", "entra-drammen", "910000012", "Drammen.Kommune.NO"
    )
    assert run("idp", "list") == (
        f"entra-drammen  active   {ISSUER}  Drammen kommune\n    1  910000012  drammen.kommune.no\n"
    )
    assert "already accepts" in refused(
        "idp", "domain", "entra-drammen", "910000012", "drammen.kommune.no"
    )
    run("idp", "undomain", "entra-drammen", "1")
    run("idp", "remove", "entra-drammen")
    assert run("idp", "list") == f"entra-drammen  removed  {ISSUER}  Drammen kommune\n"
    assert "removed from the node" in refused("idp", "remove", "entra-drammen")


def test_bad_settings_are_refused_and_nothing_is_written(fresh):
    run("db", "upgrade")
    output = refused(
        "idp",
        "add",
        "x",
        "--name",
        "X",
        "--issuer",
        "http://idp.example.org",
        "--client-id",
        "abc",
        "--secret-ref",
        "the-secret-itself",
        "--scopes",
        "email profile",
    )
    assert "issuer: An HTTPS address" in output
    assert "secret_ref:" in output
    assert "scopes: The scopes must include openid." in output
    engine = create_engine(fresh)
    with engine.connect() as connection:
        assert connection.execute(select(IdentityProvider.id)).all() == []
    engine.dispose()
