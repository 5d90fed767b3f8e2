"""The sender: takes due mails from the outbox and delivers them, at least once and never lost.

A sender claims a batch of due mails in one short transaction (status ``sending``, with a
lease), so two senders never send the same mail; one that dies leaves its claims to expire and
another (or itself, restarted) takes them over. Each mail is marked sent in its own
transaction right after the server took it; the only window for a second delivery is a crash
between those two, and then the retry carries the same Message-ID, by which receivers
recognise it. A server that cannot be reached costs no mail an attempt: the sender waits and
tries again. A mail the server refuses for good (5xx), or that keeps failing, is marked
``failed`` and kept for node admins.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from services.registry.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMail
from services.registry.mail.transport import Connection, Transport
from shared.bus.backoff import Backoff
from shared.db import utcnow

log = logging.getLogger("nettungen.registry.mail")

BATCH = 50
LEASE = dt.timedelta(minutes=10)
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Envelope:
    mail_from: str
    reply_to: str = ""


class _ServerProblem(Exception):
    """The server went away, or refuses our sender address: not the mail's fault."""


# Failures of the connection or of the node's own settings rather than of one mail: they cost
# no mail an attempt (a long outage or a wrong MAIL_FROM must not use up every mail's retries).
SERVER_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPSenderRefused,
    ConnectionError,
    TimeoutError,
)


@dataclass
class Report:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unreachable: bool = False


@dataclass
class Sender:
    sessions: sessionmaker[Session]
    transport: Transport
    envelope: Envelope
    max_attempts: int = 10
    worker: str = field(default_factory=lambda: uuid.uuid4().hex)
    clock: Callable[[], dt.datetime] = utcnow

    def send_due(self) -> Report:
        """Claim the mails that are due, send them and record each outcome."""
        ids = self._claim()
        report = Report()
        if not ids:
            return report
        try:
            connection = self.transport.connect()
        except (OSError, smtplib.SMTPException) as exc:
            log.warning("mail server unreachable, %s mails wait: %s", len(ids), exc)
            self._release(ids, f"server unreachable: {exc}")
            report.unreachable = True
            return report
        waiting = list(ids)
        try:
            while waiting:
                self._send_one(connection, waiting[0], report)
                waiting.pop(0)
        except _ServerProblem as exc:
            log.warning("mail server problem, %s mails wait: %s", len(waiting), exc)
            self._release(waiting, f"server problem: {exc}")
            report.unreachable = True
        finally:
            connection.close()
        return report

    def _due(self, now: dt.datetime) -> ColumnElement[bool]:
        return or_(
            and_(OutboxMail.status == PENDING, OutboxMail.next_attempt_at <= now),
            and_(OutboxMail.status == SENDING, OutboxMail.claimed_until < now),
        )

    def _claim(self) -> list[int]:
        now = self.clock()
        claimed = []
        with self.sessions.begin() as session:
            query = select(OutboxMail.id).where(self._due(now)).order_by(OutboxMail.id)
            for mail_id in session.scalars(query.limit(BATCH)).all():
                # The condition again in the UPDATE: a concurrent sender that claimed the
                # row first makes it match nothing here.
                result = session.execute(
                    update(OutboxMail)
                    .where(OutboxMail.id == mail_id, self._due(now))
                    .values(status=SENDING, claimed_by=self.worker, claimed_until=now + LEASE)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    claimed.append(mail_id)
        return claimed

    def _release(self, ids: list[int], error: str) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxMail)
                .where(OutboxMail.id.in_(ids), OutboxMail.claimed_by == self.worker)
                .values(status=PENDING, claimed_by=None, claimed_until=None, last_error=error)
            )

    def _send_one(self, connection: Connection, mail_id: int, report: Report) -> None:
        with self.sessions() as session:
            mail = session.get(OutboxMail, mail_id)
            if mail is None or mail.claimed_by != self.worker:
                return
            message = build_message(mail, self.envelope)
        try:
            connection.send(message)
        except SERVER_ERRORS as exc:
            raise _ServerProblem(str(exc)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._record_failure(mail_id, exc, report)
            return
        self._update(mail_id, status=SENT, sent_at=self.clock(), last_error=None)
        report.sent += 1

    def _record_failure(self, mail_id: int, exc: Exception, report: Report) -> None:
        with self.sessions.begin() as session:
            mail = session.get(OutboxMail, mail_id)
            if mail is None or mail.claimed_by != self.worker:
                return
            mail.attempts += 1
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            mail.claimed_by = mail.claimed_until = None
            if _permanent(exc) or mail.attempts >= self.max_attempts:
                mail.status = FAILED
                report.failed += 1
                log.error("mail %s to %s failed for good: %s", mail_id, mail.to_address, exc)
            else:
                mail.status = PENDING
                mail.next_attempt_at = self.clock() + retry_delay(mail.attempts)
                report.retrying += 1
                log.warning("mail %s to %s will be retried: %s", mail_id, mail.to_address, exc)

    def _update(self, mail_id: int, **values: object) -> None:
        with self.sessions.begin() as session:
            session.execute(
                update(OutboxMail)
                .where(OutboxMail.id == mail_id, OutboxMail.claimed_by == self.worker)
                .values(claimed_by=None, claimed_until=None, **values)
            )

    def run(self, stop: threading.Event, poll_seconds: float = 5.0) -> None:
        """Send due mails until ``stop`` is set; back off while the server is unreachable."""
        backoff = Backoff(first=poll_seconds, longest=300.0)
        while not stop.is_set():
            report = self.send_due()
            if report.unreachable:
                backoff.wait(stop)
                continue
            backoff.reset()
            stop.wait(poll_seconds)


def retry_delay(attempts: int) -> dt.timedelta:
    """How long a mail that failed ``attempts`` times waits: doubling, with some jitter."""
    seconds = min(FIRST_RETRY_SECONDS * 2 ** (attempts - 1), LONGEST_RETRY_SECONDS)
    return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311 - not crypto


def _permanent(exc: Exception) -> bool:
    """The server refused this mail for good (a 5xx answer to its recipient or its content):
    retrying cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def build_message(mail: OutboxMail, envelope: Envelope) -> EmailMessage:
    """The mail as sent: the same headers, Message-ID included, on every attempt."""
    message = EmailMessage()
    message["Message-ID"] = mail.message_id
    message["Date"] = format_datetime(mail.created_at)
    message["From"] = envelope.mail_from
    message["To"] = mail.to_address
    if envelope.reply_to:
        message["Reply-To"] = envelope.reply_to
    message["Subject"] = mail.subject
    # Tells auto-responders not to answer (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["X-Nettungen-Outbox-Id"] = str(mail.id)
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    # After the parts: making the message multipart moves Content-* headers into its first part.
    message["Content-Language"] = mail.language
    return message
