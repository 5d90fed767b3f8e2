"""The public site's front page and search: municipalities, words, facets with counts, where
each offer comes from, pages, the way out of an empty search, and bad addresses."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from services.search.site import pages
from shared.text import sort_key
from tests.search.html import get_page, result_names

IN_DRAMMEN = {
    "Helsestasjon for ungdom",
    "Foreldrekurs: De utrolige årene",
    "Sorggruppe for barn",
    "Ungdomslos",
    "Familievernkontoret",
    "Barnevernets akuttberedskap",
    "Leksehjelp for alle",
    "Besøkshjem for barn",
}


@pytest.fixture
def site(standard):  # type: ignore[no-untyped-def]
    return standard.app.test_client()


def test_front_page_offers_every_municipality_grouped_by_county(site):
    _, page = get_page(site, "/")
    select = page.find("select", name="municipality")
    label = page.find("label", for_=select["id"])
    assert label.text() == "Kommune"
    groups = select.find_all("optgroup")
    assert len(groups) == 15
    codes = [o["value"] for o in select.find_all("option") if o["value"]]
    assert len(codes) == len(set(codes)) == 357
    # Each municipality sits under its own county.
    drammen = select.find("option", value="3301")
    assert drammen.text() == "Drammen" and drammen.parent["label"] == "Buskerud"
    assert select.find("option", value="4601").parent["label"] == "Vestland"
    # The same places as links, for reading and for browsing without the list.
    links = {a["href"] for a in page.find_all("a") if a["href"].startswith("/kommune/")}
    assert links == {f"/kommune/{code}" for code in codes}
    assert len(page.find_all("details", class_="county")) == 15
    form = select.ancestor("form")
    assert form["action"] == "/sok" and form["method"] == "get"
    assert form.find("input", name="q", type="search")
    text = page.text()
    assert "10 tilbud er publisert i Nettungen nå." in text
    for level in ("Tilbud til alle", "Tilbud til de som trenger mer støtte", "Hjelpetilbud"):
        assert level in text


def test_search_in_a_municipality_says_where_each_offer_comes_from(site):
    _, page = get_page(site, "/sok?municipality=3301&lang=en")
    assert page.find("h1").text() == "Offers in Drammen"
    assert set(result_names(page)) == IN_DRAMMEN
    assert "8 offers found." in page.find(role="status").text()
    sources = {
        li.find("h3").text(): li.find("span", class_="source").text()
        for li in page.find_all("li", class_="result")
    }
    assert sources["Helsestasjon for ungdom"] == "The municipality's own offer:"
    assert sources["Ungdomslos"] == "From the county:"
    assert sources["Familievernkontoret"] == "From a region:"
    assert sources["Barnevernets akuttberedskap"] == "From the state:"
    assert sources["Besøkshjem for barn"] == "From a voluntary or private organisation:"
    # Without a municipality, a municipality's offer is just a municipality's.
    _, everywhere = get_page(site, "/sok?lang=en")
    assert len(result_names(everywhere)) == 10
    kongsberg = next(
        li for li in everywhere.find_all("li", class_="result") if "PP-tjenesten" in li.text()
    )
    assert kongsberg.find("span", class_="source").text() == "From a municipality:"
    # Seen from Kongsberg, Kongsberg's own offer is its own.
    _, there = get_page(site, "/sok?municipality=3303&q=pedagogisk&lang=en")
    assert result_names(there) == ["PP-tjenesten i Kongsberg"]
    assert there.find("span", class_="source").text() == "The municipality's own offer:"


def test_source_relative_to_the_municipality(standard):
    from services.search.index.models import IndexedOffer
    from services.search.site.labels import source_text

    def offer(kind: str, home: str) -> IndexedOffer:
        return IndexedOffer(provider_kind=kind, provider_home_area=home)

    with standard.app.test_request_context("/?lang=en"):
        standard.app.preprocess_request()
        assert source_text(offer("municipality", "3301"), "3303") == "From another municipality"
        assert source_text(offer("municipality", "3301"), "3301") == "The municipality's own offer"
        assert source_text(offer("county", "33"), "3303") == "From the county"
        assert source_text(offer("county", "46"), "3303") == "From a county"
        assert source_text(offer("county", "33"), None) == "From a county"


def _checkbox(page, facet, code):  # type: ignore[no-untyped-def]
    box = page.find("input", type="checkbox", name=facet, value=code)
    count = page.find("label", for_=box["id"]).find("span", class_="count").text()
    return "checked" in box.attrs, int(count.strip("()"))


def test_facet_counts_match_the_api_and_lift_their_own_filter(site):
    _, page = get_page(site, "/sok?municipality=3301&level=2")
    assert set(result_names(page)) == {
        "Foreldrekurs: De utrolige årene",
        "Sorggruppe for barn",
        "Ungdomslos",
        "Familievernkontoret",
    }
    # Level's own counts are those of Drammen without the level filter.
    assert _checkbox(page, "level", "1") == (False, 3)
    assert _checkbox(page, "level", "2") == (True, 4)
    assert _checkbox(page, "level", "3") == (False, 1)
    api = site.get("/api/v1/offers?municipality=3301&level=2").get_json()
    facets = ("level", "category", "provider_kind", "risk_group", "diagnosis_group", "audience")
    for facet in (*facets, "language"):
        for value in api["facets"][facet]:
            assert _checkbox(page, facet, value["code"]) == (value["chosen"], value["count"])
    for param, facet in (("free", "free_of_charge"), ("statutory", "statutory")):
        for value in api["facets"][facet]:
            radio = page.find("input", type="radio", name=param, value=value["code"])
            label = page.find("label", for_=radio["id"]).text()
            assert label.endswith(f"({value['count']})")
    # Two values of one facet are alternatives.
    _, both = get_page(site, "/sok?municipality=3301&level=2&level=3")
    assert len(result_names(both)) == 5


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("free=false", {"Foreldrekurs: De utrolige årene"}),
        ("statutory=true", {"Helsestasjon for ungdom"}),
        ("age=20&municipality=3301", {"Helsestasjon for ungdom", "Ungdomslos"}),
        ("risk_group=trauma", {"Sorggruppe for barn"}),
        ("audience=families", {"Familievernkontoret"}),
        ("language=ara", {"PP-tjenesten i Kongsberg"}),
        ("provider_kind=region", {"Familievernkontoret"}),
        ("category=voluntary_club", {"Besøkshjem for barn"}),
        ("diagnosis_group=adhd", {"Foreldrekurs: De utrolige årene", "PP-tjenesten i Kongsberg"}),
        ("diagnosis_group=language_learning&level=3", {"PP-tjenesten i Kongsberg"}),
        (
            "region=helse-vest",
            {
                "Barnevernets akuttberedskap",
                "Leksehjelp for alle",
                "Skolehelsetjenesten i Vestland",
            },
        ),
        (
            "county=46",
            {
                "Barnevernets akuttberedskap",
                "Leksehjelp for alle",
                "Skolehelsetjenesten i Vestland",
            },
        ),
        (
            "organisation=910000012",
            {"Helsestasjon for ungdom", "Foreldrekurs: De utrolige årene", "Sorggruppe for barn"},
        ),
    ],
)
def test_each_filter_narrows_the_results(site, query, expected):
    _, page = get_page(site, f"/sok?{query}")
    assert set(result_names(page)) == expected


def test_chosen_filters_show_and_each_can_be_removed(site):
    _, page = get_page(site, "/sok?municipality=3301&level=2&free=true&organisation=910000012")
    chosen = {a.text(): a["href"] for a in page.find("ul", class_="chosen").find_all("a")}
    removal = {
        text.removeprefix("Fjern: ").rstrip(" ✕"): href
        for text, href in chosen.items()
        if text.startswith("Fjern: ")
    }
    assert len(removal) == 4
    assert removal["Organisasjon: Drammen kommune"] == "/sok?municipality=3301&level=2&free=true"
    assert removal["Nivå i pyramiden: Tilbud til de som trenger mer støtte"] == (
        "/sok?municipality=3301&organisation=910000012&free=true"
    )
    assert removal["Gratis: Ja"] == "/sok?municipality=3301&organisation=910000012&level=2"
    assert chosen["Fjern alle valg"] == "/sok"
    # The organisation, not in the form's fields, travels with it.
    form = page.find("form", id="search-form")
    assert form.find("input", type="hidden", name="organisation")["value"] == "910000012"


def test_words_find_by_relevance(site):
    _, page = get_page(site, "/sok?q=foreldre&lang=en")
    names = result_names(page)
    # The name holds the word: first. Others hold it in their description or labels.
    assert names[0] == "Foreldrekurs: De utrolige årene"
    assert "Familievernkontoret" in names
    assert "Most relevant first." in page.find(role="status").text()
    assert page.find("input", name="q")["value"] == "foreldre"
    assert page.find("title").text().startswith(f"{len(names)} offers for “foreldre”")


def test_pages_are_stable_and_complete(site, monkeypatch):
    monkeypatch.setattr(pages, "PER_PAGE", 3)
    seen: list[str] = []
    for number in range(1, 5):
        _, page = get_page(site, f"/sok?page={number}&lang=en")
        names = result_names(page)
        assert len(names) == (3 if number < 4 else 1)
        seen += names
        pager = page.find("nav", class_="pagination")
        current = pager.find("a", aria_current="page")
        assert current.text() == f"Page {number}"
        assert page.find("ol", class_="results")["start"] == str(3 * (number - 1) + 1)
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen, key=sort_key)
    _, first = get_page(site, "/sok?lang=en")
    next_link = first.find("a", rel="next")["href"]
    assert dict(parse_qsl(urlsplit(next_link).query)) == {"page": "2"}
    assert "Showing 1 to 3, page 1 of 4." in first.find(role="status").text()
    _, beyond = get_page(site, "/sok?page=9&lang=en", status=404)
    assert beyond.find("h1").text() == "No such page of results"
    assert beyond.find("a", href="/sok?page=4").text() == "Go to the last page"


def test_an_empty_result_suggests_what_to_remove(site):
    _, page = get_page(site, "/sok?municipality=3301&level=1&risk_group=trauma&lang=en")
    assert result_names(page) == []
    assert "0 offers found." in page.find(role="status").text()
    help_box = page.find("div", class_="notice")
    suggestions = {a.text(): a["href"] for a in help_box.find_all("a")}
    without_risk = "/sok?municipality=3301&level=1"
    assert (
        suggestions["Remove “Risk group: Children exposed to trauma (loss, accident)”"]
        == without_risk
    )
    assert "3 offers" in help_box.text()
    assert suggestions["Start again with every offer"] == "/sok"
    _, wider = get_page(site, without_risk)
    assert len(result_names(wider)) == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("municipality=9999", "Kommune"),
        ("municipality=33", "Kommune"),
        ("county=3301", "Fylke"),
        ("organisation=12", "Organisasjon"),
        ("level=7", "Nivå i pyramiden"),
        ("level=x", "Nivå i pyramiden"),
        ("category=sports", "Kategori"),
        ("provider_kind=church", "Tilbyder"),
        ("risk_group=nope", "Risikogruppe"),
        ("audience=cats", "Målgruppe"),
        ("language=xx", "Språk"),
        ("age=-1", "Alder"),
        ("age=99999999999999999999999", "Alder"),
        ("age=ten", "Alder"),
        ("free=maybe", "Gratis"),
        ("statutory=2", "Lovpålagt"),
        ("page=0", "Side"),
        ("page=abc", "Side"),
        ("q=" + "ord " * 60, "Søkeord"),
    ],
)
def test_bad_parameters_get_a_page_that_names_them(site, query, field):
    _, page = get_page(site, f"/sok?{query}", status=400)
    assert page.find("h1").text() == "Søket kunne ikke gjøres"
    problems = page.find("div", role="alert")
    assert problems.find("dt").text().startswith(field)
    assert problems.find("dd").text()


def test_a_bad_parameter_is_explained_in_the_page_language_and_the_rest_kept(site):
    _, page = get_page(site, "/sok?municipality=9999&level=7&level=2&q=barn&lang=nn", status=400)
    assert page.find("html")["lang"] == "nn"
    text = page.find("div", role="alert").text()
    assert "2 delar av søkjeadressa kan ikkje brukast:" in text
    assert "Dette er ikkje nummeret til ein kommune i dagens inndeling." in text
    assert "du skreiv «9999»" in text and "du skreiv «7»" in text
    onwards = page.find("a", href="/sok?q=barn&level=2")
    assert onwards.text() == "Søk utan det som ikkje kan brukast"
    _, english = get_page(site, "/sok?age=old&lang=en", status=400)
    assert "Write the age as a whole number of years, from 0 to 25." in english.text()


def test_a_repeated_value_is_one_choice(site):
    _, page = get_page(site, "/sok?level=2&level=2&municipality=3301")
    links = [a["href"] for a in page.find("ul", class_="chosen").find_all("a")]
    # Municipality, level 2 (once), and "remove all".
    assert links == ["/sok?level=2", "/sok?municipality=3301", "/sok"]


def test_empty_form_fields_mean_not_chosen(site):
    _, page = get_page(site, "/sok?q=&municipality=&age=&free=&statutory=&lang=en")
    assert len(result_names(page)) == 10
    assert "checked" in page.find("input", type="radio", name="free", value="").attrs
