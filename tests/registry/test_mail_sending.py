"""The sender against a real SMTP server: each mail once, in its language; nothing lost when
the server is down or the sender dies; failures kept, never dropped."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import ssl
import subprocess
import sys
import threading
from email.message import EmailMessage

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.cli import main
from services.registry.mail import services as mail
from services.registry.mail.models import FAILED, PENDING, SENDING, SENT, OutboxMail
from services.registry.mail.sending import LEASE, Envelope, Sender
from services.registry.mail.transport import SmtpTransport
from shared.db import create_engine, utcnow
from tests.deploy.tls import self_signed_certificate
from tests.registry.smtp import Mailbox, free_port, smtp_server

ENVELOPE = Envelope("Nettungen <no-reply@registry.example.org>", "support@example.org")
PARAMS = {
    "offer_title": "Barselgruppe",
    "submitted_by": "Reidar",
    "organisation_name": "Drammen kommune",
    "review_path": "/review/abc",
}


@pytest.fixture
def database(node_database_factory) -> str:
    return node_database_factory()


@pytest.fixture
def sessions(database):
    engine = create_engine(database, sqlite_begin="IMMEDIATE")
    yield sessionmaker(engine, expire_on_commit=False)
    engine.dispose()


def enqueue(sessions: sessionmaker[Session], *languages: str) -> list[str]:
    """Commit one mail per language, as a workflow transaction would; their Message-IDs."""
    with sessions.begin() as session:
        mail.use_base_url(session, "https://registry.example.org")
        rows = [
            mail.enqueue_mail(
                session,
                to=f"{lang}@example.org",
                language=lang,
                template="review_requested",
                params=PARAMS,
            )
            for lang in languages
        ]
        session.flush()
        return [row.message_id for row in rows]


def rows(sessions: sessionmaker[Session]) -> list[OutboxMail]:
    with sessions() as session:
        return list(session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def sender(sessions, port: int, **kwargs) -> Sender:
    return Sender(sessions, SmtpTransport("127.0.0.1", port), ENVELOPE, **kwargs)


def test_each_mail_is_sent_once_in_its_language_with_a_working_link(sessions):
    ids = enqueue(sessions, "nb", "nn", "en")
    box = Mailbox()
    with smtp_server(box) as port:
        assert sender(sessions, port).send_due().sent == 3
        assert sender(sessions, port).send_due().sent == 0
    assert box.message_ids() == ids
    by_language = {str(m["Content-Language"]): m for m in box.messages}
    assert by_language["nb"]["Subject"] == "Til kvalitetssjekk: Barselgruppe"
    assert by_language["en"]["Subject"] == "For review: Barselgruppe"
    nn: EmailMessage = by_language["nn"]
    assert nn["To"] == "nn@example.org"
    assert nn["From"] == ENVELOPE.mail_from and nn["Reply-To"] == ENVELOPE.reply_to
    assert nn["Auto-Submitted"] == "auto-generated"
    text = nn.get_body(("plain",)).get_content()
    html = nn.get_body(("html",)).get_content()
    assert "Reidar har sendt tilbodet «Barselgruppe» til kvalitetssjekk." in text
    assert "https://registry.example.org/review/abc" in text
    assert 'href="https://registry.example.org/review/abc"' in html
    assert all(row.status == SENT and row.sent_at and row.attempts == 0 for row in rows(sessions))


def test_the_outbox_survives_the_server_being_down_and_delivers_when_it_is_back(sessions):
    ids = enqueue(sessions, "nb", "en")
    port = free_port()  # nothing listens there yet
    report = sender(sessions, port).send_due()
    assert report.unreachable and report.sent == 0
    for row in rows(sessions):
        # Unreachable costs no attempt: a long outage cannot use up a mail's retries.
        assert row.status == PENDING and row.attempts == 0
        assert "server unreachable" in (row.last_error or "")
    box = Mailbox()
    with smtp_server(box, port):
        assert sender(sessions, port).send_due().sent == 2
    assert box.message_ids() == ids


class Crash(BaseException):
    """The sender dies (SIGKILL, power cut): nothing of it runs on."""


class DyingConnection:
    def __init__(self, connection, survive: int) -> None:
        self.connection, self.survive = connection, survive

    def send(self, message: EmailMessage) -> None:
        if self.survive == 0:
            raise Crash
        self.survive -= 1
        self.connection.send(message)

    def close(self) -> None:
        self.connection.close()


class DyingTransport:
    def __init__(self, transport: SmtpTransport, survive: int) -> None:
        self.transport, self.survive = transport, survive

    def connect(self) -> DyingConnection:
        return DyingConnection(self.transport.connect(), self.survive)


@pytest.mark.parametrize("survive", [0, 2])
def test_a_crash_between_commit_and_send_loses_nothing(sessions, survive):
    ids = enqueue(sessions, "nb", "nn", "en", "nb")
    box = Mailbox()
    with smtp_server(box) as port:
        dying = Sender(
            sessions, DyingTransport(SmtpTransport("127.0.0.1", port), survive), ENVELOPE
        )
        with pytest.raises(Crash):
            dying.send_due()
        assert [r.status for r in rows(sessions)].count(SENDING) == 4 - survive
        # Claimed mails wait for their lease: a second sender does not take them at once...
        assert sender(sessions, port).send_due().sent == 0
        # ...but once it has passed.
        later = sender(sessions, port, clock=lambda: utcnow() + LEASE + dt.timedelta(seconds=1))
        assert later.send_due().sent == 4 - survive
    assert sorted(box.message_ids()) == sorted(ids)  # each exactly once
    assert all(row.status == SENT for row in rows(sessions))


def test_two_senders_never_send_the_same_mail(sessions):
    ids = enqueue(sessions, *["nb", "nn", "en"] * 8)
    box = Mailbox()
    with smtp_server(box) as port:
        senders = [sender(sessions, port) for _ in range(3)]
        threads = [threading.Thread(target=s.send_due) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sender(sessions, port).send_due()
    assert sorted(box.message_ids()) == sorted(ids)


def test_a_refused_mail_is_kept_as_failed_and_a_deferred_one_is_retried(sessions):
    enqueue(sessions, "nb", "nn", "en")
    box = Mailbox(refuse={"nb@example.org": "550 No such user", "nn@example.org": "451 Later"})
    with smtp_server(box) as port:
        report = sender(sessions, port, max_attempts=2).send_due()
        assert (report.sent, report.retrying, report.failed) == (1, 1, 1)
        refused, deferred, sent = rows(sessions)
        assert refused.status == FAILED and refused.attempts == 1
        assert "No such user" in (refused.last_error or "")
        assert deferred.status == PENDING and deferred.attempts == 1
        assert deferred.next_attempt_at > utcnow() + dt.timedelta(seconds=30)
        # Not yet due; when it is and fails again, it has used its attempts.
        assert sender(sessions, port).send_due().retrying == 0
        later = sender(
            sessions, port, max_attempts=2, clock=lambda: utcnow() + dt.timedelta(hours=1)
        )
        assert later.send_due().failed == 1
    with sessions() as session:
        assert {m.to_address for m in mail.failed_mails(session)} == {
            "nb@example.org",
            "nn@example.org",
        }
    assert len(box.messages) == 1


def test_starttls(sessions, tmp_path):
    certificate, key = self_signed_certificate(tmp_path, ["localhost"])
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(certificate, key)
    client_context = ssl.create_default_context(cafile=str(certificate))
    ids = enqueue(sessions, "nb")
    box = Mailbox()
    with smtp_server(box, tls_context=server_context) as port:
        # The server requires STARTTLS: without it the mail waits, costing it no attempt.
        assert sender(sessions, port).send_due().unreachable
        assert [(r.status, r.attempts) for r in rows(sessions)] == [(PENDING, 0)]
        transport = SmtpTransport.from_url(
            f"smtp://127.0.0.1:{port}?starttls=1", tls_context=client_context
        )
        assert Sender(sessions, transport, ENVELOPE).send_due().sent == 1
    assert box.message_ids() == ids


def test_smtp_urls():
    plain = SmtpTransport.from_url("smtp://mailer:p%40ss@mail.example.org:587?starttls=1")
    assert (plain.host, plain.port, plain.starttls, plain.implicit_tls) == (
        "mail.example.org",
        587,
        True,
        False,
    )
    assert (plain.username, plain.password) == ("mailer", "p@ss")
    implicit = SmtpTransport.from_url("smtps://mail.example.org")
    assert (implicit.port, implicit.implicit_tls, implicit.username) == (465, True, None)


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_the_command_sends_over_smtp_or_writes_files(database, sessions, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SMTP_URL", raising=False)
    for key in ("SMTP_URL", "MAIL_FROM", "MAIL_REPLY_TO", "REGISTRY_BASE_URL"):
        assert key in run("registry", "config")
    first = enqueue(sessions, "nb", "en")
    # No SMTP_URL: each mail is a file to read (and a log line).
    assert "2 sent, 0 to retry, 0 failed" in run("registry", "mail", "send", "--once")
    files = sorted((tmp_path / "instance" / "mail").glob("*.eml"))
    assert [f.name for f in files] == [f"{row.id}.eml" for row in rows(sessions)]
    assert first[0] in files[0].read_text()
    second = enqueue(sessions, "nn")
    box = Mailbox()
    with smtp_server(box) as port:
        monkeypatch.setenv("SMTP_URL", f"smtp://127.0.0.1:{port}")
        monkeypatch.setenv("MAIL_FROM", "Drammen <nettungen@drammen.example.org>")
        assert "1 sent" in run("registry", "mail", "send", "--once")
    assert box.message_ids() == second
    assert box.messages[0]["From"] == "Drammen <nettungen@drammen.example.org>"
    # The periodic job runs on a node with nothing overdue (its digests are tested apart).
    assert "0 review digests written" in run("registry", "notify")


def test_the_sender_runs_until_stopped_and_waits_out_an_outage(sessions):
    ids = enqueue(sessions, "nb")
    port, box, stop = free_port(), Mailbox(), threading.Event()
    worker = threading.Thread(target=sender(sessions, port).run, args=(stop, 0.05))
    worker.start()
    try:
        with smtp_server(box, port):
            for _ in range(200):
                if box.message_ids():
                    break
                stop.wait(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)
    assert box.message_ids() == ids and not worker.is_alive()


class StallOnce(Mailbox):
    """Holds the first RCPT for ``stall_at`` until released: a moment to kill the sender in."""

    def __init__(self, stall_at: str) -> None:
        super().__init__()
        self.stall_at, self.reached, self.released = stall_at, threading.Event(), False

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address == self.stall_at and not self.reached.is_set():
            self.reached.set()
            while not self.released:
                await asyncio.sleep(0.05)
        return await super().handle_RCPT(server, session, envelope, address, options)


def test_a_sender_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    database, sessions, tmp_path
):
    ids = enqueue(sessions, "nb", "nn", "en", "nb", "nn")
    box = StallOnce("en@example.org")
    with smtp_server(box) as port:
        environment = {
            **os.environ,
            "DATABASE_URL": database,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SMTP_URL": f"smtp://127.0.0.1:{port}",
        }
        sender_process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [sys.executable, "-m", "services.cli", "registry", "mail", "send"],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert box.reached.wait(timeout=60), "the sender never reached the third mail"
        finally:
            sender_process.kill()  # SIGKILL: nothing of it runs on
            sender_process.wait(timeout=30)
            box.released = True
        assert [r.status for r in rows(sessions)] == [SENT, SENT, SENDING, SENDING, SENDING]
        later = sender(sessions, port, clock=lambda: utcnow() + LEASE + dt.timedelta(seconds=1))
        assert later.send_due().sent == 3
    assert sorted(box.message_ids()) == sorted(ids)  # each exactly once
