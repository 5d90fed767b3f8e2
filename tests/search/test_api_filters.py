"""``/api/v1/offers`` over the standard federation: the diagnosis-group filter and facet, the
region filter, and a query string the API does not understand refused with a 400 naming what
it does not know, where it used to be ignored (``diagnosis_grop=adhd`` returned everything)."""

from __future__ import annotations

import pytest

from tests.search.test_api import EVERYWHERE, IN_DRAMMEN, IN_KONGSBERG, _ids, _named


def test_a_diagnosis_group_finds_the_offers_linked_to_it(api, standard):
    assert _ids(api, "diagnosis_group=adhd") == _named(standard, "foreldrekurs", "kongsberg_ppt")
    assert _ids(api, "diagnosis_group=language_learning") == _named(standard, "kongsberg_ppt")
    assert _ids(api, "diagnosis_group=autism") == set()
    # Values of one facet are alternatives; filters combine with AND.
    both = "diagnosis_group=autism&diagnosis_group=language_learning"
    assert _ids(api, both) == _named(standard, "kongsberg_ppt")
    assert _ids(api, "diagnosis_group=adhd&municipality=3301") == _named(standard, "foreldrekurs")
    assert _ids(api, "diagnosis_group=adhd&level=3") == _named(standard, "kongsberg_ppt")


def test_the_diagnosis_group_facet_counts_with_its_own_filter_lifted(api):
    body = api.get("/api/v1/offers?diagnosis_group=language_learning&lang=en").get_json()
    assert body["total"] == 1
    facet = {v["code"]: (v["count"], v["chosen"]) for v in body["facets"]["diagnosis_group"]}
    assert facet == {"adhd": (2, False), "language_learning": (1, True)}
    labels = [v["label"] for v in body["facets"]["diagnosis_group"]]
    assert labels[0] == "ADHD / hyperkinetic disorders"
    # The other facets are counted within the chosen diagnosis group.
    levels = {v["code"]: v["count"] for v in body["facets"]["level"]}
    assert levels == {"1": 0, "2": 0, "3": 1}
    drammen = api.get("/api/v1/offers?municipality=3301").get_json()["facets"]
    assert {v["code"]: v["count"] for v in drammen["diagnosis_group"]} == {"adhd": 1}


def test_a_summary_lists_the_offers_diagnosis_groups(api, standard):
    body = api.get(f"/api/v1/offers/{standard.ids['kongsberg_ppt']}").get_json()
    assert body["summary"]["diagnosis_groups"] == ["adhd", "language_learning"]
    other = api.get(f"/api/v1/offers/{standard.ids['leksehjelp']}").get_json()
    assert other["summary"]["diagnosis_groups"] == []


def test_a_region_finds_what_is_available_in_any_of_its_counties(api, standard):
    # Bufetat region sør: Buskerud (33) with Vestfold, Telemark and Agder, where nothing else
    # is published; Helse Sør-Øst holds the same counties and more.
    buskerud = _named(standard, *(IN_DRAMMEN | IN_KONGSBERG))
    assert _ids(api, "region=bufetat-sor") == buskerud
    assert _ids(api, "region=helse-sor-ost") == buskerud
    # Helse Vest: Rogaland and Vestland.
    assert _ids(api, "region=helse-vest") == _named(standard, "vestland", *EVERYWHERE)
    assert _ids(api, "region=bufetat-nord") == _named(standard, *EVERYWHERE)
    assert _ids(api, "region=bufetat-sor&level=3") == _named(standard, "kongsberg_ppt", "bufetat")


@pytest.mark.parametrize(
    ("path", "unknown"),
    [
        ("/api/v1/offers?diagnosis_grop=adhd", "diagnosis_grop"),
        ("/api/v1/offers?municipality=3301&kommune=3301", "kommune"),
        ("/api/v1/offers?q=barn&Level=2", "Level"),
        ("/api/v1/offers/{id}?lang=nn&format=xml", "format"),
    ],
)
def test_an_unknown_parameter_is_a_400_naming_it(api, standard, path, unknown):
    answer = api.get(path.format(id=standard.ids["kongsberg_ppt"]))
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert body["errors"]["query"] == {unknown: ["Unknown field."]}
    assert body["message"] == (
        "The address holds a parameter this operation does not know or a value it cannot use; "
        "see errors.query."
    )


def test_the_refusal_speaks_the_language_asked_for(api):
    body = api.get("/api/v1/offers?kommune=3301", headers={"Accept-Language": "nb"}).get_json()
    assert body["code"] == 400
    assert body["errors"]["query"]["kommune"] == ["Dette feltet hører ikke til skjemaet."]
    assert body["message"].startswith("Adressen har en parameter denne operasjonen ikke kjenner")


def test_the_site_ignores_parameters_it_does_not_know(api, standard):
    page = api.get("/sok?municipality=3303&utm_source=kommune", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "PP-tjenesten i Kongsberg" in page.get_data(as_text=True)
    assert len(_ids(api, "municipality=3303")) == len(IN_KONGSBERG)


def test_the_openapi_documents_the_new_parameters_and_the_400(api):
    spec = api.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/offers"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"diagnosis_group", "region"} <= names
    assert "400" in operation["responses"]
    assert "400" in spec["paths"]["/api/v1/offers/{offer_id}"]["get"]["responses"]
