"""Wire the internal app's pages into the registry: languages, template filters, blueprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from werkzeug.exceptions import NotFound

from services.registry.ui.pages import http_error_page
from shared.i18n import current_language, init_i18n
from shared.vocab import BY_ID, ROLES, Vocabulary
from shared.web import Api

TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


def _vocabularies() -> dict[str, Vocabulary]:
    from services.registry.coordination import schemas

    own = (
        schemas.GROUP_ROLES,
        schemas.STEP_STATUSES,
        schemas.INITIATIVE_KINDS,
        schemas.INITIATIVE_STATUSES,
        schemas.CYCLE_KINDS,
    )
    return {**BY_ID, **{v.id: v for v in own}}


def vocab_label(code: object, vocabulary_id: str) -> str:
    """The label of ``code`` in the page's language; an unknown code is shown as it is."""
    vocabulary = _vocabularies()[vocabulary_id]
    text = str(code)
    return vocabulary.get(text).label(current_language()) if text in vocabulary else text


def init_pages(app: Flask, api: Api) -> None:
    """Every page blueprint, speaking bokmål, nynorsk or English; an address under ``/o/``
    that matches no page gets the HTML 404 page, any other the API's JSON error."""
    from services.registry.accounts.pages import bp as admin_pages
    from services.registry.accounts.pages import pages
    from services.registry.audit.pages import bp as audit_pages
    from services.registry.bulk.pages import bp as bulk_pages
    from services.registry.coordination.pages.workspace import bp as workspace_pages
    from services.registry.mail.pages import bp as mail_pages
    from services.registry.node.pages import bp as node_pages
    from services.registry.offers.pages import bp as offer_pages
    from services.registry.offers.pages import review_bp as review_pages
    from services.registry.offers.redaction_pages import bp as redaction_pages
    from services.registry.sso.pages import admin_bp as sso_admin_pages
    from services.registry.sso.pages import login_bp as sso_pages
    from services.registry.sso.pages import org_bp as sso_org_pages

    init_i18n(app, TRANSLATIONS)
    app.jinja_env.filters["vocab_label"] = vocab_label
    app.jinja_env.filters["role_label"] = lambda code: vocab_label(code, ROLES.id)
    for blueprint in (
        pages,
        offer_pages,
        review_pages,
        redaction_pages,
        admin_pages,
        audit_pages,
        bulk_pages,
        workspace_pages,
        mail_pages,
        node_pages,
        sso_pages,
        sso_admin_pages,
        sso_org_pages,
    ):
        app.register_blueprint(blueprint)

    def not_found(error: NotFound) -> Any:
        if request.path.startswith("/o/"):
            return http_error_page(error)
        return api.handle_http_exception(error)

    app.register_error_handler(NotFound, not_found)
