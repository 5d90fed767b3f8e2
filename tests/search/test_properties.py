"""Properties of search, over coverage drawn at random and queries drawn at random:

- an offer is found in municipality M iff its coverage holds M, M's county, a region holding
  M's county, or the whole country (and in county C iff it holds C, a municipality of C, a
  region holding C, or the whole country);
- walking the pages of any search gives every offer it finds once, in the order of one page
  holding them all.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from services.search.index.query import OfferQuery, count
from shared.areas import reference_data
from tests.properties import examples
from tests.publisher.node import ORGANISATIONS

MUNICIPALITIES = ["3301", "3303", "3305", "4601", "4602", "0301", "1804", "5001"]
COUNTIES = ["33", "46", "03", "18", "50", "42"]
REGIONS = ["bufetat-sor", "bufetat-vest", "helse-sor-ost", "sf-nordland"]
AREAS = [*MUNICIPALITIES[::2], *COUNTIES[:4], *REGIONS, "NO"]


def reaches_municipality(coverage: set[str], municipality: str) -> bool:
    """The rule, written out: M itself, M's county, a region holding that county, or NO."""
    areas = reference_data()
    county = areas.get(municipality).county_code
    regions = {code for code, counties in areas.region_counties.items() if county in counties}
    return bool(coverage & ({municipality, county, "NO"} | regions))


def reaches_county(coverage: set[str], county: str) -> bool:
    areas = reference_data()
    inside = {m for m in coverage if m in MUNICIPALITIES and areas.get(m).county_code == county}
    regions = {code for code, counties in areas.region_counties.items() if county in counties}
    return bool(inside) or bool(coverage & ({county, "NO"} | regions))


def test_an_offer_is_found_exactly_where_its_coverage_reaches(federation, index):
    node = federation.node("stat", {"state": ORGANISATIONS["state"]})
    with node.builder() as builder:
        offer = builder.publish("state", coverage=["NO"])
    index.trust(node)
    index.apply(node.events(), node.id)

    @examples(25)
    @given(st.lists(st.sampled_from(AREAS), min_size=1, max_size=3, unique=True))
    def found_where_covered(coverage: list[str]) -> None:
        seen = len(node.events())
        with node.builder() as builder:
            builder.revise(offer, "state", coverage=coverage)
        index.apply(node.events(after=seen), node.id)
        with Session(index.engine) as session:
            for municipality in MUNICIPALITIES:
                found = count(session, OfferQuery(municipality=municipality)) == 1
                assert found == reaches_municipality(set(coverage), municipality), municipality
            for county in COUNTIES:
                found = count(session, OfferQuery(county=county)) == 1
                assert found == reaches_county(set(coverage), county), county

    found_where_covered()


QUERIES = st.fixed_dictionaries(
    {},
    optional={
        "municipality": st.sampled_from(["3301", "3303", "4601"]),
        "county": st.sampled_from(["33", "46"]),
        "level": st.sampled_from(["1", "2", "3"]),
        "q": st.sampled_from(["barn", "helse", "foreldre", "ungdom"]),
        "age": st.integers(0, 25).map(str),
    },
)


@examples(30)
@given(query=QUERIES, per_page=st.integers(1, 4))
def test_pages_neither_repeat_nor_skip_an_offer(standard, query, per_page):
    api = standard.app.test_client()
    whole = api.get("/api/v1/offers", query_string={**query, "per_page": 100}).get_json()
    walked: list[str] = []
    for page in range(1, whole["total"] // per_page + 2):
        answer = api.get(
            "/api/v1/offers", query_string={**query, "per_page": per_page, "page": page}
        ).get_json()
        assert answer["total"] == whole["total"]
        walked += [item["id"] for item in answer["items"]]
    assert walked == [item["id"] for item in whole["items"]]
    assert len(set(walked)) == len(walked) == whole["total"]
