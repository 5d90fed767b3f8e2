"""The bus contract every transport keeps: messages, routing keys, headers, declarations.

* :meth:`Publisher.publish_batch` sends a batch of messages and returns how many of them, from
  the start of the batch, the bus confirmed. Only those may be counted as delivered; the rest are
  sent again later (so duplicates are possible, loss is not). Messages are published mandatory:
  one that no queue is bound for is confirmed but reported as unroutable. Consumers that need
  every event own a durable queue bound to ``#``; the others bind what they want and catch up
  from the node's LDES feed, the source of truth (so an unbound key never stalls the bus).
* :class:`Consumer` owns a durable queue bound to routing-key patterns, hands messages to a
  handler and acknowledges each only after the handler returned (after the consumer's own
  commit). A handler that raises :class:`Reject` sends the message to the queue's dead letters;
  any other exception leaves it for redelivery. A run's handler may also defer a message (a
  :class:`Deferred` reason): it goes back to the queue, neither acknowledged nor dead-lettered,
  and is delivered again later (the embedded bus after ``DEFER_SECONDS``; RabbitMQ at once,
  so a handler that defers also waits a little). Messages left in hand when a drain ends (its
  ``limit`` reached) go back to the queue, so the next drain gets them.

The topology is the same on every transport: the durable topic exchange ``nettungen.offers``;
per consumer a durable queue bound to its patterns, whose dead letters go through the direct
exchange ``nettungen.offers.dead-letter`` to the queue ``<queue>.dead``. A dead-letter queue
holds at most its limit (``DEAD_LETTER_LIMIT`` unless the consumer says otherwise): past it the
oldest dead letters are dropped, so a node sending nothing but refusals cannot fill the broker's
disk, and the newest stay to be looked into (every event is still in the node's feed).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlsplit

from shared.publication.events import EXCHANGE, MEDIA_TYPE

DEAD_LETTER_EXCHANGE = f"{EXCHANGE}.dead-letter"
DEAD_LETTER_LIMIT = 10_000
EMBEDDED_SCHEME = "embedded"
# Extra routing keys of one message ride in this header (RabbitMQ's sender-selected
# distribution): one message, one confirm, however many keys.
CC_HEADER = "CC"


class BusUnavailable(ConnectionError):
    """The bus cannot be reached or dropped the connection; try again later."""


class Deferred(str):
    """Why a run's handler does not handle a message yet (in place of a dead-letter reason):
    the message goes back to the queue for later."""


# How long the embedded bus keeps a deferred message from being delivered again.
DEFER_SECONDS = 1.0


class Reject(Exception):  # noqa: N818 - a verdict, not an error condition of the consumer
    """Raised by a consumer's handler: the message can never be applied; dead-letter it."""


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    routing_keys: Sequence[str]
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class BatchResult:
    confirmed: int  # leading messages of the batch the bus took responsibility for
    unroutable: tuple[str, ...] = ()  # ids among those that no queue was bound for


@dataclass(frozen=True)
class IncomingMessage:
    message_id: str
    routing_key: str
    body: bytes
    redelivered: bool


Handler = Callable[[IncomingMessage], None]
# Given a run of messages, handles them all and says which to dead-letter (by position, with
# why) or to defer (a Deferred reason); the rest are acknowledged. Raising leaves every one of
# them on the queue.
BatchHandler = Callable[[list[IncomingMessage]], Mapping[int, str]]


def one_at_a_time(handler: Handler) -> BatchHandler:
    """A handler of one message (raising :class:`Reject` to dead-letter it) as one of runs of
    a single message."""

    def handle(messages: list[IncomingMessage]) -> Mapping[int, str]:
        try:
            handler(*messages)
        except Reject as exc:
            return {0: str(exc)}
        return {}

    return handle


class Publisher(Protocol):
    destination: str

    def connect(self) -> None: ...

    def publish_batch(self, messages: Sequence[OutgoingMessage], timeout: float) -> BatchResult: ...

    def close(self) -> None: ...


class Consumer(Protocol):
    def connect(self) -> None: ...

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int: ...

    def drain_batches(
        self, handler: BatchHandler, timeout: float, size: int, limit: int | None = None
    ) -> int: ...

    def close(self) -> None: ...


def is_embedded(url: str) -> bool:
    return urlsplit(url).scheme == EMBEDDED_SCHEME


def destination_of(url: str) -> str:
    """The bus URL without credentials: safe to log and to key the relay's cursor by."""
    parts = urlsplit(url)
    if parts.scheme == EMBEDDED_SCHEME:
        return f"{EMBEDDED_SCHEME}://{parts.path}"
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path or '/'}"


@cache
def _match(pattern: tuple[str, ...], key: tuple[str, ...]) -> bool:
    if not pattern:
        return not key
    head, rest = pattern[0], pattern[1:]
    if head == "#":
        return _match(rest, key) or (bool(key) and _match(pattern, key[1:]))
    if not key:
        return False
    return head in ("*", key[0]) and _match(rest, key[1:])


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is exactly one word, ``#`` zero or more words."""
    return _match(tuple(pattern.split(".")), tuple(routing_key.split(".")))


def dead_letter_queue(queue: str) -> str:
    """The queue holding ``queue``'s dead letters (bound by the queue's own name)."""
    return f"{queue}.dead"


def queue_arguments(queue: str) -> dict[str, str]:
    """A consumer's queue: replicated (quorum), dead letters to its own dead-letter queue."""
    return {
        "x-queue-type": "quorum",
        "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
        "x-dead-letter-routing-key": queue,
    }


def dead_letter_queue_arguments(limit: int) -> dict[str, str | int]:
    """A dead-letter queue: replicated (quorum), at most ``limit`` messages, the oldest
    dropped past it (``drop-head``)."""
    return {"x-queue-type": "quorum", "x-max-length": limit, "x-overflow": "drop-head"}


def publish_options(message: OutgoingMessage) -> dict[str, Any]:
    """How a message goes out: its first routing key, the others in ``CC``; persistent,
    mandatory (so an unbound key is reported), with its id and media type."""
    first, *rest = message.routing_keys
    headers = dict(message.headers)
    if rest:
        headers[CC_HEADER] = list(rest)
    return {
        "routing_key": first,
        "mandatory": True,
        "delivery_mode": 2,
        "content_type": MEDIA_TYPE,
        "content_encoding": "utf-8",
        "message_id": message.message_id,
        "headers": headers,
    }


def event_body(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
