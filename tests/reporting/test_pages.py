"""The report pages: the same numbers as the API, every count a link to its offers, three
languages, and bad input answered with a 4xx page, never a 500."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

import services.reporting
from services.reporting.api.schemas import ARGUMENTS
from tests.reporting.conftest import MID, NOW
from tests.reporting.reading import get_report

SOURCE = Path(services.reporting.__file__).parent


class _Tables(HTMLParser):
    """Every table of a page as rows of (text, link) cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[tuple[str, str | None]]]] = []
        self._cell: list[str] | None = None
        self._link: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell, self._link = [], None
        elif tag == "a" and self._cell is not None:
            self._link = dict(attrs).get("href")
        elif (
            tag == "span"
            and self._cell is not None
            and "gap-label" in (dict(attrs).get("class") or "")
        ):
            self._cell.append("\x00")  # the end of the number

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).split("\x00")[0]
            self.tables[-1][-1].append((" ".join(text.split()), self._link))
            self._cell = None


def page_tables(html: str) -> list[list[list[tuple[str, str | None]]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("pyramid", {"area": "3301", "at": NOW}),
        ("coverage", {"area": "3301", "at": MID}),
        ("duties", {"area": "33", "at": NOW}),
        ("overlaps", {"area": "3301", "at": NOW}),
        ("quality", {"organisation": "910000012", "at": NOW}),
        ("trend", {"area": "3301", "at": NOW, "months": 4}),
        ("comparison", {"area": "3301", "other": "3303", "at": NOW}),
        ("offers", {"area": "3301", "at": NOW, "level": 1}),
    ],
)
def test_pages_show_the_numbers_of_the_api_and_link_them(api, kind, params):
    report = get_report(api, kind, **params)
    response = api.get(f"/{kind}", query_string={**params, "lang": "en"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    tables = page_tables(response.get_data(as_text=True))
    assert len(tables) == len(report["tables"])
    for table, shown in zip(report["tables"], tables, strict=True):
        assert [text for text, _ in shown[0]] == [c["label"] for c in table["columns"]]
        for row, cells in zip(table["rows"], shown[1:], strict=True):
            for cell, (text, link) in zip(row["cells"], cells, strict=True):
                value = cell["value"]
                # Whole numbers grouped in thousands, as English writes them (53,170,000).
                whole = isinstance(value, int) and not isinstance(value, bool)
                shown = f"{value:,}" if whole else value
                assert text == ("" if value is None else str(shown))
                if "offers" in cell and value:
                    # The page's link names the same offers as the API's.
                    api_query = parse_qs(urlsplit(cell["offers"]).query)
                    api_query.pop("lang", None)
                    assert link is not None and link.startswith("/offers?")
                    assert parse_qs(urlsplit(link).query) == api_query


def test_a_count_leads_to_its_offers(api):
    html = api.get(f"/pyramid?area=3301&at={NOW}&lang=en").get_data(as_text=True)
    link = re.search(r'href="(/offers\?[^"]*level=2[^"]*provider_kind=voluntary[^"]*)"', html)
    assert link is not None
    page = api.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    names = [row[0][0] for row in page_tables(page)[0][1:]]
    assert names == ["Sorggrupper for barn"]


def test_the_pyramid_is_drawn_with_level_one_at_the_base(api):
    html = api.get(f"/pyramid?area=3301&at={NOW}&lang=en").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg
    labels = re.findall(r'class="band-label">([^<]*)<', svg)
    assert labels == ["Level 3: 2", "Level 2: 4", "Level 1: 6"]
    widths = {
        kind: sum(
            float(w) for w in re.findall(rf'width="([\d.]+)"[^>]*class="segment kind-{kind}"', svg)
        )
        for kind in ("municipality", "county", "region", "state", "voluntary")
    }
    assert widths["municipality"] > widths["county"] > 0


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "nb",
            ["Tilbud per nivå og type tilbyder", "Tilbud til alle", "Kommune", "Hele rapporten"],
        ),
        ("nn", ["Tilbod per nivå og type tilbydar", "Tilbod til alle", "Heile rapporten"]),
        ("en", ["Offers per level and kind of provider", "Offers for all children and youth"]),
    ],
)
def test_pages_speak_three_languages(api, lang, words):
    response = api.get(f"/pyramid?area=3301&at={NOW}&lang={lang}")
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for word in words:
        assert word in html


def test_the_api_labels_follow_the_language_too(api):
    report = get_report(api, "pyramid", area="3301", at=NOW, lang="nn")
    assert report["tables"][0]["columns"][0]["label"] == "Nivå"
    assert report["tables"][0]["rows"][0]["cells"][1]["value"] == "Hjelpetilbod"


def extracted() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = list(
        extract_from_dir(
            str(SOURCE),
            method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords=keywords,
        )
    )
    # The node status pages reporting serves are shared with search (shared.ingest.status_web).
    found += extract_from_dir(
        str(SOURCE.parent.parent / "shared" / "templates"),
        method_map=[("**/status_*.html", "jinja2")],
        keywords=keywords,
    )
    return {message if isinstance(message, str) else message[0] for _f, _l, message, *_ in found}


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_message_is_translated(lang):
    messages = extracted()
    assert len(messages) > 100  # the extractors found the pages' text
    path = SOURCE / "site" / "translations" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale=lang)
    translated = {m.id: m.string for m in catalogue if m.id and not m.fuzzy}
    missing = sorted(m for m in messages if not translated.get(m))
    assert not missing, f"{len(missing)} messages lack a {lang} text: {missing[:10]}"


def test_the_front_page_offers_every_area_and_the_organisations_known(api):
    html = api.get("/?lang=en").get_data(as_text=True)
    assert html.count('<option value="3301"') == 3  # the area form, and both of the comparison
    assert '<option value="910000101">Røde Kors Buskerud (910000101)</option>' in html
    assert 'value="bufetat-sor"' in html and 'value="NO"' in html


@pytest.mark.parametrize(
    "path",
    [
        "/pyramid",  # neither area nor organisation
        "/pyramid?area=3301&organisation=910000012",
        "/pyramid?area=9999",
        "/pyramid?area=3301&at=2999-01-01",
        "/pyramid?area=3301&at=1999-12-31",
        "/pyramid?area=3301&at=yesterday",
        "/quality?organisation=123",
        "/quality?organisation=910000011",  # a wrong check digit
        "/trend?area=3301&months=0",
        "/trend?area=3301&months=61",
        "/overlaps?area=3301&limit=0",
        "/comparison?area=3301",
        "/offers?area=3301&level=4",
        "/offers?area=3301&risk_group=nothing",
        "/offers?area=3301&age_band=3-4",
        "/offers?area=3301&page=0",
        "/offers?area=3301&per_page=501",
    ],
)
def test_bad_input_is_a_422_page_and_a_400_in_the_api(api, path):
    page = api.get(path)
    assert page.status_code == 422
    assert page.mimetype == "text/html"
    assert "error-summary" in page.get_data(as_text=True)
    answer = api.get(f"/api/v1/reports{path}")
    assert answer.status_code == 400
    body = answer.get_json()
    assert body["code"] == 400 and body["status"] == "Bad Request"
    assert body["errors"]["query"]


@pytest.mark.parametrize(
    "path",
    [
        "/pyramid?area=3301&areas=33",
        "/pyramid.xlsx?area=3301&separator=comma",
        "/offers?area=3301&leve=2",
        "/pyramid/levels.csv?area=3301&sep=comma",
    ],
)
def test_the_api_refuses_an_unknown_parameter(api, path):
    answer = api.get(f"/api/v1/reports{path}")
    assert answer.status_code == 400
    [name] = answer.get_json()["errors"]["query"]
    assert f"&{name}=" in path


def test_a_pages_links_to_the_api_leave_out_what_the_api_refuses(api):
    page = api.get(f"/pyramid?area=3301&at={MID.isoformat()}&utm_source=mail")
    assert page.status_code == 200
    links = re.findall(r'href="(/api/v1/reports/[^"]+)"', page.get_data(as_text=True))
    assert len(links) > 3
    for link in links:
        link = html.unescape(link)
        assert "utm_source" not in link and "area=3301" in link, link
        assert api.get(link).status_code == 200, link


def test_unknown_things_are_404s(api):
    unknown = "910000136"  # a valid number that has published nothing
    for path in (f"/pyramid?organisation={unknown}", "/nothing", "/pyramid/more"):
        page = api.get(path)
        assert page.status_code == 404 and page.mimetype == "text/html"
    for path in (f"/api/v1/reports/pyramid?organisation={unknown}", "/api/v1/reports/nothing"):
        answer = api.get(path)
        assert answer.status_code == 404
        assert answer.get_json()["code"] == 404
    assert api.post("/api/v1/reports/pyramid?area=3301").status_code == 405


def test_refusals_and_field_messages_are_translated_by_code(api):
    unknown = "910000136"
    refused = f"/pyramid?organisation={unknown}"
    page = api.get(f"{refused}&lang=nb").get_data(as_text=True)
    assert f"Ingen tilbud fra organisasjonen {unknown} er publisert." in page
    page = api.get(f"{refused}&lang=en").get_data(as_text=True)
    assert f"No offer of the organisation {unknown} has been published." in page
    answer = api.get(f"/api/v1/reports{refused}")
    assert answer.get_json()["message"] == (
        f"No offer of the organisation {unknown} has been published."
    )
    answer = api.get(f"/api/v1/reports{refused}", headers={"Accept-Language": "nn"})
    assert answer.get_json()["message"] == (
        f"Ingen tilbod frå organisasjonen {unknown} er publiserte."
    )
    assert "Ukjent område: bruk et kommunenummer" in api.get("/pyramid?area=9999&lang=nb").get_data(
        as_text=True
    )
    area = "/api/v1/reports/pyramid?area=9999"
    english = api.get(area).get_json()["errors"]["query"]["area"]
    assert english == [
        "Unknown area: use a municipality number (4 digits), a county number (2 digits), "
        "a region code, or NO for the whole country."
    ]
    bokmaal = api.get(area, headers={"Accept-Language": "nb"}).get_json()["errors"]["query"]
    assert bokmaal["area"][0].startswith("Ukjent område: bruk et kommunenummer")


def test_nul_characters_are_refused(api):
    assert api.get("/api/v1/reports/pyramid?area=33%0001").status_code == 400


def test_the_trend_is_drawn_as_a_line_per_level(api):
    html = api.get(f"/trend?area=3301&at={NOW}&months=3&lang=en").get_data(as_text=True)
    svg = html[html.index("<svg xmlns") : html.index("</svg>")]
    lines = re.findall(r'<polyline points="([^"]*)" class="line level-(\d)"/>', svg)
    assert [level for _, level in lines] == ["1", "2", "3"]
    heights = {level: [float(p.split(",")[1]) for p in points.split()] for points, level in lines}
    # Level 1 rises from 5 to 6 offers in February (higher on the page is a smaller y).
    assert heights["1"][0] > heights["1"][1] == heights["1"][2]
    assert len(heights["2"]) == 3


JUNK = ["", "-1", "99999999999999999999", "ø'; DROP TABLE offer_versions;--", "a" * 5000]


@pytest.mark.parametrize("kind", sorted(ARGUMENTS))
def test_no_junk_makes_a_500(api, kind):
    for name in ARGUMENTS[kind]().fields:
        base = {"area": "3301", "other": "3303"} if name not in ("area", "organisation") else {}
        for junk in JUNK:
            for path in (f"/{kind}", f"/api/v1/reports/{kind}"):
                response = api.get(path, query_string={**base, name: junk})
                assert response.status_code < 500, (path, name, junk)
