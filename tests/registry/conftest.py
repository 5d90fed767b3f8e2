"""A small world for registry tests: two organisations, their agencies, people and tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.accounts.permissions import Actor
from services.registry.audit.models import AuditEntry
from services.registry.organisations import services as organisations
from services.registry.organisations.models import Organisation
from tests.registry.accounts_helpers import enrol_at_login

OPERATOR = Actor.operator()
ORG_A = "910000012"  # Drammen kommune (fictional number)
ORG_B = "910000039"  # Lier kommune (fictional number)


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    agencies: dict[str, str] = field(default_factory=dict)  # name -> public id
    tokens: dict[str, str] = field(default_factory=dict)  # user key -> bearer token

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


# user key: (organisation, roles, agencies)
PEOPLE: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "a_admin": (ORG_A, ("admin",), ()),
    "a_registrar": (ORG_A, ("registrar",), ("a_health",)),
    "a_publisher": (ORG_A, ("publisher",), ()),
    "a_reader": (ORG_A, ("reader",), ()),
    "b_registrar": (ORG_B, ("registrar",), ("b_health",)),
    "b_publisher": (ORG_B, ("publisher",), ()),
    "b_admin": (ORG_B, ("admin",), ()),
}


def build_world(db: Session) -> World:
    world = World()
    for orgnr, name, home in ((ORG_A, "Drammen kommune", "3301"), (ORG_B, "Lier kommune", "3312")):
        world.orgs[orgnr] = organisations.create_organisation(
            db,
            OPERATOR,
            {"organisation_number": orgnr, "name": name, "kind": "municipality", "home_area": home},
        )
    for key, orgnr, name in (
        ("a_health", ORG_A, "Helsestasjon"),
        ("a_family", ORG_A, "Familiens hus"),
        ("b_health", ORG_B, "Helsestasjon"),
    ):
        world.agencies[key] = organisations.create_agency(
            db, OPERATOR, world.orgs[orgnr], name, None
        ).public_id
    for key, (orgnr, roles, agency_keys) in PEOPLE.items():
        membership = accounts.add_member(
            db,
            OPERATOR,
            world.orgs[orgnr],
            email=f"{key}@example.org",
            name=key,
            roles=roles,
            agencies=[world.agencies[a] for a in agency_keys],
        )
        issued = accounts.issue_token(db, OPERATOR, membership.user, world.orgs[orgnr], "tests")
        world.tokens[key] = issued.plaintext
    db.flush()
    return world


@pytest.fixture
def world(db: Session) -> World:
    return build_world(db)


def offer_input(agency: str, **overrides: Any) -> dict[str, Any]:
    """A complete, valid mapping form for one offer."""
    return {
        "agency": agency,
        "name": "Helsestasjon for ungdom",
        "description": "Åpen helsestasjon for ungdom 13–20 år, uten timeavtale.",
        "access": "open",
        "level": 1,
        "category": "public",
        "age_min": 13,
        "age_max": 20,
        "audiences": ["youth"],
        "risk_groups": ["bullying"],
        "statutory_duties": ["hol-3-2-helsestasjon"],
        "contact": {"phone": "32 04 00 00", "email": "hfu@example.org"},
        **overrides,
    }


def audit_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEntry)) or 0


PASSWORD = "et-langt-passord-for-test"


def login(client, email: str, password: str = PASSWORD) -> dict[str, str]:
    """Log in through the form like a browser; return the CSRF header for later writes."""
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": csrf}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/login/enrol":  # a node administrator's first login
        enrol_at_login(client)
    return {"X-CSRFToken": client.get("/api/v1/me").get_json()["csrf_token"]}


@pytest.fixture
def node_admin(db: Session, client) -> dict[str, str]:
    """A logged-in node administrator; returns the CSRF header."""
    accounts.create_user(db, OPERATOR, "node@example.org", "Node Admin", PASSWORD, True)
    db.flush()
    return login(client, "node@example.org")


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    """The size of the access matrix, when its tests ran (issue 9's closing note asks for it)."""
    from tests.registry.test_access_matrix import MATRIX

    if MATRIX:
        terminalreporter.write_line(
            f"access matrix: {MATRIX.get('routes', 0)} routes × {MATRIX.get('roles', 0)} roles "
            f"= {MATRIX.get('routes', 0) * MATRIX.get('roles', 0)} requests; "
            f"{MATRIX.get('crossed', 0)} routes with another organisation's object; "
            f"{MATRIX.get('csrf', 0)} writes × 2 without a valid CSRF token"
        )
