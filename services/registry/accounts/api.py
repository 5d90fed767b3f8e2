"""HTTP API for the acting user, personal API tokens and the members of an organisation."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from services.registry.accounts import services
from services.registry.accounts.models import AccountToken, ApiToken, Membership, User
from services.registry.accounts.schemas import (
    InvitationCreateSchema,
    InvitationSchema,
    IssuedTokenSchema,
    MemberCreateSchema,
    MemberSchema,
    MemberUpdateSchema,
    MeSchema,
    TokenCreateSchema,
    TokenSchema,
)
from services.registry.context import current_actor
from services.registry.organisations.api import organisation
from shared.errors import NotFound
from shared.i18n import current_language
from shared.web import db_session

blp = Blueprint(
    "accounts",
    __name__,
    url_prefix="/api/v1",
    description=(
        "The acting user, personal API tokens, the members of an organisation and the "
        "invitations to it."
    ),
)


def _me() -> User:
    user = db_session().get(User, current_actor().user_id)
    if user is None:
        raise NotFound("user.not_found")
    return user


@blp.route("/me")
class Me(MethodView):
    @blp.response(200, MeSchema)
    def get(self) -> dict[str, Any]:
        """Who I am, and my roles in each organisation."""
        actor, user = current_actor(), _me()
        memberships = [m for m in user.memberships if m.organisation_id in actor.roles]
        token_org = next(
            (
                m.organisation.organisation_number
                for m in memberships
                if m.organisation_id == actor.token_organisation_id
            ),
            None,
        )
        return {
            "id": user.id,
            "email": user.email,
            "name": user.name,
            "is_node_admin": actor.is_node_admin,
            "memberships": memberships,
            "token_organisation": token_org,
            "csrf_token": None if actor.via_token else generate_csrf(),
        }


@blp.route("/me/tokens")
class Tokens(MethodView):
    @blp.response(200, TokenSchema(many=True))
    def get(self) -> list[ApiToken]:
        """My API tokens (never their secrets)."""
        return services.list_tokens(db_session(), current_actor(), _me())

    @blp.arguments(TokenCreateSchema)
    @blp.response(201, IssuedTokenSchema)
    def post(self, data: dict[str, Any]) -> services.IssuedToken:
        """Create a token for one of my organisations; the secret is in this response only."""
        return services.issue_token(
            db_session(),
            current_actor(),
            _me(),
            organisation(data["organisation"]),
            data["name"],
            data.get("expires_in_days"),
        )


@blp.route("/me/tokens/<token_id>")
class TokenItem(MethodView):
    @blp.response(200, TokenSchema)
    def delete(self, token_id: str) -> ApiToken:
        """Revoke a token at once."""
        return services.revoke_token(db_session(), current_actor(), token_id)


@blp.route("/organisations/<orgnr>/members")
class Members(MethodView):
    @blp.response(200, MemberSchema(many=True))
    def get(self, orgnr: str) -> list[Membership]:
        return services.list_members(db_session(), current_actor(), organisation(orgnr))

    @blp.arguments(MemberCreateSchema)
    @blp.response(201, MemberSchema)
    def post(self, data: dict[str, Any], orgnr: str) -> Membership:
        """Node administrators: give a person roles here at once; a new e-mail address creates
        the user. An organisation's administrator invites instead (``/invitations``)."""
        return services.add_member(
            db_session(),
            current_actor(),
            organisation(orgnr),
            email=data["email"],
            name=data.get("name"),
            roles=data["roles"],
            agencies=data["agencies"],
            password=data.get("password"),
            # A password chosen by someone else is replaced at the person's first login.
            must_change_password=True,
        )


@blp.route("/organisations/<orgnr>/members/<int:user_id>")
class MemberItem(MethodView):
    @blp.response(200, MemberSchema)
    def get(self, orgnr: str, user_id: int) -> Membership:
        return services.get_membership(db_session(), current_actor(), organisation(orgnr), user_id)

    @blp.arguments(MemberUpdateSchema)
    @blp.response(200, MemberSchema)
    def patch(self, data: dict[str, Any], orgnr: str, user_id: int) -> Membership:
        session, actor = db_session(), current_actor()
        membership = services.get_membership(session, actor, organisation(orgnr), user_id)
        return services.update_member(
            session, actor, membership, roles=data.get("roles"), agencies=data.get("agencies")
        )

    @blp.response(204)
    def delete(self, orgnr: str, user_id: int) -> None:
        session, actor = db_session(), current_actor()
        membership = services.get_membership(session, actor, organisation(orgnr), user_id)
        services.remove_member(session, actor, membership)


def _invitation_path(secret: str) -> str:
    return url_for("pages.invitation", secret=secret)


@blp.route("/organisations/<orgnr>/invitations")
class Invitations(MethodView):
    @blp.response(200, InvitationSchema(many=True))
    def get(self, orgnr: str) -> list[AccountToken]:
        """Invitations not yet accepted or withdrawn (expired ones too, to send again)."""
        return services.list_invitations(db_session(), current_actor(), organisation(orgnr))

    @blp.arguments(InvitationCreateSchema)
    @blp.response(201, InvitationSchema)
    def post(self, data: dict[str, Any], orgnr: str) -> AccountToken:
        """Invite a person by e-mail: the link is mailed (in the request's language), valid
        7 days, and the person is a member only once they accept. The answer is the same
        whether or not the address has an account on the node."""
        return services.invite(
            db_session(),
            current_actor(),
            organisation(orgnr),
            email=data["email"],
            roles=data["roles"],
            agencies=data["agencies"],
            path_to=_invitation_path,
            language=current_language(),
        )


@blp.route("/organisations/<orgnr>/invitations/<invitation_id>")
class InvitationItem(MethodView):
    @blp.response(204)
    def delete(self, orgnr: str, invitation_id: str) -> None:
        """Withdraw an invitation: its link stops working at once."""
        session, actor = db_session(), current_actor()
        invitation = services.get_invitation(session, actor, organisation(orgnr), invitation_id)
        services.revoke_invitation(session, actor, invitation)


@blp.route("/organisations/<orgnr>/invitations/<invitation_id>/resend")
class InvitationResend(MethodView):
    @blp.response(200, InvitationSchema)
    def post(self, orgnr: str, invitation_id: str) -> AccountToken:
        """Mail a new link, valid 7 days from now; the old link stops working."""
        session, actor = db_session(), current_actor()
        invitation = services.get_invitation(session, actor, organisation(orgnr), invitation_id)
        services.resend_invitation(session, actor, invitation, _invitation_path)
        return invitation
