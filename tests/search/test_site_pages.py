"""The public site's offer page, the overviews of a municipality, a county and an
organisation, pages that are not there, and the languages every page speaks."""

from __future__ import annotations

import pytest

from tests.search.html import Element, get_page, result_names


@pytest.fixture
def site(standard):  # type: ignore[no-untyped-def]
    return standard.app.test_client()


def _facts(page: Element, section: str) -> dict[str, str]:
    """The facts (``dt`` → ``dd``) of one section of the offer page."""
    dl = page.find("section", aria_labelledby=section).find("dl")
    return {
        dt.text(): dd.text() for dt, dd in zip(dl.find_all("dt"), dl.find_all("dd"), strict=True)
    }


def test_offer_page_tells_a_family_what_it_needs(site, standard):
    offer_id = standard.ids["helsestasjon"]
    _, page = get_page(site, f"/tilbud/{offer_id}?lang=en")
    assert page.find("h1").text() == "Helsestasjon for ungdom"
    assert page.find("title").text() == "Helsestasjon for ungdom – Drammen kommune – Nettungen"
    assert "Samtaler om kropp" in page.find("p", class_="lead").text()
    who = _facts(page, "for-whom")
    assert who["Age"] == "Ages 13–20"
    assert who["Target group"] == "Youth"
    assert who["Risk groups"] == "Children exposed to or practising bullying"
    assert who["Level in the pyramid"] == "Level 1: Offers for all children and youth"
    where = page.find("section", aria_labelledby="where")
    assert where.find("a", href="/kommune/3301").text() == "Drammen"
    assert "Helsehuset, Gamle Kirkeplass 7, 3019 Drammen" in where.text()
    assert page.find("section", aria_labelledby="when").text().endswith("Mandag og torsdag 14–17.")
    how = _facts(page, "how")
    assert how["Cost"] == "Free"
    assert how["Languages"] == "Norwegian (Bokmål), English"
    assert how["Statutory"].startswith(
        "Child health centre service (helse- og omsorgstjenesteloven"
    )
    assert "Open to all." in page.find("section", aria_labelledby="how").text()
    contact = _facts(page, "contact")
    assert contact == {
        "Name": "Helsestasjonen",
        "Phone": "32 04 00 00",
        "E-mail": "hfu@example.org",
        "Web site": "https://www.example.org/hfu",
    }
    assert page.find("a", href="tel:32040000")
    about = _facts(page, "about-offer")
    assert about["Provider"] == "Drammen kommune (organisation number 910000012)"
    assert about["Last reviewed"] == "Not reviewed yet"
    assert about["Published"].endswith("(version 1)")
    assert about["Kept up to date by"] == "Leder for helsestasjonen"


def test_offer_page_links_to_its_source_and_machine_readable_forms(site, standard):
    offer_id = standard.ids["familievern"]
    _, page = get_page(site, f"/tilbud/{offer_id}")
    links = page.find("nav", aria_labelledby="other-forms")
    hrefs = [a["href"] for a in links.find_all("a")]
    uri = site.get(f"/api/v1/offers/{offer_id}").get_json()["document"]["uri"]
    assert uri.startswith("https://fylke.node.test/offers/")
    assert hrefs == [
        uri,
        f"/api/v1/offers/{offer_id}",
        f"/hsds/services/{offer_id}",
    ]
    as_json = site.get(hrefs[1]).get_json()
    assert as_json["id"] == offer_id and as_json["summary"]["name"] == "Familievernkontoret"
    # A region's coverage is named, not linked: it has no page of its own.
    assert "Bufetat, region sør" in page.find("section", aria_labelledby="where").text()


def test_offer_page_for_referral_paid_and_revised_offers(site, standard):
    _, ppt = get_page(site, f"/tilbud/{standard.ids['kongsberg_ppt']}?lang=en")
    how = ppt.find("section", aria_labelledby="how").text()
    assert "Referral needed." in how and "You need a referral" in how
    assert _facts(ppt, "how")["Languages"] == "Norwegian (Bokmål), Arabic"
    _, course = get_page(site, f"/tilbud/{standard.ids['foreldrekurs']}?lang=en")
    assert _facts(course, "how")["Cost"] == "500 kroner."
    assert _facts(course, "how")["Statutory"] == "No statutory duty is given."
    _, grief = get_page(site, f"/tilbud/{standard.ids['sorggruppe']}?lang=en")
    assert grief.find("p", class_="lead").text() == "Samtalegruppe for barn i sorg etter dødsfall."
    assert _facts(grief, "about-offer")["Published"].endswith("(version 2)")


def test_offer_page_seen_from_a_municipality(site, standard):
    offer_id = standard.ids["ungdomslos"]
    _, page = get_page(site, f"/tilbud/{offer_id}?municipality=3303&lang=en")
    assert page.find("span", class_="source").text() == "From the county (seen from Kongsberg):"
    _, plain = get_page(site, f"/tilbud/{offer_id}?municipality=nowhere&lang=en")
    assert plain.find("span", class_="source").text() == "From a county:"


@pytest.mark.parametrize("which", ["withdrawn", "unknown"])
def test_withdrawn_or_unknown_offer_is_not_found(site, standard, which):
    offer_id = standard.ids["nedlagt"] if which == "withdrawn" else "no-such-offer"
    _, page = get_page(site, f"/tilbud/{offer_id}?lang=en", status=404)
    assert page.find("h1").text() == "Page not found"
    assert "No offer with this address is published now." in page.text()
    assert page.find("main").find("a", href="/sok").text() == "Search every offer"


def _level_sections(page: Element) -> list[tuple[str, list[str]]]:
    return [
        (section.find("h2").text(), result_names(section))
        for section in page.find_all("section", class_="level-section")
    ]


def _source_table(page: Element) -> dict[str, list[int]]:
    rows = page.find("table").find("tbody").find_all("tr")
    return {row.find("th").text(): [int(td.text()) for td in row.find_all("td")] for row in rows}


def test_municipality_overview_by_level_and_source(site):
    _, page = get_page(site, "/kommune/3301?lang=en")
    assert page.find("h1").text() == "Offers in Drammen"
    sections = _level_sections(page)
    assert [heading for heading, _ in sections] == [
        "Level 3: Help and treatment offers (1 offer)",
        "Level 2: Offers for those who need more support (4 offers)",
        "Level 1: Offers for all children and youth (3 offers)",
    ]
    assert sections[0][1] == ["Barnevernets akuttberedskap"]
    assert set(sections[2][1]) == {
        "Besøkshjem for barn",
        "Helsestasjon for ungdom",
        "Leksehjelp for alle",
    }
    # Columns: level 1, 2, 3, in all.
    assert _source_table(page) == {
        "The municipality itself": [1, 2, 0, 3],
        "Other municipalities": [0, 0, 0, 0],
        "The county": [0, 1, 0, 1],
        "Regions": [0, 1, 0, 1],
        "The state": [0, 0, 1, 1],
        "Voluntary and private organisations": [2, 0, 0, 2],
    }
    pyramid = page.find("ol", class_="pyramid")
    assert [li["class"] for li in pyramid.find_all("li")] == ["level-3", "level-2", "level-1"]
    assert page.find("input", type="hidden", name="municipality")["value"] == "3301"
    assert page.find("a", href="/fylke/33")


def test_overview_lists_a_level_in_part_and_links_to_the_rest(site, monkeypatch):
    from services.search.site import overview

    monkeypatch.setattr(overview, "LISTED_PER_LEVEL", 2)
    _, page = get_page(site, "/kommune/3301?lang=en")
    level_2 = page.find("section", aria_labelledby="level-2")
    assert len(result_names(level_2)) == 2
    more = level_2.find("a", href="/sok?municipality=3301&level=2")
    assert more.text() == "See all 4 offers at this level"


def test_county_overview(site):
    _, page = get_page(site, "/fylke/33?lang=en")
    assert page.find("h1").text() == "Offers in Buskerud"
    names = {name for _, names in _level_sections(page) for name in names}
    assert "Skolehelsetjenesten i Vestland" not in names
    assert {"PP-tjenesten i Kongsberg", "Ungdomslos", "Leksehjelp for alle"} <= names
    assert len(names) == 9
    table = _source_table(page)
    assert "The municipality itself" not in table
    assert table["Municipalities"] == [1, 2, 1, 4]
    municipalities = page.find("section", aria_labelledby="municipalities-heading")
    assert len(municipalities.find_all("a")) == 18
    assert page.find("a", href="/sok?county=33")


def test_organisation_overview(site):
    _, page = get_page(site, "/organisasjon/910000020?lang=en")
    assert page.find("h1").text() == "Offers of Buskerud fylkeskommune"
    assert page.find("a", href="/fylke/33").text() == "Buskerud"
    assert [names for _, names in _level_sections(page)] == [[], ["Ungdomslos"], []]
    assert page.find("a", href="/sok?organisation=910000020")


@pytest.mark.parametrize(
    "url",
    [
        "/kommune/9999",
        "/kommune/33",
        "/fylke/3301",
        "/fylke/NO",
        "/region/33",
        "/region/NO",
        "/region/bufetat",
        "/organisasjon/123",
        "/organisasjon/999999999",
        "/no/such/page",
    ],
)
def test_unknown_places_are_not_found(site, url):
    _, page = get_page(site, url, status=404)
    assert page.find("h1").text() == "Fant ikke siden"


def test_programs_keep_the_json_error_format(site):
    response = site.get("/no/such/page")
    assert response.status_code == 404 and response.get_json()["code"] == 404
    api = site.get("/api/v1/nothing", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.is_json


@pytest.mark.parametrize(
    ("lang", "heading", "own", "level_1"),
    [
        ("nb", "Tilbud i Drammen", "Kommunens eget tilbud:", "Tilbud til alle"),
        ("nn", "Tilbod i Drammen", "Kommunen sitt eige tilbod:", "Tilbod til alle"),
        ("en", "Offers in Drammen", "The municipality's own offer:", "Offers for all children"),
    ],
)
def test_pages_speak_the_chosen_language(site, lang, heading, own, level_1):
    response, page = get_page(site, f"/sok?municipality=3301&lang={lang}")
    assert page.find("html")["lang"] == lang
    assert response.headers["Content-Language"] == lang
    assert page.find("h1").text() == heading
    helsestasjon = next(
        li for li in page.find_all("li", class_="result") if "Helsestasjon" in li.text()
    )
    assert helsestasjon.find("span", class_="source").text() == own
    assert level_1 in page.find("label", for_="f-level-1").text()
    switcher = page.find("nav", class_="languages")
    links = {a["lang"]: a for a in switcher.find_all("a")}
    assert set(links) == {"nb", "nn", "en"}
    assert links[lang]["aria-current"] == "true"
    for code, link in links.items():
        assert link["href"] == f"/sok?municipality=3301&lang={code}"
    # The choice is remembered for the next page.
    _, front = get_page(site, "/")
    assert front.find("html")["lang"] == lang


def test_browser_language_is_honoured_without_a_choice(site):
    _, page = get_page(site, "/", **{"Accept-Language": "nn-NO,nn;q=0.9"})
    assert page.find("html")["lang"] == "nn"
    assert page.find("h1").text() == "Tilbod til born, unge og familiar"


def test_offers_own_words_are_marked_norwegian_on_english_pages(site, standard):
    offer_id = standard.ids["foreldrekurs"]
    _, english = get_page(site, f"/tilbud/{offer_id}?lang=en")
    assert english.find("h1")["lang"] == "no"
    assert english.find("p", class_="lead")["lang"] == "no"
    assert english.find("section", aria_labelledby="how").find("span", lang="no").text() == (
        "500 kroner."
    )
    _, results = get_page(site, "/sok?q=foreldrekurs&lang=en")
    assert results.find("li", class_="result").find("h3")["lang"] == "no"
    _, norwegian = get_page(site, f"/tilbud/{offer_id}?lang=nn")
    assert "lang" not in norwegian.find("h1").attrs
