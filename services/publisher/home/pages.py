"""``GET /``: the node's open data for people, in bokmål, nynorsk or English.

Every feed the node serves, with what it holds and its format: the LDES stream, the DCAT-AP-NO
catalog and full dump, the HSDS 3.1 API, the offers as CSV and XLSX, the vocabularies and the
signing keys. The page works without JavaScript and is checked with axe.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, render_template

from services.publisher.context import base_url
from services.publisher.home.services import node_figures
from shared import vocab
from shared.i18n import current_language, init_i18n
from shared.vocab import LANGUAGES
from shared.web import Api, db_session

TRANSLATIONS = Path(__file__).parent / "translations"
PAGE_CACHE = "public, max-age=60"

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/")
def home() -> Response:
    """The landing page."""
    page = render_template(
        "home/index.html",
        base=base_url().rstrip("/"),
        figures=node_figures(db_session()),
        vocabularies=[(v.id, v.title[current_language()]) for v in vocab.ALL],
        languages=LANGUAGES,
    )
    response = Response(page, content_type="text/html; charset=utf-8")
    response.headers["Cache-Control"] = PAGE_CACHE
    return response


def init_home(app: Flask, api: Api) -> None:
    """Register the landing page and its languages."""
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Oslo")
    init_i18n(app, TRANSLATIONS)
    app.register_blueprint(bp)
