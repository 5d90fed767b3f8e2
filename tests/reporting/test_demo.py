"""The demo's node, harvested by reporting: Drammen's reports are not empty, and the county's,
the region's, the state's and the voluntary organisation's offers count where they cover."""

from __future__ import annotations

from sqlalchemy.orm import sessionmaker

from services.registry.accounts.permissions import Actor
from services.registry.demo import ORGANISATIONS, load_demo_data
from shared.publication.keys import Signer
from tests.conftest import TEST_PASSPHRASE
from tests.federation import Federation
from tests.reporting.conftest import make_reporting_app
from tests.reporting.federation import new_history
from tests.reporting.reading import get_report, grid

RESOURCE_COLUMNS = ("offers", "staff_fte", "budget_nok", "without_staff", "without_budget")


def test_demo_reports(node_database_factory, reporting_database_factory, tmp_path):
    federation = Federation(node_database_factory, tmp_path)
    node = federation.node("demo", {})
    with sessionmaker(node.engine, expire_on_commit=False).begin() as session:
        load_demo_data(session, Actor.operator(), node.base_url, Signer(TEST_PASSPHRASE))
    history = new_history(reporting_database_factory, federation.client())
    history.trust(node, organisations=[o["organisation_number"] for o in ORGANISATIONS])
    [harvest] = history.harvester().harvest_all()
    assert harvest.error is None and harvest.rejected == 0
    app = make_reporting_app(history.url, tmp_path / "reporting")
    api = app.test_client()
    try:
        drammen = get_report(api, "pyramid", area="3301")
        totals = grid(drammen, "levels")["total"]
        # 7 of Drammen's own (one is withdrawn, two not yet published), 2 of the county's
        # (covering Buskerud), Bufetat's (region sør), the directorate's (the whole country)
        # and the two associations' (Drammen and Lier; Drammen and Numedal).
        assert [totals[k] for k in ("municipality", "county", "region", "state", "voluntary")] == [
            7,
            2,
            1,
            1,
            2,
        ]
        lier = grid(get_report(api, "pyramid", area="3312"), "levels")["total"]
        assert (lier["municipality"], lier["total"]) == (0, 5)
        duties = get_report(api, "duties", area="3301")["summary"]
        assert duties["covered"] == 9  # six of Drammen's, two of the county's, the region's
        coverage = grid(get_report(api, "coverage", area="3301"), "risk_groups")
        assert coverage["parental_breakup"]["level_2"] == 1  # the region's family counselling
        assert coverage["school_absence"]["total"] == 2  # the association's, the county's
        state = get_report(api, "offers", area="3301", provider_kind="state")
        assert [row["name"] for row in grid(state, "offers").values()] == [
            "Foreldrehverdag: veiledning på nett"
        ]
        # The resources behind them (services.registry.demo.data.RESOURCES), by hand:
        # offers, staff, budget, without staff, without budget.
        resources = {
            key: tuple(row[c] for c in RESOURCE_COLUMNS)
            for key, row in grid(drammen, "resources_levels").items()
        }
        assert resources == {
            # PMTO, PPT
            "3": (2, 25.0, 23_900_000, 0, 0),
            # COS-P, Oppfølgingstjenesten, Familievernet, the association's grief group
            "2": (4, 40.7, 41_350_000, 0, 1),  # the grief group: no budget
            # Helsestasjon, Skolehelsetjenesten, Jordmor, ICDP, Tannhelse, Foreldrehverdag,
            # Leksehjelp
            "1": (7, 128.3, 140_530_000, 1, 0),  # Leksehjelp: no staff
            "total": (13, 194.0, 205_780_000, 1, 1),
        }
        kinds = grid(drammen, "resources_kinds")
        assert (kinds["municipality"]["staff_fte"], kinds["county"]["budget_nok"]) == (
            64.8,
            109_000_000,
        )
        html = api.get("/pyramid?area=3301&lang=nb").get_data(as_text=True)
        assert "Buskerud fylkeskommune" in html and "Tilbud til alle" in html
    finally:
        app.extensions["nettungen.db"].engine.dispose()
        history.engine.dispose()
        federation.close()
