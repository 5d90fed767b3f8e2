"""``nettungen registry retention``: erase the personal data whose retention period is over."""

from __future__ import annotations

import click

from services.registry.accounts.permissions import Actor
from services.registry.retention.services import apply_retention
from shared.cli import PassContext, ServiceContext
from shared.db import utcnow


def add_retention_command(group: click.Group, pass_context: PassContext) -> None:
    """Add ``retention`` to the registry's commands."""

    @group.command("retention")
    @pass_context
    def retention(ctx: ServiceContext) -> None:
        """Erase personal data older than PERSONAL_DATA_RETENTION_DAYS: members removed from
        their last organisation become a pseudonym (user-<id>), workspace member and login
        entries of the audit trail lose names, addresses and phones, spent invitations and
        sent mails go. Run it daily (a timer or CronJob); running it again erases nothing
        more."""
        days = ctx.settings["PERSONAL_DATA_RETENTION_DAYS"]
        with ctx.transaction() as session:
            report = apply_retention(session, Actor.operator(), utcnow(), days)
        click.echo(
            f"Older than {days} days: {report.users} removed member(s) erased, "
            f"{report.workspace_entries} workspace member entr(ies), "
            f"{report.login_entries} login entr(ies) and {report.invitation_entries} "
            f"invitation entr(ies) of the audit trail cleared, {report.login_failures} login "
            f"failure(s), {report.account_tokens} spent invitation(s) or reset(s) and "
            f"{report.mails} mail(s) deleted."
        )
