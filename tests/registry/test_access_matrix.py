"""Every route of the registry × every role × an object of the own or a foreign organisation.

The table in ``tests/registry/access.py`` says who may use each route. Each request here runs in
a savepoint that is rolled back afterwards, so every request meets the same world. A refused
write must leave every table as it was (no row changed, no audit entry); a successful write
must leave exactly the audit entries the table names, with the actor and the organisation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from services.registry.accounts import services as accounts
from services.registry.audit.models import AuditEntry
from tests.registry.access import (
    FOREIGN,
    NODE_ACTIONS,
    PLAYERS,
    ROLES,
    ROUTES,
    TYPED_ACTOR_ACTIONS,
    UNSAFE,
    Access,
    Things,
    build_matrix_world,
    digest,
)
from tests.registry.conftest import ORG_A

MATRIX: dict[str, int] = {}
# The refused form's page: "... did not come from this site, so nothing was changed."
CSRF_PAGE = "kom ikke fra dette nettstedet"


def registry_routes(app: Any) -> set[tuple[str, str]]:
    """(method, rule) of every route the app answers, HEAD and OPTIONS aside."""
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }


def test_every_route_of_the_registry_has_a_row(app):
    routes = registry_routes(app)
    assert sorted(routes - ROUTES.keys()) == [], "add these routes to tests/registry/access.py"
    assert sorted(ROUTES.keys() - routes) == [], "these rows name routes that no longer exist"


class Visitor:
    """One role's browser: its own cookies, logged in once, and its CSRF token."""

    def __init__(self, app: Any, db: Session, role: str) -> None:
        self.role = role
        self.client = app.test_client()
        self.email = None if role == "anonymous" else f"{PLAYERS[role]}@example.org"
        self.user = accounts.get_user_by_email(db, self.email) if self.email else None
        self.csrf = ""
        self.stale = False
        # One session record for the whole run: a request that ends it (logout) is rolled
        # back with its savepoint, and the record with it.
        self.secret = (
            accounts.begin_session(db, self.user, "127.0.0.1", "matrix") if self.user else None
        )
        db.flush()
        self.sign_in()

    def sign_in(self) -> None:
        """The session the login form makes (tests/registry/test_auth.py logs in for real)."""
        if self.user is None:
            page = self.client.get("/login").get_data(as_text=True)
            found = re.search(r'name="csrf_token" value="([^"]+)"', page)
            assert found
            self.csrf = found.group(1)
            return
        with self.client.session_transaction() as session:
            session["sid"] = self.secret
        self.csrf = self.client.get("/api/v1/me").get_json()["csrf_token"]

    def send(self, method: str, access: Access, things: Things, *, csrf: str | None = "own") -> Any:
        """The route's request with its body; ``csrf`` None leaves the token out."""
        if self.stale:
            # Signed in again only now, when the last request's savepoint has given back the
            # session record that its logout ended.
            self.sign_in()
            self.stale = False
        token = self.csrf if csrf == "own" else csrf
        path = things.fill(access.path)
        body = access.body(self.client) if callable(access.body) else access.body
        body = things.fill_body(body)
        if method not in UNSAFE:
            return self.client.open(path, method=method)
        if access.is_page:
            if token is not None:
                body["csrf_token"] = token
            response = self.client.open(path, method=method, data=body)
        else:
            headers = {"X-CSRFToken": token} if token is not None else {}
            response = self.client.open(path, method=method, json=body, headers=headers)
        # The visitor is signed in as before for the next route.
        self.stale = path in ("/login", "/logout")
        return response


@pytest.fixture
def things(db, world) -> tuple[Things, Things]:
    return build_matrix_world(db, world)


@pytest.fixture
def isolated(connection: Connection) -> Iterator[Any]:
    """Runs a block in a savepoint that is rolled back, so each request meets the same world;
    counts the statements in it that write. A request that sent no INSERT, UPDATE or DELETE
    cannot have changed anything, so only one that did needs the full fingerprint."""
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes.append(statement)

    class Isolated:
        def __enter__(self) -> Isolated:
            self.savepoint = connection.begin_nested()
            writes.clear()
            return self

        def __exit__(self, *exc: object) -> None:
            self.savepoint.rollback()

        def fingerprint(self) -> str:
            """The fingerprint now, and from here on count only the request's writes."""
            writes.clear()
            return digest(connection)

        def changed(self, before: str) -> bool:
            return bool(writes) and digest(connection) != before

    event.listen(connection, "before_cursor_execute", count)
    yield Isolated()
    event.remove(connection, "before_cursor_execute", count)


def _problems(
    visitor: Visitor, method: str, rule: str, access: Access, response: Any, expected: int
) -> list[str]:
    where = f"{visitor.role} {method} {rule}"
    status = response.status_code
    if status != expected:
        return [f"{where}: {status}, expected {expected}: {response.get_data(as_text=True)[:200]}"]
    if status == 302 and visitor.role == "anonymous" and not access.allows("anonymous"):
        if not response.headers["Location"].startswith("/login"):
            return [f"{where}: redirected to {response.headers['Location']}, not the login"]
    if status >= 400 and not access.is_page and response.get_json().get("code") != status:
        return [f"{where}: the error is not in the common format"]
    return []


def _audit_problems(
    connection: Connection, visitor: Visitor, key: tuple[str, str], last_id: int, org_id: int
) -> list[str]:
    access = ROUTES[key]
    rows = connection.execute(
        select(AuditEntry.action, AuditEntry.actor_label, AuditEntry.organisation_id)
        .where(AuditEntry.id > last_id)
        .order_by(AuditEntry.id)
    ).all()
    actions = tuple(r.action for r in rows)
    where = f"{visitor.role} {key[0]} {key[1]}"
    if actions != access.audit:
        return [f"{where}: audit {actions}, expected {access.audit}"]
    wrong = [
        r for r in rows if r.actor_label != visitor.email and r.action not in TYPED_ACTOR_ACTIONS
    ]
    wrong += [
        r
        for r in rows
        if access.tenant and r.organisation_id != (None if r.action in NODE_ACTIONS else org_id)
    ]
    return [f"{where}: audit entry {r} names the wrong actor or organisation" for r in wrong]


def _last_audit_id(connection: Connection) -> int:
    return connection.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc())) or 0


def test_every_route_answers_every_role_as_the_table_says(
    app, db, connection, world, things, isolated
):
    """Own roles address organisation A's objects; foreign roles (members of B with that
    role) address A's objects too, and get 404 wherever a route belongs to an organisation."""
    own, _foreign = things
    org_id = world.orgs[ORG_A].id
    # Every request is rolled back, so every one starts from this state.
    unchanged, last = digest(connection), _last_audit_id(connection)
    problems = []
    for role in ROLES + FOREIGN:
        visitor = Visitor(app, db, role)
        for key, access in sorted(ROUTES.items()):
            method, rule = key
            with isolated as block:
                before = unchanged
                if access.prepare is not None:
                    access.prepare(connection, own)
                    before = block.fingerprint()
                response = visitor.send(method, access, own)
                problems += _problems(
                    visitor, method, rule, access, response, access.expected(role)
                )
                response.close()
                if method not in UNSAFE:
                    continue
                if access.allows(role) and access.audit:
                    problems += _audit_problems(connection, visitor, key, last, org_id)
                elif rule != "/login" and block.changed(before):
                    problems.append(f"{role} {method} {rule}: refused, yet something changed")
    MATRIX["routes"] = len(ROUTES)
    MATRIX["roles"] = len(ROLES + FOREIGN)
    assert not problems, "\n".join(problems)


def _object_routes() -> list[tuple[str, str]]:
    return sorted(
        key
        for key, access in ROUTES.items()
        if access.tenant and set(re.findall(r"{(\w+)}", access.path)) - {"org"}
    )


def test_an_object_of_another_organisation_is_not_found_through_ones_own(
    app, db, connection, things, isolated
):
    """A's members, each with the right for the route, address B's objects under A's address
    (and, on the API, directly): 404, and nothing changes."""
    own, foreign = things
    crossed = Things({**foreign.values, "org": own.values["org"]})
    unchanged = digest(connection)
    visitors: dict[str, Visitor] = {}
    problems = []
    for key in _object_routes():
        method, rule = key
        access = ROUTES[key]
        role = next(r for r in ROLES if r in access.allowed and r != "node_admin")
        visitor = visitors.get(role) or visitors.setdefault(role, Visitor(app, db, role))
        with isolated as block:
            response = visitor.send(method, access, crossed)
            problems += _problems(visitor, method, rule, access, response, 404)
            response.close()
            if method in UNSAFE and block.changed(unchanged):
                problems.append(f"{role} {method} {rule}: refused, yet something changed")
    MATRIX["crossed"] = len(_object_routes())
    assert not problems, "\n".join(problems)


def _unsafe_routes() -> list[tuple[str, str]]:
    return sorted(key for key in ROUTES if key[0] in UNSAFE)


def test_every_write_refuses_a_missing_or_wrong_csrf_token(app, db, connection, things, isolated):
    """A browser session's writes, forms and API alike, need the session's CSRF token."""
    own, _foreign = things
    unchanged = digest(connection)
    visitors: dict[str, Visitor] = {}
    problems = []
    for key in _unsafe_routes():
        method, rule = key
        access = ROUTES[key]
        role = next(r for r in ROLES if r in access.allowed and r != "anonymous")
        visitor = visitors.get(role) or visitors.setdefault(role, Visitor(app, db, role))
        for token in (None, "forged-token"):
            with isolated as block:
                response = visitor.send(method, access, own, csrf=token)
                problems += _problems(visitor, method, rule, access, response, 400)
                if access.is_page and CSRF_PAGE not in response.get_data(as_text=True):
                    problems.append(f"{role} {method} {rule}: the page does not say why")
                response.close()
                if block.changed(unchanged):
                    problems.append(f"{role} {method} {rule}: no CSRF token, yet it changed")
    MATRIX["csrf"] = len(_unsafe_routes())
    assert not problems, "\n".join(problems)
