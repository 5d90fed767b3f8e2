"""Reporting's pages and API run as many SQL statements over 30 offers as over 3: every
report, as a page and as JSON, for a county."""

from __future__ import annotations

from typing import Any

from tests.queries import MANY, add_directory_nodes, check_flat
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import MUNICIPAL_NODE, new_history

# Drammen (3301) and Kongsberg (3303), both in Buskerud (33).
HOMES = {"municipality": "3301", "kongsberg": "3303"}
SCOPE = "area=33&lang=en"
DUTIES = ("hol-3-2-helsestasjon", "hol-3-2-skolehelsetjeneste")
REPORTS = {
    "pyramid": SCOPE,
    "coverage": SCOPE,
    "duties": SCOPE,
    "overlaps": SCOPE,
    "quality": SCOPE,
    "trend": f"{SCOPE}&months=3",
    "comparison": "area=3301&other=3303&lang=en",
    "offers": f"{SCOPE}&per_page=50",
}


def _grow(federation: Any, history: Any) -> Any:
    node = federation.node("kommune", MUNICIPAL_NODE)
    history.trust(node)
    published: list[str] = []

    def grow(count: int) -> None:
        with node.builder() as builder:
            for i in range(len(published), len(published) + count):
                provider = list(HOMES)[i % 2]
                published.append(
                    builder.publish(
                        provider,
                        name=f"Tilbud {i}",
                        level=1 + i % 3,
                        coverage=[HOMES[provider]],
                        statutory_duties=[DUTIES[i % 2]],
                        risk_groups=[("bullying", "trauma", "school_absence")[i % 3]],
                    )
                )
        reports = history.harvester().harvest_all()
        assert all(r.error is None and r.rejected == 0 for r in reports), reports

    return grow


def test_reports(node_database_factory, reporting_database_factory, tmp_path):
    from tests.federation import Federation

    federation = Federation(node_database_factory, tmp_path)
    history = new_history(reporting_database_factory, federation.client())
    app = make_reporting_app(history.url, tmp_path / "app")
    client = app.test_client()
    pages = {"index page": lambda: client.get("/?lang=en")}
    for kind, query in REPORTS.items():
        pages[f"{kind} page"] = lambda kind=kind, query=query: client.get(f"/{kind}?{query}")
        pages[f"{kind} API"] = lambda kind=kind, query=query: client.get(
            f"/api/v1/reports/{kind}?{query}"
        )
    try:
        drawn = check_flat(app.extensions["nettungen.db"].engine, _grow(federation, history), pages)
    finally:
        app.extensions["nettungen.db"].engine.dispose()
        history.engine.dispose()
        federation.close()
    assert drawn["offers page"].get_data(as_text=True).count("Tilbud ") >= MANY
    assert drawn["offers API"].get_json()["summary"]["total"] == MANY


def test_node_status(node_database_factory, reporting_database_factory, tmp_path):
    """Reporting's status of every node, its page and one node's status take as many
    statements for 30 nodes in its directory as for 3."""
    from tests.federation import Federation

    federation = Federation(node_database_factory, tmp_path)
    history = new_history(reporting_database_factory, federation.client())
    app = make_reporting_app(history.url, tmp_path / "app")
    client = app.test_client()
    added = [0]

    def grow(count: int) -> None:
        add_directory_nodes(history.sessions, added[0], count)
        added[0] += count

    pages = {
        "status of every node": lambda: client.get("/api/v1/status/nodes"),
        "status page": lambda: client.get("/status/nodes?lang=en"),
        "status of a node": lambda: client.get("/api/v1/status/nodes/n01"),
        "status of some offers": lambda: client.get(
            "/api/v1/status/offers?uri=https://node01.test/offers/0&uri=https://node02.test/offers/2"
        ),
    }
    try:
        drawn = check_flat(app.extensions["nettungen.db"].engine, grow, pages)
    finally:
        app.extensions["nettungen.db"].engine.dispose()
        history.engine.dispose()
        federation.close()
    assert len(drawn["status of every node"].get_json()["nodes"]) == MANY
    assert drawn["status of a node"].get_json()["refusals"] == {"kept": 2, "open": 2}
    first, second = drawn["status of some offers"].get_json()["offers"]
    assert len(first["refused"]) == 2 and second["received"]["withdrawn"] is True
