"""The accounts service layer, as its callers use it: users and passwords (``users``),
memberships (``memberships``), API tokens (``tokens``), login (``login``), browser sessions
(``browser_sessions``) and the node's users for its administrators (``node_users``).

Each part is a Flask-free module of its own; this module is the one name pages, the API, the
command line and the demo import them by.
"""

from __future__ import annotations

from services.registry.accounts.browser_sessions import (
    SessionLimits,
    begin_session,
    end_session,
    end_sessions,
    find_session,
    prune_sessions,
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
from services.registry.accounts.tokens import (
    TOKEN_PREFIX,
    IssuedToken,
    authenticate_token,
    issue_token,
    list_tokens,
    revoke_token,
)
from services.registry.accounts.users import (
    PASSWORD_MIN_LENGTH,
    build_actor,
    create_user,
    get_user_by_email,
    hash_password,
    normalise_email,
    set_password,
    verify_password,
)

__all__ = [
    "PASSWORD_MIN_LENGTH",
    "TOKEN_PREFIX",
    "IssuedToken",
    "SessionLimits",
    "Throttle",
    "add_member",
    "authenticate_token",
    "begin_session",
    "build_actor",
    "check_throttle",
    "create_user",
    "deactivate_user",
    "end_session",
    "end_sessions",
    "find_session",
    "get_membership",
    "get_user",
    "get_user_by_email",
    "hash_password",
    "issue_token",
    "list_members",
    "list_tokens",
    "list_users",
    "login",
    "normalise_email",
    "prune_sessions",
    "reactivate_user",
    "record_login_failure",
    "remove_member",
    "revoke_token",
    "set_password",
    "update_member",
    "verify_password",
]
