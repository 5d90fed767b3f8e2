"""The organisation's audit trail for its administrators: who changed roles, offers, agencies
and workspace items, and when."""

from __future__ import annotations

from services.registry.audit.services import organisation_trail
from services.registry.ui.pages import organisation, page_blueprint, render_page, signed_in
from shared.web import db_session

bp = page_blueprint("audit_pages", __name__)

# The page shows the latest entries; older ones stay in the database (and the API's history).
SHOWN = 200


@bp.get("/admin/audit")
def trail() -> tuple[str, int]:
    org = organisation()
    entries = organisation_trail(db_session(), signed_in(), org.id, limit=SHOWN)
    return render_page("admin_audit.html", entries=entries, shown=SHOWN)
