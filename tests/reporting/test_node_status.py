"""National reporting publishes each node's status as search does (shared.ingest.status): what
it received, what it refused and why; a refusal closes once the grant brings the offer."""

from __future__ import annotations

import pytest

from shared.ingest import directory
from tests.federation import Federation
from tests.publisher.node import ORGANISATIONS
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import new_history

MUNICIPALITY, VOLUNTARY = ORGANISATIONS["municipality"], ORGANISATIONS["voluntary"]


@pytest.fixture
def own(node_database_factory, reporting_database_factory, tmp_path):
    federation = Federation(node_database_factory, tmp_path)
    history = new_history(reporting_database_factory, federation.client())
    app = make_reporting_app(history.url, tmp_path / "app")
    yield federation, history, app.test_client()
    app.extensions["nettungen.db"].engine.dispose()
    history.engine.dispose()
    federation.close()


def test_reporting_shows_a_refusal_until_the_grant(own):
    federation, history, api = own
    node = federation.node("vert", {"municipality": MUNICIPALITY, "voluntary": VOLUNTARY})
    with node.builder() as build:
        build.publish("municipality", name="Helsestasjon for ungdom")
        theirs = build.publish("voluntary", name="Leksehjelp")
    history.trust(node, organisations=[MUNICIPALITY[0]])
    history.harvester().harvest_all()
    status = api.get("/api/v1/status/nodes/vert").get_json()
    assert status["received"]["published"] == 1
    assert [(r["offer_uri"], r["open"]) for r in status["refused"]] == [
        (f"{node.base_url}/offers/{theirs}", True)
    ]
    page = api.get("/status/nodes/vert?lang=nb").get_data(as_text=True)
    assert "Avviste" in page and "may not publish for organisation 910000047" in page
    with history.sessions.begin() as session:
        directory.grant(session, "vert", [VOLUNTARY[0]])
    history.harvester().harvest_all()
    [summary] = api.get("/api/v1/status/nodes").get_json()["nodes"]
    assert summary["refusals"] == {"kept": 1, "open": 0}
    assert summary["received"]["published"] == 2
    assert "Status for nodene" in api.get("/status/nodes?lang=nb").get_data(as_text=True)
