"""The bus on RabbitMQ (``amqp://``), through kombu.

The durable topic exchange ``nettungen.offers``, persistent messages, mandatory routing,
publisher confirms awaited once per batch, ``CC`` headers for the extra routing keys of one
message, and quorum queues with a dead-letter exchange (see :mod:`shared.bus.contract`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Producer, Queue, binding
from kombu import Consumer as KombuConsumer
from kombu.message import Message

from shared.bus.contract import (
    DEAD_LETTER_EXCHANGE,
    DEAD_LETTER_LIMIT,
    EXCHANGE,
    BatchHandler,
    BatchResult,
    BusUnavailable,
    Deferred,
    Handler,
    IncomingMessage,
    OutgoingMessage,
    dead_letter_queue,
    dead_letter_queue_arguments,
    destination_of,
    one_at_a_time,
    publish_options,
    queue_arguments,
)

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 30
# How long a consumer holding messages waits for more to join them in one batch: only for
# those the broker has already sent (the prefetch), never for new ones to be published.
GATHER_SECONDS = 0.005


def exchange() -> Exchange:
    """The federation's topic exchange, as every client declares it."""
    return Exchange(EXCHANGE, "topic", durable=True)


def ping(url: str) -> None:
    """Raise :class:`BusUnavailable` unless the broker at ``url`` answers."""
    with Connection(url, connect_timeout=3) as connection:
        try:
            connection.connect()
        except (*connection.connection_errors, OSError) as exc:
            raise BusUnavailable(f"{destination_of(url)}: {exc}") from exc


def _errors(connection: Connection) -> tuple[type[BaseException], ...]:
    """What a broken broker or connection raises."""
    return (*connection.connection_errors, *connection.channel_errors, OSError)


def _release(connection: Connection | None) -> None:
    if connection is not None:
        try:
            connection.release()
        except Exception:  # noqa: BLE001, S110 - closing a broken connection may fail too
            pass


class AmqpPublisher:
    """Publishes with confirms: the whole batch is sent, then the confirms are awaited once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.destination = destination_of(url)
        self._connection: Any = None
        self._channel: Any = None
        self._next_tag = 1
        self._outstanding: dict[int, str] = {}
        self._nacked: set[str] = set()
        self._returned: set[str] = set()

    def connect(self) -> None:
        self.close()
        connection = Connection(
            self.url,
            connect_timeout=5,
            heartbeat=0,
            # A broker blocking publishers (a resource alarm) must not hang the relay forever.
            transport_options={"write_timeout": 30},
        )
        try:
            connection.connect()
            channel = connection.channel()
            exchange().declare(channel=channel)
            channel.confirm_select()
        except _errors(connection) as exc:
            connection.release()
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._connection, self._channel = connection, channel
        self._next_tag = 1
        self._outstanding.clear()

    def _settle(self, tag: int, multiple: bool, failed: bool) -> None:
        tags = [t for t in self._outstanding if t <= tag] if multiple else [tag]
        for t in tags:
            message_id = self._outstanding.pop(t, None)
            if failed and message_id is not None:
                self._nacked.add(message_id)

    def _on_ack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, failed=False)

    def _on_nack(self, tag: int, multiple: bool) -> None:
        self._settle(tag, multiple, failed=True)

    def _on_return(self, exc: Any, exchange: str, routing_key: str, message: Any) -> None:
        # Unroutable: no queue is bound for it. The broker acks it after returning it.
        self._returned.add(message.properties.get("message_id", ""))

    def publish_batch(self, messages: Sequence[OutgoingMessage], timeout: float) -> BatchResult:
        if self._channel is None:
            self.connect()
        self._nacked.clear()
        self._returned.clear()
        errors: tuple[type[BaseException], ...] = (*_errors(self._connection), TimeoutError)
        try:
            self._send(messages)
            self._await_confirms(timeout)
        except errors as exc:
            self.close()
            raise BusUnavailable(f"{self.destination}: {exc}") from exc
        return self._result(messages)

    def _send(self, messages: Sequence[OutgoingMessage]) -> None:
        producer = Producer(self._channel, exchange=exchange(), auto_declare=False)
        for message in messages:
            self._outstanding[self._next_tag] = message.message_id
            self._next_tag += 1
            producer.publish(message.body, **publish_options(message), retry=False)

    def _await_confirms(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._outstanding:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the broker did not confirm the batch in time")
            self._connection.drain_events(timeout=remaining)

    def _result(self, messages: Sequence[OutgoingMessage]) -> BatchResult:
        """The confirmed prefix of the batch (up to the first refused message)."""
        confirmed = 0
        for message in messages:
            if message.message_id in self._nacked:
                break
            confirmed += 1
        unroutable = tuple(
            m.message_id for m in messages[:confirmed] if m.message_id in self._returned
        )
        return BatchResult(confirmed, unroutable)

    def close(self) -> None:
        _release(self._connection)
        self._connection = self._channel = None


class AmqpConsumer:
    """A durable quorum queue with a dead-letter queue of at most ``dead_letter_limit``
    messages; manual acknowledgements."""

    def __init__(
        self,
        url: str,
        queue: str,
        bindings: list[str],
        prefetch: int,
        dead_letter_limit: int = DEAD_LETTER_LIMIT,
    ) -> None:
        self.url, self.queue_name, self.bindings, self.prefetch = url, queue, bindings, prefetch
        self.dead_letter_limit = dead_letter_limit
        self._connection: Any = None
        self._channel: Any = None

    def connect(self) -> None:
        self.close()
        # Heartbeats find a connection a NAT or load balancer dropped without a word, which
        # would otherwise leave the consumer waiting for ever.
        connection = Connection(self.url, connect_timeout=5, heartbeat=HEARTBEAT_SECONDS)
        try:
            connection.connect()
            channel = self._declare(connection)
            channel.basic_qos(0, self.prefetch, False)
        except _errors(connection) as exc:
            connection.release()
            raise BusUnavailable(str(exc)) from exc
        self._connection, self._channel = connection, channel

    def _declare(self, connection: Connection) -> Any:
        """The queue, bound to its patterns, and its dead-letter queue; the channel to use."""
        channel = connection.channel()
        try:
            Queue(
                dead_letter_queue(self.queue_name),
                Exchange(DEAD_LETTER_EXCHANGE, "direct", durable=True),
                routing_key=self.queue_name,
                durable=True,
                queue_arguments=dead_letter_queue_arguments(self.dead_letter_limit),
            ).declare(channel=channel)
        except PreconditionFailed:
            # Declared before it had a limit (or with another one): RabbitMQ keeps a queue's
            # arguments, so keep consuming and say how to bound it (docs/operations.md).
            log.warning(
                "dead-letter queue %s exists with other arguments than a limit of %d; "
                "it keeps them until it is deleted or a policy bounds it",
                dead_letter_queue(self.queue_name),
                self.dead_letter_limit,
            )
            channel = connection.channel()  # the broker closed the other
        Queue(
            self.queue_name,
            bindings=[binding(exchange(), routing_key=key) for key in self.bindings],
            durable=True,
            queue_arguments=queue_arguments(self.queue_name),
        ).declare(channel=channel)
        return channel

    def drain(self, handler: Handler, timeout: float, limit: int | None = None) -> int:
        """Handle messages until ``timeout`` passes with none arriving (or ``limit`` is hit)."""
        return self.drain_batches(one_at_a_time(handler), timeout, 1, limit)

    def drain_batches(
        self, handler: BatchHandler, timeout: float, size: int, limit: int | None = None
    ) -> int:
        """Hand over runs of up to ``size`` messages (what has arrived, never waiting for
        more), settling each run only after ``handler`` returns; until ``timeout`` passes with
        none arriving (or ``limit`` is hit)."""
        if self._channel is None:
            self.connect()
        drain = _Drain(self._connection, handler, size, limit)
        consumer = KombuConsumer(
            self._channel,
            queues=[Queue(self.queue_name, no_declare=True)],
            on_message=drain.pending.append,
            no_ack=False,
        )
        try:
            try:
                with consumer:
                    drain.run(timeout)
            finally:
                # Cancelling the consumer still hands over what the broker sent before it
                # heard of the cancel: unsettled, those would stay this channel's until it
                # closes, and the next drain on it would never see them.
                drain.give_back()
        except _errors(self._connection) as exc:
            self.close()
            raise BusUnavailable(str(exc)) from exc
        return drain.handled

    def close(self) -> None:
        _release(self._connection)
        self._connection = self._channel = None


class _Drain:
    """One drain of a queue: the messages received and not yet settled, and how many were."""

    def __init__(
        self, connection: Any, handler: BatchHandler, size: int, limit: int | None
    ) -> None:
        self.connection, self.handler, self.size, self.limit = connection, handler, size, limit
        self.pending: list[Message] = []
        self.handled = 0

    def _room(self) -> int:
        """How many messages the next run may hold."""
        return self.size if self.limit is None else min(self.size, self.limit - self.handled)

    def run(self, timeout: float) -> None:
        last_message = time.monotonic()
        while self.limit is None or self.handled < self.limit:
            if self.pending and len(self.pending) >= self._room():
                self.settle()
                continue
            self.connection.heartbeat_check()
            # With messages in hand, only what the broker has already sent is awaited.
            wait = GATHER_SECONDS if self.pending else min(timeout, HEARTBEAT_SECONDS / 2)
            try:
                self.connection.drain_events(timeout=wait)
            except TimeoutError:
                if self.pending:
                    self.settle()
                elif time.monotonic() - last_message >= timeout:
                    return
                continue
            last_message = time.monotonic()

    def settle(self) -> None:
        """Hand the next run to the handler; acknowledge, dead-letter or give back each after
        it returns."""
        batch = self.pending[: self._room()]
        del self.pending[: len(batch)]
        try:
            rejected = self.handler([_incoming(message) for message in batch])
        except BaseException:
            for message in batch:
                message.reject(requeue=True)  # not handled: back to the queue at once
            raise
        if not rejected:
            # The whole run in one acknowledgement: every delivery up to its last (those
            # received after it are not in it; those before were settled with their runs).
            batch[-1].ack(multiple=True)
            self.handled += len(batch)
            return
        deferred = 0
        for position, message in enumerate(batch):
            reason = rejected.get(position)
            if isinstance(reason, Deferred):
                message.reject(requeue=True)
                deferred += 1
            elif reason is not None:
                message.reject(requeue=False)
            else:
                message.ack()
        self.handled += len(batch) - deferred

    def give_back(self) -> None:
        """Return the messages received but not handed over to the queue, in order."""
        for message in self.pending:
            message.reject(requeue=True)
        self.pending.clear()


def _incoming(message: Message) -> IncomingMessage:
    # Given the raw message, never decoded by kombu: a body kombu cannot decode, or a content
    # type it refuses, reaches the handler, which refuses it as a message.
    return IncomingMessage(
        message.properties.get("message_id", ""),
        message.delivery_info.get("routing_key", ""),
        message.body if isinstance(message.body, bytes) else message.body.encode(),
        bool(message.delivery_info.get("redelivered")),
    )
