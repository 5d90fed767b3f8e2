"""Where mails go: an SMTP server (``SMTP_URL``), or, unset, ``.eml`` files in the instance
folder and the log, so a demo or a developer can read every mail."""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

log = logging.getLogger("nettungen.registry.mail")
TIMEOUT_SECONDS = 30


class Connection(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class Transport(Protocol):
    def connect(self) -> Connection:
        """A connection for a batch of mails; raises OSError when the server is unreachable."""
        ...


@dataclass(frozen=True)
class SmtpTransport:
    host: str
    port: int
    implicit_tls: bool = False
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    tls_context: ssl.SSLContext | None = None

    @classmethod
    def from_url(cls, url: str, tls_context: ssl.SSLContext | None = None) -> SmtpTransport:
        """``smtp://[user:password@]host:port[?starttls=1]`` or ``smtps://...``."""
        parts = urlsplit(url)
        implicit = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (465 if implicit else 25),
            implicit_tls=implicit,
            starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            tls_context=tls_context,
        )

    def connect(self) -> SmtpConnection:
        context = self.tls_context or ssl.create_default_context()
        client: smtplib.SMTP
        if self.implicit_tls:
            client = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT_SECONDS, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
        try:
            if self.starttls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
        except BaseException:
            client.close()
            raise
        return SmtpConnection(client)


@dataclass
class SmtpConnection:
    client: smtplib.SMTP

    def send(self, message: EmailMessage) -> None:
        self.client.send_message(message)

    def close(self) -> None:
        try:
            self.client.quit()
        except (smtplib.SMTPException, OSError):
            self.client.close()


@dataclass(frozen=True)
class FileTransport:
    """Each mail as ``<folder>/<outbox id>.eml``, written again on a retry, and a log line."""

    folder: Path

    def connect(self) -> FileConnection:
        self.folder.mkdir(parents=True, exist_ok=True)
        return FileConnection(self.folder)


@dataclass
class FileConnection:
    folder: Path

    def send(self, message: EmailMessage) -> None:
        path = self.folder / f"{message['X-Nettungen-Outbox-Id']}.eml"
        path.write_bytes(bytes(message))
        log.info(
            "mail written to %s (SMTP_URL is unset): to %s, %r",
            path,
            message["To"],
            message["Subject"],
        )

    def close(self) -> None:
        """Nothing to close: each mail is its own file."""


def transport_for(smtp_url: str, instance_path: str) -> Transport:
    """The SMTP server of ``smtp_url``, or ``<instance_path>/mail/`` when it is empty."""
    if smtp_url:
        return SmtpTransport.from_url(smtp_url)
    return FileTransport(Path(instance_path) / "mail")
