"""From a fresh database: the operator's commands, then the HTTP workflow, then the log."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.cli import main
from services.registry import create_app
from shared.db import create_engine
from shared.publication.events import check_event
from shared.publication.keys import entry_event, verification_keys
from shared.publication.models import LogEntry, PublishedOffer
from tests.registry.conftest import offer_input


@pytest.fixture
def fresh(database_factory, tmp_path, monkeypatch):
    url = database_factory()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("NODE_BASE_URL", "https://drammen.node.test")
    return url


def run(*args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_operator_commands_then_http_workflow(fresh):
    assert "statutory duties added" in run("registry", "db", "upgrade")
    run(
        "registry",
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
    agency = re.search(
        r"Created agency (\S+)", run("registry", "agency", "create", "910000012", "Helsestasjon")
    ).group(1)
    for email in ("reg@example.org", "pub@example.org"):
        run(
            "registry",
            "user",
            "create",
            "--email",
            email,
            "--name",
            email.split("@")[0],
            "--password",
            "et-langt-passord-1",
        )
    run(
        "registry",
        "user",
        "grant",
        "910000012",
        "reg@example.org",
        "--role",
        "registrar",
        "--agency",
        agency,
    )
    run("registry", "user", "grant", "910000012", "pub@example.org", "--role", "publisher")
    registrar = run(
        "registry", "token", "create", "reg@example.org", "910000012", "--name", "test"
    ).strip()
    publisher = run(
        "registry", "token", "create", "pub@example.org", "910000012", "--name", "test"
    ).strip()

    app = create_app()
    client = app.test_client()
    created = client.post(
        "/api/v1/organisations/910000012/offers",
        json=offer_input(agency),
        headers={"Authorization": f"Bearer {registrar}"},
    )
    assert created.status_code == 201, created.get_json()
    oid = created.get_json()["id"]
    submitted = client.post(
        f"/api/v1/offers/{oid}/submit", headers={"Authorization": f"Bearer {registrar}"}
    )
    assert submitted.get_json()["status"] == "submitted"
    publish = (f"/api/v1/offers/{oid}/publish", {"Authorization": f"Bearer {publisher}"})
    refused = client.post(publish[0], headers=publish[1])
    assert refused.status_code == 503
    assert "nettungen registry key generate" in refused.get_json()["message"]
    key_id = re.search(r"Generated signing key (\S+)\.", run("registry", "key", "generate"))
    published = client.post(publish[0], headers=publish[1])
    assert published.status_code == 200
    assert published.get_json()["published_version"] == 1
    # The operator shuts a user out, and lets them in again: their token follows.
    me = ("/api/v1/me", {"Authorization": f"Bearer {registrar}"})
    assert "is deactivated" in run("registry", "user", "deactivate", "reg@example.org")
    assert client.get(me[0], headers=me[1]).status_code == 401
    run("registry", "user", "reactivate", "reg@example.org")
    assert client.get(me[0], headers=me[1]).status_code == 200

    engine = create_engine(fresh)
    with Session(engine) as session:
        rows = session.scalars(select(LogEntry)).all()
        assert [(r.seq, r.event_type, r.version, r.offer_uri) for r in rows] == [
            (1, "no.nettungen.offer.published", 1, f"https://drammen.node.test/offers/{oid}")
        ]
        assert session.get(PublishedOffer, rows[0].offer_uri).snapshot == rows[0].snapshot
        event = entry_event(rows[0])
        assert event["signingkey"] == key_id.group(1)
        assert (
            check_event(event, verification_keys(session), "https://drammen.node.test")["id"] == oid
        )
    engine.dispose()
    app.extensions["nettungen.db"].engine.dispose()


def test_cli_reports_bad_input_and_writes_nothing(fresh):
    run("registry", "db", "upgrade")
    result = CliRunner().invoke(
        main,
        [
            "registry",
            "org",
            "create",
            "--orgnr",
            "974760672",
            "--name",
            "X",
            "--kind",
            "municipality",
            "--home-area",
            "3301",
        ],
    )
    assert result.exit_code != 0
    assert "check digit" in result.output
    assert run("registry", "org", "list") == ""
