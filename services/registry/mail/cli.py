"""``nettungen registry mail send``: deliver the outbox; ``nettungen registry notify``: the
periodic mails (the weekly digest of offers past their review date)."""

from __future__ import annotations

import click

from services.registry.mail import notifications
from services.registry.mail.sending import Envelope, Sender
from services.registry.mail.services import use_base_url
from services.registry.mail.transport import transport_for
from shared.cli import PassContext, ServiceContext, log_to_stdout, stop_on_signals
from shared.db import utcnow


def sender_for(ctx: ServiceContext) -> Sender:
    """A sender with the node's settings: its database, SMTP server (or folder) and From."""
    settings = ctx.settings
    return Sender(
        ctx.sessions,
        transport_for(settings["SMTP_URL"], settings["INSTANCE_PATH"]),
        Envelope(settings["MAIL_FROM"], settings["MAIL_REPLY_TO"]),
        max_attempts=settings["MAIL_MAX_ATTEMPTS"],
    )


def add_mail_commands(group: click.Group, pass_context: PassContext) -> None:
    """Add ``mail send`` and ``notify`` to the registry's commands."""

    @group.group("mail")
    def mail_group() -> None:
        """Mail: the outbox and its sender."""

    @mail_group.command("send")
    @click.option("--once", is_flag=True, help="Send what is due now, then stop.")
    @click.option("--poll", default=5.0, show_default=True, help="Seconds between looks.")
    @pass_context
    def send(ctx: ServiceContext, once: bool, poll: float) -> None:
        """Send the outbox's due mails until stopped (SIGTERM or Ctrl-C), retrying with
        back-off; with SMTP_URL unset they are written to <INSTANCE_PATH>/mail/."""
        log_to_stdout("registry")
        sender = sender_for(ctx)
        if once:
            report = sender.send_due()
            click.echo(
                f"{report.sent} sent, {report.retrying} to retry, {report.failed} failed"
                + (" (the mail server is unreachable)" if report.unreachable else "")
            )
            return
        sender.run(stop_on_signals(), poll_seconds=poll)

    @group.command("notify")
    @pass_context
    def notify(ctx: ServiceContext) -> None:
        """Write the periodic mails to the outbox: each registrar's weekly digest of their
        agencies' offers past their review date. Run it daily or weekly (a timer or CronJob);
        a registrar gets at most one digest a week. The sender delivers them."""
        now = utcnow()
        with ctx.transaction() as session:
            use_base_url(session, ctx.settings["REGISTRY_BASE_URL"])
            written = notifications.review_digests(session, now.date(), now)
        click.echo(f"{written} review digests written to the outbox.")
