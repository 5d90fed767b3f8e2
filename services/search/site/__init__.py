"""The public site of national search (the role nettungen.no had): find offers for children,
youth and families by municipality, words and facets, in bokmål, nynorsk or English.

Pages work without JavaScript and are made for screen readers and print as much as for
screens. The address of every page is Norwegian (``/sok``, ``/tilbud/<id>``, ``/kommune/<nr>``,
``/fylke/<nr>``, ``/region/<code>``, ``/organisasjon/<orgnr>``); its query parameters are the JSON
API's. ``/embed`` is the search made for an iframe on a municipality's own site.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from shared.i18n import init_i18n
from shared.web import Api

TRANSLATIONS = Path(__file__).parent / "translations"
# Paths that belong to programs, which get the one JSON error format even from a browser.
_MACHINE_PATHS = ("/api/", "/hsds/", "/openapi.json", "/healthz", "/metrics", "/assets/", "/kart/")


def init_site(app: Flask, api: Api) -> None:
    """Register the site's pages, their languages, and an HTML page for an unknown address
    asked for by a browser (programs keep getting ``api``'s JSON error)."""
    from services.search.site import embed, map  # noqa: F401  (their routes join the blueprint)
    from services.search.site.nodes import bp as nodes_bp
    from services.search.site.pages import bp
    from shared.ingest.status_web import status_pages

    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    init_i18n(app, TRANSLATIONS)
    # Block tags leave no blank lines behind (the municipality list alone has 357 options).
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.register_blueprint(bp)
    app.register_blueprint(nodes_bp)

    app.register_blueprint(status_pages("site/base.html"))

    def not_found(error: HTTPException) -> Response | tuple[str, int]:
        if _wants_page():
            return render_template("site/not_found.html", message=None), 404
        return api.handle_http_exception(error)

    app.register_error_handler(404, not_found)


def _wants_page() -> bool:
    if request.path.startswith(_MACHINE_PATHS):
        return False
    accepted = request.accept_mimetypes
    return accepted["text/html"] > accepted["application/json"]
