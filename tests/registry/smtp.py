"""A real SMTP server in the test process (aiosmtpd), keeping what it is given."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """What the server accepted, and the answers it gives to chosen recipients."""

    messages: list[EmailMessage] = field(default_factory=list)
    # recipient -> an SMTP answer such as "550 No such user" instead of accepting.
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:  # noqa: N802, E501
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]


@contextmanager
def smtp_server(
    mailbox: Mailbox, port: int | None = None, tls_context: ssl.SSLContext | None = None
) -> Iterator[int]:
    """Serve ``mailbox`` on 127.0.0.1 until the block ends; yields the port."""
    port = port or free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=tls_context,
        require_starttls=tls_context is not None,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
