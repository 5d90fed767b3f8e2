"""The signed-in person's mail settings: the language of their mails, and which optional mails
they get. And the registry's public address for links in every mail a request writes."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from services.registry.context import csrf
from services.registry.mail import services
from services.registry.ui.pages import done, page_blueprint, render_page, signed_in
from shared.vocab import LANGUAGES
from shared.web import db_session

bp = page_blueprint("mail_pages", __name__, organisation_pages=False)

# What each optional kind of mail is, as the settings page lists them.
KINDS = {
    "review_requested": _l("An offer is sent for review (to publishers)"),
    "sent_back": _l("An offer you sent for review is sent back (with the comment)"),
    "published": _l("An offer you sent for review is published"),
    "review_digest": _l("Weekly: offers of your agencies past their review date"),
    "invitation_accepted": _l("A person you invited has accepted (to administrators)"),
}


@bp.before_app_request
def _links_in_mails() -> None:
    # The configured address, never the request's Host header, which the client chooses.
    services.use_base_url(db_session(), current_app.config["REGISTRY_BASE_URL"])


def _settings_page() -> tuple[str, int]:
    user_id = signed_in().user_id
    if user_id is None:
        raise BadRequest()
    session = db_session()
    chosen = services.preference(session, user_id)
    off = set(chosen.turned_off) if chosen is not None else set()
    return render_page(
        "mail_settings.html",
        kinds=[(kind, KINDS[kind], kind not in off) for kind in services.OPTIONAL_KINDS],
        language=services.mail_language(session, user_id),
    )


@bp.route("/account/mail", methods=["GET", "POST"])
def settings() -> Response | tuple[str, int]:
    """Choose the language of one's mails and which optional mails one gets."""
    if request.method == "GET":
        return _settings_page()
    csrf.protect()
    actor = signed_in()
    language = request.form.get("language", "")
    wanted = set(request.form.getlist("kinds"))
    if actor.user_id is None or language not in LANGUAGES or not wanted <= set(KINDS):
        raise BadRequest()
    services.save_preferences(db_session(), actor, language, wanted)
    return done(gettext("Your mail settings are saved."), "mail_pages.settings")
