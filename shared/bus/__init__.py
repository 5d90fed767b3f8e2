"""The federation's message bus: RabbitMQ in production, an embedded bus by default.

Both transports keep one contract (:mod:`shared.bus.contract`): what the code above them may
count on. :mod:`shared.bus.amqp` speaks it to RabbitMQ (``amqp://``), :mod:`shared.bus.embedded`
keeps it in one SQLite file (``embedded:///path/bus.sqlite``) for the zero-configuration demo.
Open a transport by URL with :func:`open_publisher` and :func:`open_consumer`; kombu is loaded
only when RabbitMQ is used.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.bus.contract import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_LIMIT,
    DEFER_SECONDS,
    EMBEDDED_SCHEME,
    BatchHandler,
    BatchResult,
    BusUnavailable,
    Consumer,
    Deferred,
    Handler,
    IncomingMessage,
    OutgoingMessage,
    Publisher,
    Reject,
    destination_of,
    event_body,
    is_embedded,
    publish_options,
    topic_matches,
)
from shared.bus.embedded import CLAIM_SECONDS, EmbeddedConsumer, EmbeddedPublisher
from shared.bus.embedded import ping as ping_embedded

__all__ = [
    "CLAIM_SECONDS",
    "DEAD_LETTER_EXCHANGE",
    "DEAD_LETTER_LIMIT",
    "DEFER_SECONDS",
    "EMBEDDED_SCHEME",
    "BatchHandler",
    "BatchResult",
    "BusUnavailable",
    "Consumer",
    "Deferred",
    "EmbeddedConsumer",
    "EmbeddedPublisher",
    "Handler",
    "IncomingMessage",
    "OutgoingMessage",
    "Publisher",
    "Reject",
    "destination_of",
    "event_body",
    "open_consumer",
    "open_publisher",
    "ping",
    "publish_options",
    "topic_matches",
]


def ping(url: str) -> None:
    """Raise :class:`BusUnavailable` unless the bus at ``url`` answers (for health checks)."""
    if is_embedded(url):
        ping_embedded(url)
        return
    from shared.bus.amqp import ping as ping_amqp

    ping_amqp(url)


def open_publisher(url: str) -> Publisher:
    """A publisher on the bus at ``url`` (connected on first use)."""
    if is_embedded(url):
        return EmbeddedPublisher(url)
    from shared.bus.amqp import AmqpPublisher

    return AmqpPublisher(url)


def open_consumer(
    url: str,
    queue: str,
    bindings: Iterable[str],
    prefetch: int = 100,
    dead_letter_limit: int = DEAD_LETTER_LIMIT,
) -> Consumer:
    """A consumer of ``queue``, bound to the routing-key patterns ``bindings`` (declared when
    it connects); ``prefetch`` is how many unacknowledged messages RabbitMQ may send ahead;
    its dead-letter queue keeps the newest ``dead_letter_limit`` messages."""
    if is_embedded(url):
        return EmbeddedConsumer(url, queue, list(bindings), dead_letter_limit)
    from shared.bus.amqp import AmqpConsumer

    return AmqpConsumer(url, queue, list(bindings), prefetch, dead_letter_limit)
