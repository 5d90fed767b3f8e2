"""National search: API latency for typical queries beside the same SQL through the driver,
and how it grows from the smallest national dataset to the largest.

Each size of ``scale.offers`` is a synthetic national federation (:mod:`bench.national`)
loaded by the bulk path (:mod:`bench.bulk`); see :mod:`bench.api` for how the API and its raw
baseline are timed and why through the test client.

    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
    python -m bench.search            # --smoke for the CI scale
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from bench.api import Query, app_config, cli_main, run_service
from bench.common import Databases, Result, Scale

OSLO, UTSIRA = "0301", "1151"
DRAMMEN = "59.7441,10.2045"  # a point: the synthetic places are spread over Norway's box
QUERIES = (
    Query("Oslo + words + filters", f"/api/v1/offers?municipality={OSLO}&q=foreldre&level=2"
          "&level=3&free=true&facets=false"),
    Query("Utsira + words + filters", f"/api/v1/offers?municipality={UTSIRA}&q=barn&level=1"
          "&facets=false"),
    Query("Oslo only", f"/api/v1/offers?municipality={OSLO}&facets=false"),
    Query("Utsira only", f"/api/v1/offers?municipality={UTSIRA}&facets=false"),
    Query("Oslo with facets", f"/api/v1/offers?municipality={OSLO}"),
    Query("Utsira + words with facets", f"/api/v1/offers?municipality={UTSIRA}&q=barn"),
    Query("national facets", "/api/v1/offers"),
    Query("national words + filter with facets", "/api/v1/offers?q=mestring&risk_group=bullying"),
    Query("within 100 km of Drammen, nearest first", f"/api/v1/offers?near={DRAMMEN}"
          "&radius=100&facets=false"),
    Query("nearest to Drammen, no radius", f"/api/v1/offers?near={DRAMMEN}&facets=false"),
    Query("nearest to Drammen, no radius, page 50", f"/api/v1/offers?near={DRAMMEN}"
          "&facets=false&page=50"),
    Query("HSDS places within 25 km of Drammen", f"/hsds/service_at_locations?near={DRAMMEN}"
          "&radius=25"),
    Query("HSDS places nearest to Drammen", f"/hsds/service_at_locations?near={DRAMMEN}"),
    # The public site's search page (HTML, facets always), as a family on a phone asks it.
    Query("site page: Oslo", f"/sok?municipality={OSLO}"),
    Query("site page: Utsira + words", f"/sok?municipality={UTSIRA}&q=barn"),
)  # fmt: skip
GROWTH_LIMIT = 3.0  # issue 21: at most 3× slower at 500,000 offers than at 5,000


def make_app(url: str, folder: Path) -> Flask:
    from services.search import create_app

    return create_app({**app_config(url, folder), "PUBLIC_BASE_URL": "https://sok.test"})


def run(databases: Databases, scale: Scale) -> list[Result]:
    """Every query at every size, the growth from the smallest size to the largest, and the
    peak RSS of a search worker at the largest."""
    return run_service(
        "search", make_app, lambda d: d.search_url, QUERIES, databases, scale, GROWTH_LIMIT
    )


def main() -> None:
    cli_main(run, __doc__)


if __name__ == "__main__":
    main()
