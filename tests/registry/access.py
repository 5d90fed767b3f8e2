"""The registry's access table: every route of the app, how a test addresses it, who may use it.

Reviewed by hand. A route that is added to the app without a row here fails
``test_every_route_of_the_registry_has_a_row``; the row then says who may use it, which status
they get, and which audit entries a successful write leaves. Placeholders in a path name the
objects of :func:`build_matrix_world`: ``{org}`` is the organisation addressed, the rest are its
objects in the state the route needs.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.models import SecondFactor, User
from services.registry.base import Base
from services.registry.coordination import services as coordination
from services.registry.coordination.models import CoordinationGroup, GroupMember, MandateItem
from services.registry.offers import services as offers
from services.registry.sso import services as sso
from shared.db import utcnow
from shared.publication.keys import Signer
from tests.conftest import TEST_PASSPHRASE
from tests.registry.conftest import OPERATOR, ORG_A, ORG_B, PASSWORD, World, offer_input
from tests.registry.test_bulk_pages import GOOD

# The roles a person can hold. Coordination-group roles (chair, member, ...) describe the
# people on a workspace's member list, who are records, not accounts: they grant nothing.
# Users belong to the node, not to one organisation: their creation is audited without one.
NODE_ACTIONS = frozenset({"user.created"})
# A failed login is audited under the address that was typed: nobody is signed in to act.
TYPED_ACTOR_ACTIONS = frozenset({"login.failed"})
MEMBER_ROLES = ("reader", "registrar", "publisher", "admin")
ROLES = ("anonymous", *MEMBER_ROLES, "node_admin")
FOREIGN = tuple(f"foreign_{role}" for role in MEMBER_ROLES)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
MEMBERS = frozenset(MEMBER_ROLES)
WORKERS = frozenset({"registrar", "publisher", "admin"})
ADMINS = frozenset({"admin", "node_admin"})
UNSAFE = frozenset({"POST", "PATCH", "PUT", "DELETE"})

Body = Mapping[str, Any] | Callable[[Any], Mapping[str, Any]] | None
# A new password the policy accepts, for the password and invitation pages.
NEW_PASSWORD = "et langt nytt passord"  # pragma: allowlist secret
WRONG_PASSWORD = "ikke-passordet"  # pragma: allowlist secret


@dataclass(frozen=True)
class Access:
    """How one route (method and rule) is reached and who may use it.

    ``allowed``: the roles (in the organisation addressed, or on the node) that get ``ok``.
    A member without the right gets ``refused`` (403 unless said), anonymous visitors 401 from
    the API and the login page from a page, and for ``tenant`` routes anyone outside the
    organisation gets 404: members of other organisations, and node administrators where the
    route is for members only. ``answers`` gives a role's status where it differs from
    ``ok`` although the role is allowed (the start page sends a member on to their page).
    ``audit``: the actions a successful write adds, in order, each with
    the actor and the organisation; empty for reads and for writes that change no register
    data (``why`` says so).
    """

    path: str
    allowed: frozenset[str]
    ok: int = 200
    body: Body = None
    audit: tuple[str, ...] = ()
    tenant: bool = True
    refused: Mapping[str, int] = field(default_factory=dict)
    answers: Mapping[str, int] = field(default_factory=dict)
    prepare: Callable[[Connection, Things], None] | None = None
    why: str = ""

    @property
    def is_page(self) -> bool:
        return not self.path.startswith("/api/")

    def allows(self, role: str) -> bool:
        """Whether ``role`` may use the route on organisation A's objects."""
        if role.startswith("foreign_"):
            return not self.tenant and role.removeprefix("foreign_") in self.allowed
        return role in self.allowed

    def expected(self, role: str) -> int:
        """The status ``role`` gets when it addresses its own (or, for foreign roles, another)
        organisation's object through this route."""
        if role.startswith("foreign_"):
            if self.tenant:
                return 404
            role = role.removeprefix("foreign_")
        if role in self.allowed:
            return self.answers.get(role, self.ok)
        if role == "anonymous":
            return 302 if self.is_page else 401
        if role == "node_admin" and self.tenant:
            return self.refused.get(role, 404)
        return self.refused.get(role, 403)


OFFER_FORM = {
    "agency": "{agency_health}",
    "name": "Åpen barnehage Strømsø",
    "description": "Møteplass for foreldre med barn 0–5 år, med veiledning.",
    "category": "public",
    "level": "1",
    "measure_status": "permanent",
    "audiences": ["parents"],
    "age_min": "0",
    "age_max": "5",
    "access": "open",
    "free_of_charge": "on",
    "languages": ["nob"],
    "coverage": "3301",
    "review_interval_months": "12",
}


def bulk_workbook(client: Any) -> Mapping[str, Any]:
    """The organisation's own template with one good row, as a browser uploads it."""
    response = client.get(f"/o/{ORG_A}/bulk/template.xlsx")
    if response.status_code != 200:  # refused to this visitor, who will be refused the upload
        return {"workbook": (io.BytesIO(b"-"), "tilbud.xlsx")}
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["Tilbud"]
    columns = {cell.value: cell.column for cell in sheet[1]}
    for header, value in GOOD.items():
        sheet.cell(row=2, column=columns[header], value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return {"workbook": (io.BytesIO(buffer.getvalue()), "tilbud.xlsx")}


WORKSPACE_MEMBER = {"name": "Berit", "group_role": "member"}


def without_workspace(connection: Connection, things: Things) -> None:
    """The organisation as it was before its group started the workspace."""
    group_id = int(things.values["group"])
    for table in Base.metadata.sorted_tables:
        if "group_id" in table.c:
            connection.execute(table.delete().where(table.c.group_id == group_id))
    groups = CoordinationGroup.__table__
    connection.execute(groups.delete().where(groups.c.id == group_id))


def deactivated_user(connection: Connection, things: Things) -> None:
    """The user ``{spare_user}`` deactivated by a node administrator before."""
    users = User.__table__
    spare = int(things.values["spare_user"])
    connection.execute(users.update().where(users.c.id == spare).values(is_active=False))


def with_second_factor(connection: Connection, things: Things) -> None:
    """The member ``{user}`` with a second factor set up (a sealed key is no concern here)."""
    connection.execute(
        SecondFactor.__table__.insert().values(
            user_id=int(things.values["user"]),
            secret_sealed="sealed",  # pragma: allowlist secret
            confirmed_at=utcnow(),
            last_step=0,
        )
    )


NODE_ADMIN = frozenset({"node_admin"})
A = Access
ROUTES: dict[tuple[str, str], Access] = {
    # --- public and technical --------------------------------------------------------------
    ("GET", "/api/v1/areas"): A("/api/v1/areas", EVERYONE, tenant=False),
    ("GET", "/api/v1/areas/<code>"): A("/api/v1/areas/3301", EVERYONE, tenant=False),
    ("GET", "/api/v1/vocabularies"): A("/api/v1/vocabularies", EVERYONE, tenant=False),
    ("GET", "/api/v1/vocabularies/<vocabulary_id>"): A(
        "/api/v1/vocabularies/risk-group", EVERYONE, tenant=False
    ),
    ("GET", "/api/v1/duties"): A("/api/v1/duties", EVERYONE, tenant=False),
    ("GET", "/api/v1/duties/<code>"): A(
        "/api/v1/duties/hol-3-2-helsestasjon", EVERYONE, tenant=False
    ),
    ("GET", "/assets/<path:filename>"): A("/assets/nettungen.css", EVERYONE, tenant=False),
    ("GET", "/static/<path:filename>"): A(
        "/static/nothing.css", EVERYONE, ok=404, tenant=False, why="the registry has no files"
    ),
    ("GET", "/docs"): A("/docs", EVERYONE, tenant=False),
    ("GET", "/docs-assets/<path:filename>"): A(
        "/docs-assets/swagger-ui.css", EVERYONE, tenant=False
    ),
    ("GET", "/openapi.json"): A("/openapi.json", EVERYONE, tenant=False),
    ("GET", "/healthz"): A("/healthz", EVERYONE, tenant=False),
    ("GET", "/metrics"): A("/metrics", EVERYONE, tenant=False),
    ("GET", "/"): A("/", EVERYONE, tenant=False, answers=dict.fromkeys(MEMBER_ROLES, 302)),
    ("GET", "/login"): A("/login", EVERYONE, tenant=False),
    ("POST", "/login"): A(
        "/login",
        EVERYONE,
        ok=401,
        body={"email": "nobody@example.org", "password": ""},
        audit=("login.failed",),
        tenant=False,
        why="a refused login records a failure for the throttle and in the audit (an empty "
        "password spares the test a password hash; test_login_throttle.py tries real ones)",
    ),
    ("POST", "/logout"): A(
        "/logout",
        EVERYONE,
        ok=302,
        body={},
        tenant=False,
        why="ends the browser session (its record is not register data: see digest)",
    ),
    ("GET", "/account/mail"): A("/account/mail", SIGNED_IN, tenant=False),
    ("POST", "/account/mail"): A(
        "/account/mail",
        SIGNED_IN,
        ok=302,
        body={"language": "nn", "kinds": ["published"]},
        audit=("mail.settings_changed",),
        tenant=False,
    ),
    # --- passwords and invitations (test_passwords.py, test_invitations.py use real links) -
    ("GET", "/password/forgot"): A("/password/forgot", EVERYONE, tenant=False),
    ("POST", "/password/forgot"): A(
        "/password/forgot",
        EVERYONE,
        body={"email": "nobody@example.org"},
        tenant=False,
        why="an unknown address gets the same answer as a known one, and nothing is written",
    ),
    ("GET", "/password/reset/<secret>"): A(
        "/password/reset/forged", EVERYONE, ok=404, tenant=False, why="a forged link"
    ),
    ("POST", "/password/reset/<secret>"): A(
        "/password/reset/forged",
        EVERYONE,
        ok=404,
        body={"password": NEW_PASSWORD},
        tenant=False,
        why="a forged link changes nothing",
    ),
    ("GET", "/password/change"): A("/password/change", SIGNED_IN, tenant=False),
    ("POST", "/password/change"): A(
        "/password/change",
        SIGNED_IN,
        ok=422,
        body={"current_password": WRONG_PASSWORD, "password": NEW_PASSWORD},
        tenant=False,
        why="a wrong current password changes nothing (the players have none)",
    ),
    ("GET", "/invitation/<secret>"): A(
        "/invitation/forged", EVERYONE, ok=404, tenant=False, why="a forged link"
    ),
    ("POST", "/invitation/<secret>"): A(
        "/invitation/forged",
        EVERYONE,
        ok=404,
        body={"name": "Ny", "password": NEW_PASSWORD},
        tenant=False,
        why="a forged link adds nobody",
    ),
    # --- the second factor and one's sessions (test_second_factor.py, test_your_sessions.py
    # log in with real codes; here nobody has a login waiting for its second step) ---------
    ("GET", "/login/code"): A(
        "/login/code", EVERYONE, ok=302, tenant=False, why="no password was typed here first"
    ),
    ("POST", "/login/code"): A(
        "/login/code",
        EVERYONE,
        ok=302,
        body={"code": "000000"},
        tenant=False,
        why="without a login waiting for its code, back to the login; nothing is checked",
    ),
    ("GET", "/login/enrol"): A(
        "/login/enrol", EVERYONE, ok=302, tenant=False, why="no password was typed here first"
    ),
    ("POST", "/login/enrol"): A(
        "/login/enrol",
        EVERYONE,
        ok=302,
        body={"code": "000000"},
        tenant=False,
        why="without a login waiting for its enrolment, back to the login",
    ),
    ("GET", "/account/security"): A("/account/security", SIGNED_IN, tenant=False),
    ("GET", "/account/second-factor"): A(
        "/account/second-factor",
        SIGNED_IN,
        tenant=False,
        why="begins an unconfirmed enrolment (a key to scan), which asks nothing at login",
    ),
    ("POST", "/account/second-factor"): A(
        "/account/second-factor",
        SIGNED_IN,
        ok=422,
        body={"password": WRONG_PASSWORD, "code": "000000"},
        audit=("login.failed",),
        tenant=False,
        why="a wrong password is refused and counts for the login throttle",
    ),
    ("POST", "/account/second-factor/recovery-codes"): A(
        "/account/second-factor/recovery-codes",
        SIGNED_IN,
        ok=422,
        body={"password": WRONG_PASSWORD, "code": "000000"},
        audit=("login.failed",),
        tenant=False,
        why="a wrong password is refused and counts for the login throttle",
    ),
    ("POST", "/account/second-factor/remove"): A(
        "/account/second-factor/remove",
        SIGNED_IN,
        ok=422,
        body={"password": WRONG_PASSWORD, "code": "000000"},
        audit=("login.failed",),
        tenant=False,
        why="a wrong password is refused and counts for the login throttle",
    ),
    ("GET", "/account/sessions"): A("/account/sessions", SIGNED_IN, tenant=False),
    ("POST", "/account/sessions/<int:session_id>/end"): A(
        "/account/sessions/999999/end",
        SIGNED_IN,
        ok=404,
        body={},
        tenant=False,
        why="a session that is not one's own is not found (one's own: test_your_sessions.py)",
    ),
    ("POST", "/o/<orgnr>/admin/second-factor-rule"): A(
        "/o/{org}/admin/second-factor-rule",
        frozenset({"admin"}),
        ok=302,
        body={"second_factor_required": "on"},
        audit=("organisation.updated",),
    ),
    ("POST", "/o/<orgnr>/admin/users/<int:user_id>/second-factor/reset"): A(
        "/o/{org}/admin/users/{user}/second-factor/reset",
        frozenset({"admin"}),
        ok=302,
        body={},
        audit=("second_factor.reset",),
        prepare=with_second_factor,
    ),
    # --- single sign-on (test_sso.py and test_sso_browser.py log in through a real provider) -
    ("GET", "/login/oidc/<provider_id>"): A(
        "/login/oidc/gone-idp",
        EVERYONE,
        ok=403,
        tenant=False,
        why="a removed provider is refused to everyone; an active one is never reached here",
    ),
    ("GET", "/login/oidc/callback"): A(
        "/login/oidc/callback?state=forged&code=forged",
        EVERYONE,
        ok=400,
        tenant=False,
        why="an answer to no login begun in this browser is refused",
    ),
    ("GET", "/node/identity-providers"): A("/node/identity-providers", NODE_ADMIN, tenant=False),
    ("POST", "/node/identity-providers"): A(
        "/node/identity-providers",
        NODE_ADMIN,
        ok=302,
        body={
            "public_id": "ny-idp",
            "name": "Ny leverandør",
            "issuer": "https://login.example.org",
            "client_id": "nettungen",
            "client_auth": "client_secret_basic",
            "secret_ref": "env:NETTUNGEN_OIDC_NY_IDP",  # pragma: allowlist secret
        },
        audit=("sso.provider_created",),
        tenant=False,
    ),
    ("GET", "/node/identity-providers/<provider_id>"): A(
        "/node/identity-providers/{idp}", NODE_ADMIN, tenant=False
    ),
    ("POST", "/node/identity-providers/<provider_id>"): A(
        "/node/identity-providers/{idp}",
        NODE_ADMIN,
        ok=302,
        body={"organisation_number": "{org}", "domain": "ny.example.org"},
        audit=("sso.domain_added",),
        tenant=False,
    ),
    ("POST", "/node/identity-providers/<provider_id>/domains/<int:domain_id>/delete"): A(
        "/node/identity-providers/{idp}/domains/{domain}/delete",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("sso.domain_removed",),
        tenant=False,
    ),
    ("POST", "/node/identity-providers/<provider_id>/remove"): A(
        "/node/identity-providers/{idp}/remove",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("sso.provider_removed",),
        tenant=False,
    ),
    ("GET", "/o/<orgnr>/admin/sign-in"): A("/o/{org}/admin/sign-in", frozenset({"admin"})),
    ("POST", "/o/<orgnr>/admin/sign-in/<int:domain_id>"): A(
        "/o/{org}/admin/sign-in/{domain}",
        frozenset({"admin"}),
        ok=302,
        body={"self_join": "on"},
        audit=("sso.self_join_changed",),
    ),
    # --- node administration ---------------------------------------------------------------
    ("POST", "/api/v1/duties"): A(
        "/api/v1/duties",
        frozenset({"node_admin"}),
        ok=201,
        body={
            "code": "bvl-99-testplikt",
            "title": {"nb": "Testplikt"},
            "law_short": "barnevernsloven",
            "law_title": "Lov om barnevern",
            "law_id": "LOV-2021-06-18-97",
            "section": "§ 99",
            "applies_to": ["municipality"],
        },
        audit=("duty.created",),
        tenant=False,
    ),
    ("PATCH", "/api/v1/duties/<code>"): A(
        "/api/v1/duties/hol-3-2-helsestasjon",
        frozenset({"node_admin"}),
        body={"active": False},
        audit=("duty.updated",),
        tenant=False,
    ),
    ("GET", "/api/v1/organisations"): A("/api/v1/organisations", SIGNED_IN, tenant=False),
    ("POST", "/api/v1/organisations"): A(
        "/api/v1/organisations",
        frozenset({"node_admin"}),
        ok=201,
        body={
            "organisation_number": "910000020",
            "name": "Nytt medlem",
            "kind": "municipality",
            "home_area": "3301",
        },
        audit=("organisation.created",),
        tenant=False,
    ),
    # --- node administration pages ---------------------------------------------------------
    ("GET", "/node/organisations"): A("/node/organisations", NODE_ADMIN, tenant=False),
    ("POST", "/node/organisations"): A(
        "/node/organisations",
        NODE_ADMIN,
        ok=302,
        body={
            "organisation_number": "910000020",
            "name": "Nytt medlem",
            "kind": "municipality",
            "home_area": "3301",
        },
        audit=("organisation.created",),
        tenant=False,
    ),
    ("GET", "/node/organisations/<orgnr>"): A(
        "/node/organisations/{org}", NODE_ADMIN, tenant=False
    ),
    ("POST", "/node/organisations/<orgnr>/membership"): A(
        "/node/organisations/{org}/membership",
        NODE_ADMIN,
        ok=302,
        body={"membership_status": "suspended"},
        audit=("organisation.updated",),
        tenant=False,
    ),
    ("GET", "/node/users"): A("/node/users", NODE_ADMIN, tenant=False),
    ("POST", "/node/users/<int:user_id>/deactivate"): A(
        "/node/users/{spare_user}/deactivate",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("user.deactivated",),
        tenant=False,
    ),
    ("POST", "/node/users/<int:user_id>/reactivate"): A(
        "/node/users/{spare_user}/reactivate",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("user.reactivated",),
        tenant=False,
        prepare=deactivated_user,
    ),
    ("GET", "/node/duties"): A("/node/duties", NODE_ADMIN, tenant=False),
    ("POST", "/node/duties"): A(
        "/node/duties",
        NODE_ADMIN,
        ok=302,
        body={
            "code": "bvl-99-testplikt",
            "title.nb": "Testplikt",
            "law_short": "barnevernsloven",
            "law_title": "Lov om barnevern",
            "law_id": "LOV-2021-06-18-97",
            "section": "§ 99",
            "applies_to": ["municipality"],
        },
        audit=("duty.created",),
        tenant=False,
    ),
    ("GET", "/node/mail"): A("/node/mail", NODE_ADMIN, tenant=False),
    ("POST", "/node/duties/<code>/retire"): A(
        "/node/duties/hol-3-2-helsestasjon/retire",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("duty.updated",),
        tenant=False,
    ),
    ("POST", "/node/duties/<code>/reinstate"): A(
        "/node/duties/hol-3-2-helsestasjon/reinstate",
        NODE_ADMIN,
        ok=302,
        body={},
        audit=("duty.updated",),
        tenant=False,
        why="reinstating a duty in use changes nothing, and says so in the audit",
    ),
    # --- the acting user -------------------------------------------------------------------
    ("GET", "/api/v1/me"): A("/api/v1/me", SIGNED_IN, tenant=False),
    ("GET", "/api/v1/me/tokens"): A("/api/v1/me/tokens", SIGNED_IN, tenant=False),
    ("POST", "/api/v1/me/tokens"): A(
        "/api/v1/me/tokens",
        MEMBERS,
        ok=201,
        body={"name": "Min token", "organisation": "{org}"},
        audit=("token.created",),
        refused={"node_admin": 422},
        why="a token for organisation A: only its members get one",
    ),
    ("DELETE", "/api/v1/me/tokens/<token_id>"): A(
        "/api/v1/me/tokens/{admin_token}",
        ADMINS,
        audit=("token.revoked",),
        refused=dict.fromkeys(("reader", "registrar", "publisher"), 404),
        why="the token is A's administrator's own: other people do not see it",
    ),
    # --- the organisation, its agencies and members (API) ----------------------------------
    ("GET", "/api/v1/organisations/<orgnr>"): A("/api/v1/organisations/{org}", SIGNED_IN),
    ("PATCH", "/api/v1/organisations/<orgnr>"): A(
        "/api/v1/organisations/{org}",
        ADMINS,
        body={"name": "Drammen kommune (endret)"},
        audit=("organisation.updated",),
    ),
    ("GET", "/api/v1/organisations/<orgnr>/agencies"): A(
        "/api/v1/organisations/{org}/agencies", SIGNED_IN
    ),
    ("POST", "/api/v1/organisations/<orgnr>/agencies"): A(
        "/api/v1/organisations/{org}/agencies",
        ADMINS,
        ok=201,
        body={"name": "Ny etat"},
        audit=("agency.created",),
    ),
    ("GET", "/api/v1/organisations/<orgnr>/agencies/<agency_id>"): A(
        "/api/v1/organisations/{org}/agencies/{agency}", SIGNED_IN
    ),
    ("PATCH", "/api/v1/organisations/<orgnr>/agencies/<agency_id>"): A(
        "/api/v1/organisations/{org}/agencies/{agency}",
        ADMINS,
        body={"name": "Omdøpt"},
        audit=("agency.updated",),
    ),
    ("DELETE", "/api/v1/organisations/<orgnr>/agencies/<agency_id>"): A(
        "/api/v1/organisations/{org}/agencies/{agency}",
        ADMINS,
        ok=204,
        audit=("agency.deleted",),
    ),
    ("GET", "/api/v1/organisations/<orgnr>/members"): A(
        "/api/v1/organisations/{org}/members", ADMINS
    ),
    ("POST", "/api/v1/organisations/<orgnr>/members"): A(
        "/api/v1/organisations/{org}/members",
        frozenset({"node_admin"}),
        ok=201,
        body={"email": "ny@example.org", "name": "Ny", "roles": ["reader"]},
        audit=("user.created", "membership.created"),
        why="an organisation's administrator invites instead: nobody joins without accepting",
    ),
    ("GET", "/api/v1/organisations/<orgnr>/invitations"): A(
        "/api/v1/organisations/{org}/invitations", ADMINS
    ),
    ("POST", "/api/v1/organisations/<orgnr>/invitations"): A(
        "/api/v1/organisations/{org}/invitations",
        ADMINS,
        ok=201,
        body={"email": "ny@example.org", "roles": ["reader"]},
        audit=("invitation.created",),
    ),
    ("DELETE", "/api/v1/organisations/<orgnr>/invitations/<invitation_id>"): A(
        "/api/v1/organisations/{org}/invitations/{invitation}",
        ADMINS,
        ok=204,
        audit=("invitation.revoked",),
    ),
    ("POST", "/api/v1/organisations/<orgnr>/invitations/<invitation_id>/resend"): A(
        "/api/v1/organisations/{org}/invitations/{invitation}/resend",
        ADMINS,
        body={},
        audit=("invitation.resent",),
    ),
    ("GET", "/api/v1/organisations/<orgnr>/members/<int:user_id>"): A(
        "/api/v1/organisations/{org}/members/{user}", ADMINS
    ),
    ("PATCH", "/api/v1/organisations/<orgnr>/members/<int:user_id>"): A(
        "/api/v1/organisations/{org}/members/{user}",
        ADMINS,
        body={"roles": ["publisher"]},
        audit=("membership.updated",),
    ),
    ("DELETE", "/api/v1/organisations/<orgnr>/members/<int:user_id>"): A(
        "/api/v1/organisations/{org}/members/{user}",
        ADMINS,
        ok=204,
        audit=("membership.removed",),
    ),
    # --- offers (API) ----------------------------------------------------------------------
    ("GET", "/api/v1/organisations/<orgnr>/offers"): A(
        "/api/v1/organisations/{org}/offers", MEMBERS
    ),
    ("POST", "/api/v1/organisations/<orgnr>/offers"): A(
        "/api/v1/organisations/{org}/offers",
        frozenset({"registrar"}),
        ok=201,
        body=lambda _client: offer_input("{agency_health}"),
        audit=("offer.created",),
    ),
    ("GET", "/api/v1/offers/<offer_id>"): A("/api/v1/offers/{offer_draft}", MEMBERS),
    ("PATCH", "/api/v1/offers/<offer_id>"): A(
        "/api/v1/offers/{offer_draft}",
        frozenset({"registrar"}),
        body={"name": "Nytt navn"},
        audit=("offer.updated",),
    ),
    ("DELETE", "/api/v1/offers/<offer_id>"): A(
        "/api/v1/offers/{offer_draft}",
        frozenset({"registrar"}),
        ok=204,
        audit=("offer.deleted",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/submit"): A(
        "/api/v1/offers/{offer_draft}/submit",
        frozenset({"registrar"}),
        body={},
        audit=("offer.submitted",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/recall"): A(
        "/api/v1/offers/{offer_submitted}/recall",
        frozenset({"registrar"}),
        body={},
        audit=("offer.recalled",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/send-back"): A(
        "/api/v1/offers/{offer_submitted}/send-back",
        frozenset({"publisher"}),
        body={"comment": "Mangler kontaktinformasjon."},
        audit=("offer.sent_back",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/publish"): A(
        "/api/v1/offers/{offer_submitted}/publish",
        frozenset({"publisher"}),
        body={},
        audit=("offer.published",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/withdraw"): A(
        "/api/v1/offers/{offer_published}/withdraw",
        frozenset({"publisher"}),
        body={},
        audit=("offer.withdrawn",),
    ),
    ("POST", "/api/v1/offers/<offer_id>/redact"): A(
        "/api/v1/offers/{offer_published}/redact",
        frozenset({"publisher"}),
        body={},
        audit=("offer.redacted",),
    ),
    ("GET", "/api/v1/offers/<offer_id>/history"): A(
        "/api/v1/offers/{offer_published}/history", MEMBERS
    ),
    ("GET", "/api/v1/offers/<offer_id>/versions"): A(
        "/api/v1/offers/{offer_published}/versions", MEMBERS
    ),
    ("GET", "/api/v1/offers/<offer_id>/versions/<int:number>"): A(
        "/api/v1/offers/{offer_published}/versions/1", MEMBERS
    ),
    # --- offer pages -----------------------------------------------------------------------
    ("GET", "/o/<orgnr>/"): A("/o/{org}/", MEMBERS),
    ("GET", "/o/<orgnr>/offers/new"): A("/o/{org}/offers/new", frozenset({"registrar"})),
    ("POST", "/o/<orgnr>/offers/new"): A(
        "/o/{org}/offers/new",
        frozenset({"registrar"}),
        ok=302,
        body=OFFER_FORM,
        audit=("offer.created",),
    ),
    ("GET", "/o/<orgnr>/offers/<offer_id>"): A("/o/{org}/offers/{offer_draft}", MEMBERS),
    ("GET", "/o/<orgnr>/offers/<offer_id>/edit"): A(
        "/o/{org}/offers/{offer_draft}/edit", frozenset({"registrar"})
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/edit"): A(
        "/o/{org}/offers/{offer_draft}/edit",
        frozenset({"registrar"}),
        ok=302,
        body=OFFER_FORM,
        audit=("offer.updated",),
    ),
    ("GET", "/o/<orgnr>/offers/<offer_id>/history"): A(
        "/o/{org}/offers/{offer_published}/history", MEMBERS
    ),
    ("GET", "/o/<orgnr>/offers/<offer_id>/versions/<int:number>"): A(
        "/o/{org}/offers/{offer_published}/versions/1", MEMBERS
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/submit"): A(
        "/o/{org}/offers/{offer_draft}/submit",
        frozenset({"registrar"}),
        ok=302,
        body={},
        audit=("offer.submitted",),
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/recall"): A(
        "/o/{org}/offers/{offer_submitted}/recall",
        frozenset({"registrar"}),
        ok=302,
        body={},
        audit=("offer.recalled",),
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/delete"): A(
        "/o/{org}/offers/{offer_draft}/delete",
        frozenset({"registrar"}),
        ok=302,
        body={},
        audit=("offer.deleted",),
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/withdraw"): A(
        "/o/{org}/offers/{offer_published}/withdraw",
        frozenset({"publisher"}),
        ok=302,
        body={},
        audit=("offer.withdrawn",),
    ),
    ("GET", "/o/<orgnr>/offers/<offer_id>/redact"): A(
        "/o/{org}/offers/{offer_published}/redact", frozenset({"publisher"})
    ),
    ("POST", "/o/<orgnr>/offers/<offer_id>/redact"): A(
        "/o/{org}/offers/{offer_published}/redact",
        frozenset({"publisher"}),
        ok=302,
        body={"confirm": "yes"},
        audit=("offer.redacted",),
    ),
    ("GET", "/o/<orgnr>/review"): A("/o/{org}/review", frozenset({"publisher"})),
    ("GET", "/o/<orgnr>/review/<offer_id>"): A(
        "/o/{org}/review/{offer_submitted}", frozenset({"publisher"})
    ),
    ("POST", "/o/<orgnr>/review/<offer_id>/publish"): A(
        "/o/{org}/review/{offer_submitted}/publish",
        frozenset({"publisher"}),
        ok=302,
        body={},
        audit=("offer.published",),
    ),
    ("POST", "/o/<orgnr>/review/<offer_id>/send-back"): A(
        "/o/{org}/review/{offer_submitted}/send-back",
        frozenset({"publisher"}),
        ok=302,
        body={"comment": "Mangler kontaktinformasjon."},
        audit=("offer.sent_back",),
    ),
    ("GET", "/o/<orgnr>/bulk"): A("/o/{org}/bulk", frozenset({"registrar"})),
    ("GET", "/o/<orgnr>/bulk/template.xlsx"): A(
        "/o/{org}/bulk/template.xlsx", frozenset({"registrar"})
    ),
    ("POST", "/o/<orgnr>/bulk"): A(
        "/o/{org}/bulk",
        frozenset({"registrar"}),
        body=bulk_workbook,
        audit=("offer.created", "offer.bulk_imported"),
    ),
    # --- administration pages --------------------------------------------------------------
    ("GET", "/o/<orgnr>/admin/users"): A("/o/{org}/admin/users", frozenset({"admin"})),
    ("GET", "/o/<orgnr>/admin/users/new"): A("/o/{org}/admin/users/new", frozenset({"admin"})),
    ("POST", "/o/<orgnr>/admin/users/new"): A(
        "/o/{org}/admin/users/new",
        frozenset({"admin"}),
        ok=302,
        body={"email": "ny@example.org", "roles": "reader"},
        audit=("invitation.created",),
        why="invites: the person is a member only once they accept",
    ),
    ("POST", "/o/<orgnr>/admin/invitations/<public_id>/resend"): A(
        "/o/{org}/admin/invitations/{invitation}/resend",
        frozenset({"admin"}),
        ok=302,
        body={},
        audit=("invitation.resent",),
    ),
    ("POST", "/o/<orgnr>/admin/invitations/<public_id>/revoke"): A(
        "/o/{org}/admin/invitations/{invitation}/revoke",
        frozenset({"admin"}),
        ok=302,
        body={},
        audit=("invitation.revoked",),
    ),
    ("GET", "/o/<orgnr>/admin/users/<int:user_id>"): A(
        "/o/{org}/admin/users/{user}", frozenset({"admin"})
    ),
    ("POST", "/o/<orgnr>/admin/users/<int:user_id>"): A(
        "/o/{org}/admin/users/{user}",
        frozenset({"admin"}),
        ok=302,
        body={"roles": "publisher"},
        audit=("membership.updated",),
    ),
    ("POST", "/o/<orgnr>/admin/users/<int:user_id>/remove"): A(
        "/o/{org}/admin/users/{user}/remove",
        frozenset({"admin"}),
        ok=302,
        body={},
        audit=("membership.removed",),
    ),
    ("GET", "/o/<orgnr>/admin/agencies"): A("/o/{org}/admin/agencies", frozenset({"admin"})),
    ("GET", "/o/<orgnr>/admin/audit"): A("/o/{org}/admin/audit", frozenset({"admin"})),
    ("POST", "/o/<orgnr>/admin/agencies"): A(
        "/o/{org}/admin/agencies",
        frozenset({"admin"}),
        ok=302,
        body={"name": "Ny etat"},
        audit=("agency.created",),
    ),
    ("POST", "/o/<orgnr>/admin/agencies/<agency_id>"): A(
        "/o/{org}/admin/agencies/{agency}",
        frozenset({"admin"}),
        ok=302,
        body={"name": "Omdøpt"},
        audit=("agency.updated",),
    ),
    ("POST", "/o/<orgnr>/admin/agencies/<agency_id>/move"): A(
        "/o/{org}/admin/agencies/{agency}/move",
        frozenset({"admin"}),
        ok=302,
        body={"parent_id": ""},
        audit=("agency.updated",),
    ),
    ("POST", "/o/<orgnr>/admin/review-rule"): A(
        "/o/{org}/admin/review-rule",
        frozenset({"admin"}),
        ok=302,
        body={"publisher_not_submitter": "on"},
        audit=("organisation.updated",),
    ),
    ("POST", "/o/<orgnr>/admin/agencies/<agency_id>/delete"): A(
        "/o/{org}/admin/agencies/{agency}/delete",
        frozenset({"admin"}),
        ok=302,
        body={},
        audit=("agency.deleted",),
    ),
    # --- the coordination group's workspace ------------------------------------------------
    ("GET", "/o/<orgnr>/workspace/"): A("/o/{org}/workspace/", MEMBERS),
    ("POST", "/o/<orgnr>/workspace/start"): A(
        "/o/{org}/workspace/start",
        WORKERS,
        ok=302,
        body={"name": "Gruppa"},
        audit=("workspace.started",),
        prepare=without_workspace,
    ),
    ("GET", "/o/<orgnr>/workspace/settings"): A(
        "/o/{org}/workspace/settings", MEMBERS, why="readers see the settings, not change them"
    ),
    ("POST", "/o/<orgnr>/workspace/settings"): A(
        "/o/{org}/workspace/settings",
        WORKERS,
        ok=302,
        body={"name": "Samordningsgruppa"},
        audit=("workspace.updated",),
    ),
    ("GET", "/o/<orgnr>/workspace/mandate"): A("/o/{org}/workspace/mandate", MEMBERS),
    ("POST", "/o/<orgnr>/workspace/mandate"): A(
        "/o/{org}/workspace/mandate",
        WORKERS,
        ok=302,
        body={"done-{mandate}": "on"},
        audit=("workspace.mandate.updated",),
    ),
    ("POST", "/o/<orgnr>/workspace/mandate/add"): A(
        "/o/{org}/workspace/mandate/add",
        WORKERS,
        ok=302,
        body={"text": "Møte to ganger i året"},
        audit=("workspace.mandate.added",),
    ),
    ("POST", "/o/<orgnr>/workspace/mandate/<int:item_id>/delete"): A(
        "/o/{org}/workspace/mandate/{mandate}/delete",
        WORKERS,
        ok=302,
        body={},
        audit=("workspace.mandate.deleted",),
    ),
    ("GET", "/o/<orgnr>/workspace/steps"): A("/o/{org}/workspace/steps", MEMBERS),
    ("GET", "/o/<orgnr>/workspace/steps/<int:number>"): A("/o/{org}/workspace/steps/1", MEMBERS),
    ("POST", "/o/<orgnr>/workspace/steps/<int:number>"): A(
        "/o/{org}/workspace/steps/1",
        WORKERS,
        ok=302,
        body={"status": "in_progress", "started_on": "2026-02-01"},
        audit=("workspace.method_steps.updated",),
    ),
    ("GET", "/o/<orgnr>/workspace/assessment"): A("/o/{org}/workspace/assessment", MEMBERS),
    ("POST", "/o/<orgnr>/workspace/assessment"): A(
        "/o/{org}/workspace/assessment",
        WORKERS,
        ok=302,
        body={"group.short": "Vi mangler tilbud for ungdom."},
        audit=("workspace.assessment.updated",),
    ),
    ("GET", "/o/<orgnr>/workspace/<key>"): A("/o/{org}/workspace/members", MEMBERS),
    ("POST", "/o/<orgnr>/workspace/<key>"): A(
        "/o/{org}/workspace/members",
        WORKERS,
        ok=302,
        body=WORKSPACE_MEMBER,
        audit=("workspace.coordination_members.created",),
    ),
    ("GET", "/o/<orgnr>/workspace/<key>/<int:item_id>"): A(
        "/o/{org}/workspace/members/{member}", MEMBERS
    ),
    ("POST", "/o/<orgnr>/workspace/<key>/<int:item_id>"): A(
        "/o/{org}/workspace/members/{member}",
        WORKERS,
        ok=302,
        body={"name": "Berit Berg", "group_role": "chair"},
        audit=("workspace.coordination_members.updated",),
    ),
    ("POST", "/o/<orgnr>/workspace/<key>/<int:item_id>/delete"): A(
        "/o/{org}/workspace/members/{member}/delete",
        WORKERS,
        ok=302,
        body={},
        audit=("workspace.coordination_members.deleted",),
    ),
}


@dataclass
class Things:
    """One organisation's objects, by the placeholders of the table's paths."""

    values: dict[str, str]

    def fill(self, template: str) -> str:
        return template.format(**self.values)

    def fill_body(self, body: Mapping[str, Any] | None) -> dict[str, Any]:
        """The body with every placeholder, in keys and values, replaced."""

        def filled(value: Any) -> Any:
            if isinstance(value, str):
                return self.fill(value)
            if isinstance(value, Mapping):
                return {filled(k): filled(v) for k, v in value.items()}
            if isinstance(value, list):
                return [filled(v) for v in value]
            return value

        return filled(dict(body or {}))


def digest(connection: Connection) -> str:
    """A fingerprint of every row of every registry table but the browser sessions: ending
    one's own session is what logout is for (tests/registry/test_sessions.py)."""
    hashed = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        if table.name == "browser_sessions":
            continue
        order = ", ".join(c.name for c in table.primary_key.columns) or "1"
        rows = connection.execute(text(f"SELECT * FROM {table.name} ORDER BY {order}"))  # noqa: S608
        hashed.update(repr((table.name, rows.all())).encode())
    return hashed.hexdigest()


def _actor(db: Session, email: str) -> Any:
    user = accounts.get_user_by_email(db, email)
    assert user is not None
    return accounts.build_actor(db, user)


def organisation_things(db: Session, world: World, orgnr: str, prefix: str) -> Things:
    """The objects of one organisation the table addresses: an offer in each state, an agency
    without offers, a member, a workspace with a member and a point of its own."""
    org = world.orgs[orgnr]
    registrar = _actor(db, f"{prefix}_registrar@example.org")
    publisher = _actor(db, f"{prefix}_publisher@example.org")
    health = world.agencies[f"{prefix}_health"]
    signer = Signer(TEST_PASSPHRASE)
    made = {}
    for state in ("draft", "submitted", "published"):
        offer = offers.create_offer(
            db, registrar, org, offer_input(health, name=f"{orgnr} {state}"), "https://node.test"
        )
        if state != "draft":
            offers.submit(db, registrar, offer.id)
        if state == "published":
            offers.publish(db, publisher, offer.id, signer=signer)
        made[f"offer_{state}"] = offer.id
    spare = world.agencies.get(f"{prefix}_spare")
    if spare is None:
        from services.registry.organisations import services as organisations

        spare = organisations.create_agency(db, OPERATOR, org, "Ubrukt etat", None).public_id
    group = coordination.start_workspace(db, registrar, org, "Samordning")
    member = coordination.add_item(db, registrar, group, GroupMember, dict(WORKSPACE_MEMBER))
    own_point = coordination.add_mandate_item(db, registrar, group, "Eget punkt")
    reader = db.scalar(select(User).where(User.email == f"{prefix}_reader@example.org"))
    assert reader is not None
    admin_token = world.tokens[f"{prefix}_admin"].split("_")[1]
    invitation = accounts.invite(
        db,
        OPERATOR,
        org,
        email=f"{prefix}_invited@example.org",
        roles=["reader"],
        agencies=[],
        path_to=lambda secret: f"/invitation/{secret}",
        language="nb",
    )
    db.flush()
    assert isinstance(own_point, MandateItem)
    return Things(
        {
            "org": orgnr,
            **made,
            "agency": spare,
            "agency_health": health,
            "user": str(reader.id),
            "member": str(member.id),
            "mandate": str(own_point.id),
            "admin_token": admin_token,
            "group": str(group.id),
            "invitation": invitation.public_id,
        }
    )


def build_matrix_world(db: Session, world: World) -> tuple[Things, Things]:
    """Both organisations with every kind of object, a reader in B and a node administrator."""
    accounts.add_member(
        db, OPERATOR, world.orgs[ORG_B], email="b_reader@example.org", name="b", roles=["reader"]
    )
    accounts.create_user(db, OPERATOR, "node@example.org", "Node Admin", PASSWORD, True)
    # A user of the node who plays no role, for the node administrator to deactivate.
    spare = accounts.create_user(db, OPERATOR, "spare@example.org", "Spare", PASSWORD)
    db.flush()
    own, foreign = (
        organisation_things(db, world, ORG_A, "a"),
        organisation_things(db, world, ORG_B, "b"),
    )
    for things in (own, foreign):
        things.values["spare_user"] = str(spare.id)
    _identity_providers(db, world, own, foreign)
    return own, foreign


def _identity_providers(db: Session, world: World, own: Things, foreign: Things) -> None:
    """A provider each organisation accepts a domain through, and a removed one."""
    settings = {
        "name": "Matrise-IdP",
        "issuer": "https://idp.example.org",
        "client_id": "nettungen",
        "secret_ref": "env:NETTUNGEN_OIDC_MATRIX",  # pragma: allowlist secret
    }
    idp = sso.create_provider(db, OPERATOR, {"public_id": "matrix-idp", **settings})
    gone = sso.create_provider(db, OPERATOR, {"public_id": "gone-idp", **settings})
    sso.remove_provider(db, OPERATOR, gone)
    for things, orgnr in ((own, ORG_A), (foreign, ORG_B)):
        domain = sso.add_domain(
            db, OPERATOR, idp, {"organisation_number": orgnr, "domain": f"{orgnr}.example.org"}
        )
        things.values["idp"] = idp.public_id
        things.values["domain"] = str(domain.id)
    db.flush()


# The person of the world who plays each role in organisation A (and, foreign_*, in B).
PLAYERS = {
    "reader": "a_reader",
    "registrar": "a_registrar",
    "publisher": "a_publisher",
    "admin": "a_admin",
    "node_admin": "node",
    "foreign_reader": "b_reader",
    "foreign_registrar": "b_registrar",
    "foreign_publisher": "b_publisher",
    "foreign_admin": "b_admin",
}
