"""A service's count of changes: one row counting the transactions that changed what its
public answers say, in a random epoch, of which the service makes its answers' ``ETag``
(:mod:`shared.web.caching`). National search counts its index's changes (``index_changes``),
reporting its history's (``history_changes``).

A transaction that changes what the service answers says so (:meth:`ChangeCount.mark_changed`)
and counts one change when it commits, with the count's update as its last statement. The
ingest locks its offers first, one at a time when it applies a batch event by event, so the
count's row must be taken after every other row: a transaction holding it then only commits,
and one that waits for it holds nothing the holder waits for. It is also held for the moment of
the commit alone, so concurrent ingest transactions do not queue on it while they write.

The epoch is random, new with every database a migration makes, every bulk load and every
``db upgrade`` (which runs after a restore: :class:`shared.migrations.CountedMigrations`), so
a count that starts again from an older value never names answers it named before. Read in a
request before the answer is made, the count is never newer than the answer.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, Connection, SmallInteger, String, event, select, update
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from shared.areas import reference_data_directory

_MARKED = "nettungen.changed"
SHARED = Path(__file__).parent
_BUILT = ("__pycache__",)
_MADE_FROM_OTHERS = (".pyc", ".mo")
_DETAIL_DIGITS = 16  # hex digits of the digest of what an answer depends on besides the count


class ChangeCountColumns:
    """The columns of a count of changes (one row, ``id`` 1)."""

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    epoch: Mapped[str] = mapped_column(String(32))
    changes: Mapped[int] = mapped_column(BigInteger)


class MissingCount(RuntimeError):
    """The count of changes has no row: not migrated, or damaged."""

    def __init__(self, table: str, service: str) -> None:
        super().__init__(f"{table} has no row 1: run `nettungen {service} db upgrade`")


def new_epoch() -> str:
    """A random epoch: 16 hex digits."""
    return secrets.token_hex(8)


@dataclass(frozen=True, eq=False)
class ChangeCount:
    """The count of changes kept in ``model``'s table, of the service ``service`` whose answers
    are made by the code under ``code`` (its package and :mod:`shared`)."""

    model: type[ChangeCountColumns]
    service: str
    code: tuple[Path, ...] = field(default=(SHARED,))

    def mark_changed(self, session: Session) -> None:
        """What the service answers changes in the session's transaction: it counts one change
        when it commits (once, however many times it is marked), unless the savepoint it was
        marked in is rolled back (the change with it)."""
        within = session.get_nested_transaction() or session.get_transaction()
        session.info.setdefault(_MARKED, []).append((self, within))

    def count_change(self, connection: Connection | Session, *, renew_epoch: bool = False) -> None:
        """One more change, now (a bulk loader's last statement); with ``renew_epoch``, in a
        new epoch (a load that rebuilds the data)."""
        values: dict[str, Any] = {"changes": self.model.changes + 1}
        if renew_epoch:
            values["epoch"] = new_epoch()
        self._update(connection, values)

    def renew_epoch(self, connection: Connection | Session) -> None:
        """A new epoch for the count (a restored or rebuilt database)."""
        self._update(connection, {"epoch": new_epoch()})

    def current(self, connection: Connection | Session) -> tuple[str, int]:
        """The epoch and the count of changes."""
        row = connection.execute(
            select(self.model.epoch, self.model.changes).where(self.model.id == 1)
        ).one_or_none()
        if row is None:
            raise self._missing()
        return row[0], row[1]

    def answer_tag(self, connection: Connection | Session, *depends_on: object) -> str:
        """The (weak) ETag of an answer made now: the epoch and the count of changes (read
        before the answer is made, so never newer than it), the :meth:`build` of the code that
        makes it, and a digest of ``depends_on`` (in their order, each as ``str`` writes it):
        the request's arguments, its language, the day the answer is drawn for ..."""
        epoch, changes = self.current(connection)
        detail = "\x1f".join(str(part) for part in depends_on)
        digest = hashlib.sha256(detail.encode()).hexdigest()[:_DETAIL_DIGITS]
        return f"{epoch}-{changes}-{self.build()}-{digest}"

    def build(self) -> str:
        """The application's version and a digest of the code, labels, vocabularies and
        classification of areas that make the service's answers (the same in every worker of
        a deployment, new with any change of them, released or not). The classification is
        read where the services read it (``NETTUNGEN_REFDATA_DIR``, :mod:`shared.areas`):
        a newer one imported there renames, merges and splits areas in the answers with
        nothing new in the count."""
        return _build((*self.code, reference_data_directory()))

    def _update(self, connection: Connection | Session, values: dict[str, Any]) -> None:
        statement = update(self.model).where(self.model.id == 1).values(values)
        result = connection.execute(statement)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise self._missing()

    def _missing(self) -> MissingCount:
        return MissingCount(str(getattr(self.model, "__tablename__", self.model)), self.service)


@functools.cache
def _build(code: tuple[Path, ...]) -> str:
    digest = hashlib.sha256(metadata.version("nettungen").encode())
    for root in code:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not set(_BUILT) & set(path.parts):
                if path.suffix not in _MADE_FROM_OTHERS:
                    digest.update(f"|{path.relative_to(root)}|".encode())
                    digest.update(path.read_bytes())
    return f"{metadata.version('nettungen')}+{digest.hexdigest()[:12]}"


@event.listens_for(Session, "before_commit")
def _count_at_commit(session: Session) -> None:
    # Also called as a savepoint is released: only the outermost commit counts.
    if session.in_nested_transaction() or not session.info.get(_MARKED):
        return
    session.flush()  # whatever the ORM still holds is written before the count's row is taken
    counts = {id(count): count for count, _ in session.info.pop(_MARKED)}
    for count in counts.values():
        count.count_change(session)


@event.listens_for(Session, "after_soft_rollback")
def _unmark(session: Session, rolled_back: SessionTransaction) -> None:
    # A savepoint rolled back takes back what was marked in it (or in savepoints inside it);
    # what was marked outside it still counts (a batch applied event by event, one refused).
    if rolled_back.nested and session.info.get(_MARKED):
        session.info[_MARKED] = [
            (count, within)
            for count, within in session.info[_MARKED]
            if not _inside(within, rolled_back)
        ]


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # A rolled back transaction counts nothing; the next one in the session starts unmarked.
    if transaction.parent is None:
        session.info.pop(_MARKED, None)
