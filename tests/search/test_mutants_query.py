"""The yes/no facets of a search (free of charge, statutory), counted with their own filter
lifted, over the standard federation (found by mutation testing, docs/testing.md).

Expectations by hand from tests.search.conftest: ten offers are indexed (the withdrawn
"nedlagt" is not); only "foreldrekurs" costs money and only "helsestasjon" fulfils a statutory
duty."""

from __future__ import annotations


def yes_no(answer, facet):
    return {v["code"]: (v["count"], v["chosen"]) for v in answer["facets"][facet]}


def test_the_yes_no_facets_count_with_their_own_filter_lifted(api, standard):
    answer = api.get("/api/v1/offers?free=false").get_json()
    assert [item["id"] for item in answer["items"]] == [standard.ids["foreldrekurs"]]
    # Choosing "not free" still shows what choosing "free" would give.
    assert yes_no(answer, "free_of_charge") == {"true": (9, False), "false": (1, True)}
    # The other facets count within the one offer that is not free.
    assert yes_no(answer, "statutory") == {"true": (0, False), "false": (1, False)}

    answer = api.get("/api/v1/offers?statutory=true").get_json()
    assert [item["id"] for item in answer["items"]] == [standard.ids["helsestasjon"]]
    assert yes_no(answer, "statutory") == {"true": (1, True), "false": (9, False)}
    assert yes_no(answer, "free_of_charge") == {"true": (1, False), "false": (0, False)}


def test_without_a_choice_the_yes_no_facets_count_everything(api):
    answer = api.get("/api/v1/offers").get_json()
    assert answer["total"] == 10
    assert yes_no(answer, "free_of_charge") == {"true": (9, False), "false": (1, False)}
    assert yes_no(answer, "statutory") == {"true": (1, False), "false": (9, False)}
