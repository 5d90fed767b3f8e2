"""Region overviews (``/region/<code>``) beside those of a municipality, a county and an
organisation: what is available anywhere in a region's counties, by level and source; the
diagnosis-group filter on the site; and where regions are linked from."""

from __future__ import annotations

import pytest

from tests.search.html import Element, get_page, result_names


@pytest.fixture
def site(standard):  # type: ignore[no-untyped-def]
    return standard.app.test_client()


def _source_table(page: Element) -> dict[str, list[int]]:
    rows = page.find("table").find("tbody").find_all("tr")
    return {row.find("th").text(): [int(td.text()) for td in row.find_all("td")] for row in rows}


def _listed(page: Element) -> set[str]:
    return {
        name
        for section in page.find_all("section", class_="level-section")
        for name in result_names(section)
    }


def test_region_overview_counts_what_its_counties_have(site):
    _, page = get_page(site, "/region/bufetat-sor?lang=en")
    assert page.find("h1").text() == "Offers in Bufetat, Region South"
    assert page.find("title").text() == "Offers in Bufetat, Region South – Nettungen"
    assert page.find("p", class_="lead").text().startswith("9 offers for children, youth")
    # Buskerud is the only county of the region with offers of its own; the national ones too.
    assert _listed(page) == {
        "Helsestasjon for ungdom",
        "Foreldrekurs: De utrolige årene",
        "Sorggruppe for barn",
        "PP-tjenesten i Kongsberg",
        "Ungdomslos",
        "Familievernkontoret",
        "Barnevernets akuttberedskap",
        "Leksehjelp for alle",
        "Besøkshjem for barn",
    }
    # Columns: level 1, 2, 3, in all.
    assert _source_table(page) == {
        "Municipalities": [1, 2, 1, 4],
        "Counties": [0, 1, 0, 1],
        "Regions": [0, 1, 0, 1],
        "The state": [0, 0, 1, 1],
        "Voluntary and private organisations": [2, 0, 0, 2],
    }
    counties = page.find("section", aria_labelledby="counties-heading")
    assert [(a["href"], a.text()) for a in counties.find_all("a")] == [
        ("/fylke/42", "Agder"),
        ("/fylke/33", "Buskerud"),
        ("/fylke/40", "Telemark"),
        ("/fylke/39", "Vestfold"),
    ]
    assert page.find("a", href="/sok?region=bufetat-sor")


def test_a_region_in_the_west_and_in_nynorsk(site):
    _, page = get_page(site, "/region/helse-vest?lang=nn")
    assert page.find("h1").text() == "Tilbod i Helse Vest"
    assert _listed(page) == {
        "Skolehelsetjenesten i Vestland",
        "Barnevernets akuttberedskap",
        "Leksehjelp for alle",
    }
    counties = page.find("section", aria_labelledby="counties-heading")
    assert [a["href"] for a in counties.find_all("a")] == ["/fylke/11", "/fylke/46"]


def test_the_search_of_a_region_keeps_it(site):
    _, page = get_page(site, "/sok?region=bufetat-sor&level=3")
    assert page.find("h1").text() == "Tilbud i Bufetat, region sør"
    assert set(result_names(page)) == {"PP-tjenesten i Kongsberg", "Barnevernets akuttberedskap"}
    form = page.find("form", id="search-form")
    assert form.find("input", type="hidden", name="region")["value"] == "bufetat-sor"
    chosen = [a.text() for a in page.find("ul", class_="chosen").find_all("a")]
    assert "Fjern: Region: Bufetat, region sør ✕" in chosen


def test_regions_are_linked_from_the_front_page_counties_offers_and_providers(site, standard):
    _, front = get_page(site, "/")
    regions = front.find("section", aria_labelledby="regions-heading")
    links = {a["href"]: a.text() for a in regions.find_all("a")}
    assert len(links) == 19
    assert links["/region/helse-nord"] == "Helse Nord"
    _, county = get_page(site, "/fylke/33?lang=en")
    belongs = county.find("section", aria_labelledby="regions-heading")
    assert [a["href"] for a in belongs.find_all("a")] == [
        "/region/bufetat-sor",
        "/region/helse-sor-ost",
        "/region/sf-ostfold-buskerud-oslo-akershus",
    ]
    _, offer = get_page(site, f"/tilbud/{standard.ids['familievern']}?lang=nb")
    where = offer.find("section", aria_labelledby="where")
    assert where.find("a", href="/region/bufetat-sor").text() == "Bufetat, region sør"
    _, provider = get_page(site, "/organisasjon/910000098?lang=nb")
    assert provider.find("a", href="/region/bufetat-sor")


def test_the_diagnosis_group_is_a_filter_with_counts(site):
    _, page = get_page(site, "/sok?diagnosis_group=adhd&lang=en")
    found = {"Foreldrekurs: De utrolige årene", "PP-tjenesten i Kongsberg"}
    assert set(result_names(page)) == found
    legends = [f.find("legend").text() for f in page.find_all("fieldset")]
    assert "Diagnosis group" in legends
    box = page.find("input", type="checkbox", name="diagnosis_group", value="adhd")
    assert "checked" in box.attrs
    label = page.find("label", for_=box["id"]).text()
    assert label == "ADHD / hyperkinetic disorders (2)"
    other = page.find("input", type="checkbox", name="diagnosis_group", value="language_learning")
    assert page.find("label", for_=other["id"]).text().endswith("(1)")
    chosen = [a.text() for a in page.find("ul", class_="chosen").find_all("a")]
    assert "Remove: Diagnosis group: ADHD / hyperkinetic disorders ✕" in chosen
    _, wrong = get_page(site, "/sok?diagnosis_group=adhd&diagnosis_group=nope&lang=nb", status=400)
    assert "Dette er ikke en av diagnosegruppene." in wrong.text()
