"""The accounts service layer, as its callers use it: users and passwords (``users``),
memberships (``memberships``), invitations (``invitations``), one-time links (``onetime``),
the password policy, resets and changes (``passwords``), API tokens (``tokens``), login
(``login``), browser sessions (``browser_sessions``) and the node's users for its
administrators (``node_users``).

Each part is a Flask-free module of its own; this module is the one name pages, the API, the
command line and the demo import them by.
"""

from __future__ import annotations

from services.registry.accounts.browser_sessions import (
    SessionLimits,
    begin_session,
    end_own_session,
    end_session,
    end_sessions,
    find_session,
    get_own_session,
    is_session_of,
    list_sessions,
    prune_sessions,
)
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
from services.registry.accounts.node_users import (
    deactivate_user,
    get_user,
    list_users,
    reactivate_user,
)
from services.registry.accounts.passwords import (
    PASSWORD_MAX_LENGTH,
    PASSWORD_MIN_LENGTH,
    change_own_password,
    check_policy,
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
    "SessionLimits",
    "Throttle",
    "accept_invitation",
    "accept_invitation_as_user",
    "add_member",
    "authenticate_token",
    "begin_session",
    "build_actor",
    "change_own_password",
    "check_policy",
    "check_throttle",
    "create_user",
    "get_invitation",
    "deactivate_user",
    "end_own_session",
    "end_session",
    "end_sessions",
    "find_session",
    "get_membership",
    "get_own_session",
    "get_user",
    "get_user_by_email",
    "has_account",
    "hash_password",
    "invite",
    "is_session_of",
    "issue_token",
    "list_invitations",
    "list_members",
    "list_sessions",
    "list_tokens",
    "list_users",
    "login",
    "normalise_email",
    "open_invitation",
    "organisation_of",
    "prune_sessions",
    "reactivate_user",
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
