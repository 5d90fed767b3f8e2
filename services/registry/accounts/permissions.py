"""Who is acting, and what they may do in which organisation.

Every service function takes an :class:`Actor` and asks it before it reads or writes. An actor
that is not a member of an organisation gets 404 for that organisation's things (their existence
is not revealed); a member without the needed role gets 403.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from shared.errors import NotFound, PermissionDenied


class Role(StrEnum):
    ADMIN = "admin"
    REGISTRAR = "registrar"
    PUBLISHER = "publisher"
    READER = "reader"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str
    is_node_admin: bool = False
    # organisation id -> roles held there
    roles: Mapping[int, frozenset[Role]] = field(default_factory=dict)
    # organisation id -> agency ids a registrar may work in (chosen agencies and their sections)
    agencies: Mapping[int, frozenset[int]] = field(default_factory=dict)
    # Set when acting through an API token, which is scoped to one organisation.
    token_organisation_id: int | None = None

    @classmethod
    def operator(cls) -> Actor:
        """The operator at the command line: a node administrator without a user account."""
        return cls(user_id=None, label="cli", is_node_admin=True)

    @property
    def via_token(self) -> bool:
        return self.token_organisation_id is not None

    def is_member(self, organisation_id: int) -> bool:
        return organisation_id in self.roles

    def can_administer(self, organisation_id: int) -> bool:
        return self.is_node_admin or Role.ADMIN in self.roles.get(organisation_id, ())

    def require_visible(self, organisation_id: int, what: str = "Organisation") -> None:
        """Members and node administrators may see an organisation; others get 404."""
        if not (self.is_member(organisation_id) or self.is_node_admin):
            raise NotFound("not_found", what=what)

    def require_member(self, organisation_id: int, what: str) -> None:
        """Only members may see an organisation's offers, node administrators included."""
        if not self.is_member(organisation_id):
            raise NotFound("not_found", what=what)

    def require_admin(self, organisation_id: int) -> None:
        self.require_visible(organisation_id)
        if not self.can_administer(organisation_id):
            raise PermissionDenied("role.admin_required")

    def require_role(
        self, organisation_id: int, role: Role, what: str, agency_id: int | None = None
    ) -> None:
        self.require_member(organisation_id, what)
        if role not in self.roles[organisation_id]:
            raise PermissionDenied("role.required", role=role.value)
        if role is Role.REGISTRAR and agency_id is not None:
            if agency_id not in self.agencies.get(organisation_id, frozenset()):
                raise PermissionDenied("role.not_registrar_for_agency")
