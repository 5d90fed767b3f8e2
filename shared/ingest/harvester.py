"""The catch-up road: each node's LDES stream as signed CloudEvents (``application/json``).

For every node reached by feed, a round reads the stream's root with ``If-None-Match`` (an
idle node costs one 304), then the pages from the one holding the first sequence number not
yet applied. Page *k* holds sequence numbers ``(k-1)*size+1 .. k*size``, so the harvester
computes page addresses under the node's base URL and never follows links a node could
point elsewhere or round in a loop. Each page is verified first, then applied together with
the cursor in one transaction: a crash repeats at most one page, which applies as nothing.

Every fetch is bounded (:mod:`shared.ingest.http`), and so is every node's share of a round,
in pages, in time (all its fetches, keys included, end by its deadline) and in events (its
ingest rate, :mod:`shared.ingest.rates`: over it, the node's round ends, deferred). A round reads up
to ``concurrency`` nodes at once, so a slow or hostile node delays only itself and the next
round resumes where it ended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from shared.db import insert_if_absent, utcnow
from shared.ingest.apply import Outcome, Sink, VerifiedEvent
from shared.ingest.batch import apply_batch
from shared.ingest.bus_only import seen_in_feed
from shared.ingest.directory import TrustedNode
from shared.ingest.feed_pages import StreamRoot, page_events, page_sequences, stream_root
from shared.ingest.http import FetchError, Limits, deadline, get_json
from shared.ingest.models import ETAG_CHARS, HarvestCursor
from shared.ingest.node_keys import record_untrusted_once
from shared.ingest.pipeline import Pipeline, Written
from shared.ingest.rates import NodeRates
from shared.ingest.redaction import is_redaction
from shared.ingest.rejections import record_rejection
from shared.ingest.rotation import is_rotation
from shared.ingest.verifier import Verifier
from shared.ingest.verify_pool import HandedOver, VerifyPool, VerifyPoolError
from shared.publication.events import EventRejected, UnknownKey

log = logging.getLogger(__name__)


@dataclass
class HarvestSettings:
    limits: Limits = field(default_factory=Limits)
    round_seconds: float = 60.0  # at most this long on one node per round
    max_pages: int = 400  # and at most this many pages
    concurrency: int = 4  # nodes read at the same time
    rates: NodeRates | None = None  # each node's ingest rate; None: unlimited
    # Processes verifying a page's events (shared.ingest.verify_pool); 0 or 1: this one.
    verify_processes: int = 0


@dataclass
class HarvestReport:
    node_id: str
    pages: int = 0
    applied: int = 0
    ignored: int = 0
    rejected: int = 0
    deferred: bool = False  # the node reached its ingest rate; the next round goes on
    error: str | None = None
    seconds: float = 0.0


class _Paused(Exception):  # noqa: N818 - a state of the round, not an error of ours
    """The round stops at an event that cannot be verified yet."""


@dataclass
class _VerifiedPage:
    newest: int  # the sequence number of the last event verified or refused
    verified: list[VerifiedEvent] = field(default_factory=list)
    refused: list[tuple[str, Any]] = field(default_factory=list)  # why, and the event
    paused: _Paused | None = None  # at an event that cannot be verified yet
    seen: list[str] = field(default_factory=list)  # the ids of the page's new events


class Harvester:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        sink: Sink,
        verifier: Verifier,
        client: httpx.Client,
        settings: HarvestSettings | None = None,
    ) -> None:
        self.sessions = sessions
        self.sink = sink
        self.verifier = verifier
        self.client = client
        self.settings = settings or HarvestSettings()
        self.pool = VerifyPool(self.settings.verify_processes, verifier.max_future)

    def close(self) -> None:
        """Stop the verifying processes (a later harvest starts new ones)."""
        self.pool.close()

    def harvest_all(self) -> list[HarvestReport]:
        """One round over every node reached by feed, ``concurrency`` nodes at a time."""
        nodes = self.verifier.directory.current().harvested()
        workers = min(self.settings.concurrency, len(nodes))
        if workers <= 1:
            return [self.harvest(node) for node in nodes]
        with ThreadPoolExecutor(workers, thread_name_prefix="harvest") as pool:
            return list(pool.map(self.harvest, nodes))

    def harvest(self, node: TrustedNode) -> HarvestReport:
        """Apply what is new in one node's stream, within the round's bounds."""
        report = HarvestReport(node.id)
        started = time.monotonic()
        try:
            with deadline(self.settings.round_seconds):
                self._harvest(node, report)
        except (FetchError, _Paused, VerifyPoolError) as exc:
            report.error = str(exc)
            log.warning("harvesting node %s: %s", node.id, exc)
        except OperationalError:
            raise  # the database is away: the round stops, the loop backs off
        except Exception as exc:
            # A node must never stop the harvest of the others, whatever it sends.
            report.error = f"unexpected {type(exc).__name__}: {exc}"
            log.exception("harvesting node %s failed", node.id)
        report.seconds = time.monotonic() - started
        self._note(node.id, report.error)
        return report

    def _cursor(self, node_id: str) -> HarvestCursor:
        """The node's cursor, made on first use (concurrent harvesters may race to it)."""
        with self.sessions.begin() as session:
            session.execute(
                insert_if_absent(
                    session, HarvestCursor, ["node_id"], node_id=node_id, last_sequence=0
                )
            )
            cursor = session.get(HarvestCursor, node_id)
            assert cursor is not None  # noqa: S101 - inserted just above
            return cursor

    def _note(self, node_id: str, error: str | None) -> None:
        with self.sessions.begin() as session:
            cursor = session.get(HarvestCursor, node_id)
            if cursor is not None:
                cursor.harvested_at = utcnow()
                cursor.last_error = error

    def _harvest(self, node: TrustedNode, report: HarvestReport) -> None:
        deadline = time.monotonic() + self.settings.round_seconds
        self.verifier.refresh_if_stale(node)
        cursor = self._cursor(node.id)
        fetched = get_json(
            self.client, f"{node.base_url}/ldes", self.settings.limits, cursor.root_etag
        )
        if fetched.status == 304:
            return
        root = stream_root(fetched.document, fetched.etag)
        if root.last_sequence < cursor.last_sequence:
            raise FetchError(
                f"the node's log ends at {root.last_sequence}, before the "
                f"{cursor.last_sequence} events already applied; was the node reset?"
            )
        with Pipeline(self.sessions, report) as pipeline:
            position = self._pages(node, report, root, cursor.last_sequence, deadline, pipeline)
        if position >= root.last_sequence:
            self._save_root_etag(node.id, root.etag)

    def _pages(
        self,
        node: TrustedNode,
        report: HarvestReport,
        root: StreamRoot,
        position: int,
        deadline: float,
        pipeline: Pipeline,
    ) -> int:
        """Verify and apply the node's pages from ``position``, within the round's bounds;
        the position reached. Page *n* is written while page *n+1* is fetched and verified
        (:class:`~shared.ingest.pipeline.Pipeline`): the next page is fetched only when the
        one before ended where it should and the round's bounds allow it, as one at a time."""
        ahead: tuple[int, Future[Any]] | None = None
        while position < root.last_sequence:
            if report.pages >= self.settings.max_pages or time.monotonic() > deadline:
                return position  # the next round goes on from here
            if self._over_rate(node, report):
                return position
            page = position // root.page_size + 1
            if ahead is not None and ahead[0] == page:
                document = ahead[1].result()
            else:
                document = self._fetch_page(node, page)
            ahead = None
            events, complete = page_events(document, page, root.page_size)
            first, last = (page - 1) * root.page_size + 1, page * root.page_size
            verified = self._verify_page(node, events, position, (first, last), pipeline.wait)
            if self.settings.rates is not None:
                self.settings.rates.spend(node.id, len(verified.verified))
            if (
                pipeline.concurrent
                and verified.paused is None
                and complete
                and last <= verified.newest < root.last_sequence
                and self._may_fetch(node, report.pages + 1, deadline)
            ):
                ahead = (page + 1, pipeline.fetch(self._fetch_page, node, page + 1))
            pipeline.write(self._write_page, node, verified)
            if verified.paused is not None:
                raise verified.paused
            position = verified.newest
            report.pages += 1
            if not complete:
                break
            if position < last:  # read again, it would say the same: a loop, not progress
                raise FetchError(
                    f"page {page} says it is complete but ends at sequence {position}, not {last}"
                )
        return position

    def _fetch_page(self, node: TrustedNode, page: int) -> Any:
        url = f"{node.base_url}/ldes/pages/{page}"
        return get_json(self.client, url, self.settings.limits).document

    def _may_fetch(self, node: TrustedNode, pages: int, deadline: float) -> bool:
        """Whether the round, having read ``pages`` pages, may read the next."""
        rates = self.settings.rates
        return (
            pages < self.settings.max_pages
            and time.monotonic() <= deadline
            and (rates is None or rates.allows(node.id))
        )

    def _over_rate(self, node: TrustedNode, report: HarvestReport) -> bool:
        """Whether the node has had all its rate allows for now (then the round defers it)."""
        rates = self.settings.rates
        report.deferred = rates is not None and not rates.allows(node.id)
        return report.deferred

    def _write_page(self, node: TrustedNode, page: _VerifiedPage) -> Written:
        """Apply the page's verified events and move the cursor in one transaction, then
        record each refused event. A refused event is passed; an event signed by a key we
        cannot get yet stopped the page just before it (:meth:`_verify_page`): the next round
        tries again from there, so an event is never skipped for a reason that may go away
        (a JWKS that could not be read)."""
        applied = apply_batch(
            self.sessions,
            self.sink,
            page.verified,
            also=lambda session: self._move_cursor(session, node.id, page.newest, page.seen),
        )
        refused = page.refused + [
            (reason, page.verified[index].event)
            for index, reason in sorted(applied.refused.items())
        ]
        for reason, event in refused:
            record_rejection(
                self.sessions, via="feed", reason=reason, received=event, node_id=node.id
            )
        return Written(applied.count(Outcome.APPLIED), applied.count(Outcome.IGNORED), len(refused))

    def _verify_page(
        self,
        node: TrustedNode,
        events: list[Any],
        position: int,
        bounds: tuple[int, int],
        written: Callable[[], None],
    ) -> _VerifiedPage:
        """The page's events after ``position``, verified, up to one we cannot verify yet.
        ``written`` waits until the pages before are written: a key rotation or a redaction
        is taken only after them, as it would be one page at a time. A run of events between
        two such is verified in the pool's workers, with the keys held when the run begins;
        every verdict is taken here, in order."""
        page = _VerifiedPage(newest=position)
        sequences, misplaced = page_sequences(events, position, bounds)
        handed = HandedOver(self.pool, self.verifier, node.id, events, sequences)
        for index, sequence in enumerate(sequences):
            if sequence is None:
                continue  # applied in an earlier round
            event = events[index]
            if isinstance(event.get("id"), str):
                page.seen.append(event["id"])
            try:
                # A key rotation is taken at once: the events after it need its key; so is a
                # redaction (the page's versions it covers are then stored without it).
                if is_rotation(event) or is_redaction(event):
                    written()
                if not self._take_at_once(event, node.id):
                    page.verified.append(handed.verified(index))
            except UnknownKey as exc:
                page.paused = _Paused(f"waiting at sequence {sequence}: {exc}")
                record_untrusted_once(self.sessions, node.id, event, str(page.paused))
                return page
            except EventRejected as exc:
                page.refused.append((str(exc), event))
            page.newest = sequence
        if misplaced is not None:
            raise misplaced
        return page

    def _take_at_once(self, event: Any, node_id: str) -> bool:
        """Take a key rotation or a redaction; whether it was one."""
        return self.verifier.take_rotation(event, node_id) or self.verifier.take_redaction(
            event, self.sink, node_id
        )

    def _move_cursor(self, session: Session, node_id: str, newest: int, seen: list[str]) -> None:
        seen_in_feed(session, node_id, seen)
        cursor = session.get(HarvestCursor, node_id, with_for_update=True)
        if cursor is not None and newest > cursor.last_sequence:
            cursor.last_sequence = newest

    def _save_root_etag(self, node_id: str, etag: str | None) -> None:
        with self.sessions.begin() as session:
            cursor = session.get(HarvestCursor, node_id)
            if cursor is not None:
                # Any longer is not an ETag of ours: the next poll goes without one.
                cursor.root_etag = etag if etag is None or len(etag) <= ETAG_CHARS else None

    def run(self, stop: threading.Event, interval: float) -> None:
        """Harvest every ``interval`` seconds until ``stop`` is set; nothing else ends it."""
        while not stop.is_set():
            try:
                for report in self.harvest_all():
                    if report.applied or report.rejected:
                        log.info("harvested %s", report)
            except OperationalError as exc:
                log.warning("harvest paused, the database is away: %s", exc)
            except Exception:
                log.exception("harvest round failed")
            stop.wait(interval)
