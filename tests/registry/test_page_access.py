"""Who may see and change what in the internal app. Every page × every role × another
organisation's objects, and CSRF on every form, are in test_access_matrix.py (from the reviewed
table in access.py); here, a refusal that comes from the service layer after it has begun."""

from __future__ import annotations

from services.registry.accounts import services as accounts
from tests.registry.conftest import ORG_A, audit_count
from tests.registry.pages import sign_in


def test_a_service_refusal_leaves_nothing_half_written(client, db, world):
    # Adding a registrar without agencies is refused after the user lookup: no user is created.
    token = sign_in(client, db, "a_admin")
    before = audit_count(db)
    response = client.post(
        f"/o/{ORG_A}/admin/users/new",
        data={"csrf_token": token, "email": "ny@example.org", "name": "Ny", "roles": "registrar"},
    )
    assert response.status_code == 422
    assert "Velg etatene den registreringsansvarlige" in response.get_data(as_text=True)
    assert accounts.get_user_by_email(db, "ny@example.org") is None
    assert audit_count(db) == before
