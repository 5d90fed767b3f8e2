"""The accounts service layer, as its callers use it: users and passwords (``users``),
memberships (``memberships``), invitations (``invitations``), one-time links (``onetime``),
the password policy, resets and changes (``passwords``), API tokens (``tokens``) and login
(``login``).

Each part is a Flask-free module of its own; this module is the one name pages, the API, the
command line and the demo import them by.
"""

from __future__ import annotations

from services.registry.accounts.invitations import (
    accept_invitation,
    accept_invitation_as_user,
    get_invitation,
    has_account,
    invite,
    list_invitations,
    open_invitation,
    organisation_of,
    resend_invitation,
    revoke_invitation,
)
from services.registry.accounts.login import (
    Throttle,
    check_throttle,
    login,
    record_login_failure,
)
from services.registry.accounts.memberships import (
    add_member,
    get_membership,
    list_members,
    remove_member,
    update_member,
)
from services.registry.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    change_own_password,
    check_policy,
    end_sessions,
    hash_password,
    request_reset,
    reset_link_is_open,
    reset_password,
    verify_password,
)
from services.registry.accounts.tokens import (
    TOKEN_PREFIX,
    IssuedToken,
    authenticate_token,
    issue_token,
    list_tokens,
    revoke_token,
)
from services.registry.accounts.users import (
    build_actor,
    create_user,
    get_user_by_email,
    normalise_email,
    set_password,
)

__all__ = [
    "PASSWORD_MAX_LENGTH",
    "PASSWORD_MIN_LENGTH",
    "TOKEN_PREFIX",
    "IssuedToken",
    "Throttle",
    "accept_invitation",
    "accept_invitation_as_user",
    "add_member",
    "authenticate_token",
    "build_actor",
    "change_own_password",
    "check_policy",
    "check_throttle",
    "create_user",
    "end_sessions",
    "get_invitation",
    "get_membership",
    "get_user_by_email",
    "has_account",
    "hash_password",
    "invite",
    "issue_token",
    "list_invitations",
    "list_members",
    "list_tokens",
    "login",
    "normalise_email",
    "open_invitation",
    "organisation_of",
    "record_login_failure",
    "remove_member",
    "request_reset",
    "resend_invitation",
    "reset_link_is_open",
    "reset_password",
    "revoke_invitation",
    "revoke_token",
    "set_password",
    "update_member",
    "verify_password",
]
