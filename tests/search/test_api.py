"""``/api/v1/offers`` over the standard federation: coverage decides where an offer appears,
Norwegian words match in their forms, filters and facets agree, pages are stable, bad input
gets a 400 naming the parameter (unknown parameters: tests/search/test_api_filters.py)."""

from __future__ import annotations

import pytest

from shared.areas import reference_data


def _ids(api, query: str) -> set[str]:
    answer = api.get(f"/api/v1/offers?per_page=100&{query}")
    assert answer.status_code == 200, answer.get_json()
    return {item["id"] for item in answer.get_json()["items"]}


def _names(api, query: str) -> list[str]:
    return [i["name"] for i in api.get(f"/api/v1/offers?per_page=100&{query}").get_json()["items"]]


# What each of the standard federation's offers covers, written out by hand.
EVERYWHERE = {"bufetat", "leksehjelp"}
BUSKERUD = {"ungdomslos", "familievern"}  # the county, and Bufetat region sør (incl. 33)
IN_DRAMMEN = {"helsestasjon", "foreldrekurs", "sorggruppe", "besokshjem"} | BUSKERUD | EVERYWHERE
IN_KONGSBERG = {"kongsberg_ppt", "besokshjem"} | BUSKERUD | EVERYWHERE


def _named(standard, *names: str) -> set[str]:
    return {standard.ids[n] for n in names}


def test_a_municipality_sees_its_own_and_every_offer_that_covers_it(api, standard):
    assert _ids(api, "municipality=3301") == _named(standard, *IN_DRAMMEN)
    assert _ids(api, "municipality=3303") == _named(standard, *IN_KONGSBERG)
    # Bergen lies in Vestland: the county's own offer and the national ones.
    assert _ids(api, "municipality=4601") == _named(standard, "vestland", *EVERYWHERE)
    # Oslo: only the national offers (Bufetat region sør does not cover Oslo).
    assert _ids(api, "municipality=0301") == _named(standard, *EVERYWHERE)


def test_a_county_offer_is_found_in_each_of_its_municipalities_and_nowhere_else(api, standard):
    areas = reference_data()
    county_offer = standard.ids["ungdomslos"]
    for code, area in areas.areas.items():
        if area.kind.value != "municipality" or code[:2] not in {"33", "03", "46", "18"}:
            continue
        assert (county_offer in _ids(api, f"municipality={code}")) == (code[:2] == "33"), code


def test_a_region_offer_reaches_the_municipalities_of_its_counties(api, standard):
    region = reference_data().region_counties["bufetat-sor"]
    familievern = standard.ids["familievern"]
    for county in ("33", "39", "40", "42", "03"):
        municipality = next(
            c
            for c, a in reference_data().areas.items()
            if a.kind.value == "municipality" and a.county_code == county
        )
        assert (familievern in _ids(api, f"municipality={municipality}")) == (county in region)


def test_a_county_search_finds_everything_available_in_the_county(api, standard):
    in_buskerud = IN_DRAMMEN | IN_KONGSBERG
    assert _ids(api, "county=33") == _named(standard, *in_buskerud)
    assert _ids(api, "county=46") == _named(standard, "vestland", *EVERYWHERE)


def test_source_is_told_from_the_municipality_searched(api, standard):
    items = api.get("/api/v1/offers?municipality=3301&per_page=100").get_json()["items"]
    source = {i["name"]: i["source"] for i in items}
    assert source["Helsestasjon for ungdom"] == "own_municipality"
    assert source["Ungdomslos"] == "county"
    assert source["Familievernkontoret"] == "region"
    assert source["Barnevernets akuttberedskap"] == "state"
    assert source["Leksehjelp for alle"] == "voluntary"
    in_kongsberg = api.get("/api/v1/offers?municipality=3303&per_page=100").get_json()["items"]
    assert {i["name"]: i["source"] for i in in_kongsberg}["PP-tjenesten i Kongsberg"] == (
        "own_municipality"
    )


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("helsestasjonen", {"helsestasjon"}),  # the definite form finds the bare one
        ("samtalene", {"helsestasjon", "sorggruppe"}),  # "Samtaler", "Samtalegruppe"
        ("foreldre", {"foreldrekurs", "familievern"}),  # prefix: "foreldrene", "foreldrekurs"
        ("sorg", {"sorggruppe"}),  # prefix of the compound "sorggruppe"
        ("akuttberedskapen", {"bufetat"}),
        ("besokshjem", {"besokshjem"}),  # without ø
        ("Besøkshjem", {"besokshjem"}),
        ("lærevansker", {"kongsberg_ppt"}),
        ("LAEREVANSKER", {"kongsberg_ppt"}),  # æ typed as ae, any case
        # Through the risk-group label "Barn utsatt for eller som utøver mobbing".
        ("mobbing", {"helsestasjon", "vestland", "leksehjelp", "besokshjem"}),
        ("mobbing akutt", set()),
        ("samlivsbrudd mekling", {"familievern"}),  # every word must match
        ("og for i", None),  # only stop words: no text filter at all
    ],
)
def test_norwegian_words_match_in_their_forms(api, standard, words, expected):
    found = _ids(api, f"q={words}")
    if expected is None:
        assert found == _ids(api, "")
    else:
        assert found == _named(standard, *expected)


def test_the_name_weighs_more_than_the_description(api, standard):
    # "helsestasjon" is the name of one offer and only words in another's keywords.
    names = _names(api, "q=akutt")
    assert names[0] == "Barnevernets akuttberedskap"
    ranked = _names(api, "q=foreldre")
    assert ranked == ["Foreldrekurs: De utrolige årene", "Familievernkontoret"]


def test_without_words_offers_come_in_norwegian_alphabetical_order(api):
    names = _names(api, "municipality=3301")
    assert names == sorted(names, key=lambda n: n.lower().translate({ord("ø"): "{"}))
    assert names[0] == "Barnevernets akuttberedskap"


def test_filters_combine_and_values_of_one_facet_are_alternatives(api, standard):
    assert _ids(api, "municipality=3301&level=3") == _named(standard, "bufetat")
    assert _ids(api, "municipality=3301&level=1&level=3") == _named(
        standard, "helsestasjon", "besokshjem", "bufetat", "leksehjelp"
    )
    assert _ids(api, "municipality=3301&risk_group=trauma") == _named(standard, "sorggruppe")
    assert _ids(api, "municipality=3301&provider_kind=voluntary") == _named(
        standard, "leksehjelp", "besokshjem"
    )
    assert _ids(api, "free=false") == _named(standard, "foreldrekurs")
    assert _ids(api, "statutory=true") == _named(standard, "helsestasjon")
    assert _ids(api, "language=ara") == _named(standard, "kongsberg_ppt")
    assert _ids(api, "audience=parents&municipality=3303") == _named(standard, "familievern")
    assert _ids(api, "organisation=910000101") == _named(standard, "besokshjem")


def test_age_lies_within_the_offers_range(api, standard):
    assert _ids(api, "municipality=3301&age=2") == _named(standard, "familievern", "bufetat")
    assert _ids(api, "municipality=3301&age=20") == _named(standard, "helsestasjon", "ungdomslos")
    assert _ids(api, "municipality=3301&age=21") == _named(standard, "ungdomslos")


def test_facets_count_with_their_own_filter_lifted(api):
    answer = api.get("/api/v1/offers?municipality=3301&level=2").get_json()
    assert answer["total"] == 4
    levels = {v["code"]: (v["count"], v["chosen"]) for v in answer["facets"]["level"]}
    # With level 2 chosen, the level counts are still those of all of Drammen.
    assert levels == {"1": (3, False), "2": (4, True), "3": (1, False)}
    kinds = {v["code"]: v["count"] for v in answer["facets"]["provider_kind"]}
    assert kinds == {"municipality": 2, "county": 1, "region": 1, "state": 0, "voluntary": 0}
    risk = {v["code"]: v["count"] for v in answer["facets"]["risk_group"]}
    assert risk == {"peer_difficulties": 1, "trauma": 1, "school_absence": 1, "parental_breakup": 1}
    assert [v["label"] for v in answer["facets"]["level"]][0] == "Tilbud til alle"
    english = api.get("/api/v1/offers?municipality=3301&lang=en").get_json()
    assert english["facets"]["level"][2]["label"] == "Help and treatment offers"


def test_pages_are_stable_and_complete(api):
    whole = _names(api, "municipality=3301")
    pages = []
    for page in range(1, 4):
        answer = api.get(f"/api/v1/offers?municipality=3301&per_page=3&page={page}").get_json()
        assert (answer["total"], answer["pages"], answer["page"]) == (8, 3, page)
        pages.extend(i["name"] for i in answer["items"])
    assert pages == whole and len(set(pages)) == 8
    beyond = api.get("/api/v1/offers?municipality=3301&per_page=3&page=4").get_json()
    assert beyond["items"] == [] and beyond["total"] == 8


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("municipality=9999", "municipality"),
        ("municipality=33", "municipality"),
        ("county=3301", "county"),
        ("level=4", "level"),
        ("level=x", "level"),
        ("risk_group=nope", "risk_group"),
        ("age=-1", "age"),
        ("age=26", "age"),
        ("per_page=101", "per_page"),
        ("page=0", "page"),
        ("page=101&per_page=100", "page"),  # deeper than the first 10,000
        ("free=maybe", "free"),
        ("lang=de", "lang"),
        ("q=" + "x" * 201, "q"),
        ("organisation=12", "organisation"),
        ("region=33", "region"),
        ("region=bufetat", "region"),
        ("diagnosis_group=nope", "diagnosis_group"),
    ],
)
def test_bad_parameters_get_a_400_naming_them(api, query, field):
    answer = api.get(f"/api/v1/offers?{query}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert field in body["errors"]["query"]


def test_one_offer_with_its_published_document(api, standard):
    offer_id = standard.ids["familievern"]
    answer = api.get(f"/api/v1/offers/{offer_id}?lang=nn")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["id"] == offer_id and body["node"] == "fylke"
    assert body["document"]["coverage"] == ["bufetat-sor"]
    assert body["summary"]["coverage"] == [{"code": "bufetat-sor", "name": "Bufetat, region sør"}]
    assert body["summary"]["links"]["source"] == body["document"]["uri"]
    assert body["summary"]["level"]["label"] == "Tilbod til dei som treng meir støtte"
    gone = api.get(f"/api/v1/offers/{standard.ids['nedlagt']}")
    assert gone.status_code == 404 and gone.get_json()["code"] == 404


def test_service_documents_itself(api, standard):
    from openapi_spec_validator import validate

    spec = api.get("/openapi.json").get_json()
    validate(spec)
    assert {"/api/v1/offers", "/api/v1/offers/{offer_id}", "/healthz"} <= set(spec["paths"])
    assert api.get("/docs").status_code == 200
    health = api.get("/healthz").get_json()
    assert health == {"status": "ok", "checks": {"database": "ok", "bus": "ok"}}
    metrics = api.get("/metrics").get_data(as_text=True)
    assert "nettungen_search_indexed_offers 10.0" in metrics
    assert "nettungen_ingest_nodes 3.0" in metrics
    assert "nettungen_ingest_rejected_events 0.0" in metrics
