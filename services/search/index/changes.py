"""The index's count of changes (``index_changes``), of which the search API makes its ETag.

A transaction that changes what search answers says so (:func:`mark_changed`) and counts one
change when it commits, with the count's update as its last statement. The ingest locks its
offers first, one at a time when it applies a batch event by event, so the count's row must be
taken after every other row: a transaction holding it then only commits, and one that waits
for it holds nothing the holder waits for. It is also held for the moment of the commit alone,
so concurrent ingest transactions do not queue on it while they write.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, select, update
from sqlalchemy.orm import Session, SessionTransaction

from services.search.index.models import IndexChanges

_CHANGED = "nettungen.search.index_changed"
# The code that makes search's answers: the search service and what it shares with the others.
_CODE = (Path(__file__).parents[1], Path(__file__).parents[3] / "shared")
_BUILT = ("__pycache__",)
_MADE_FROM_OTHERS = (".pyc", ".mo")


class MissingCount(RuntimeError):
    """The index has no row counting its changes: not migrated, or damaged."""

    def __init__(self) -> None:
        super().__init__("index_changes has no row 1: run `nettungen search db upgrade`")


def new_epoch() -> str:
    """A random epoch: 16 hex digits."""
    return secrets.token_hex(8)


def mark_changed(session: Session) -> None:
    """What search answers changes in the session's transaction: it counts one change when it
    commits (once, however many times it is marked)."""
    session.info[_CHANGED] = True


def count_change(connection: Connection | Session, *, renew_epoch: bool = False) -> None:
    """One more change, now (the bulk loader's last statement); with ``renew_epoch``, in a new
    epoch (a load that rebuilds the index)."""
    values: dict[str, Any] = {"changes": IndexChanges.changes + 1}
    if renew_epoch:
        values["epoch"] = new_epoch()
    _update(connection, values)


def renew_epoch(connection: Connection | Session) -> None:
    """A new epoch for the count (a restored or rebuilt database)."""
    _update(connection, {"epoch": new_epoch()})


def current(connection: Connection | Session) -> tuple[str, int]:
    """The epoch and the count of changes."""
    row = connection.execute(
        select(IndexChanges.epoch, IndexChanges.changes).where(IndexChanges.id == 1)
    ).one_or_none()
    if row is None:
        raise MissingCount
    return row[0], row[1]


@functools.cache
def build() -> str:
    """The application's version and a digest of its code, labels and vocabularies (the same
    in every worker of a deployment, new with any change of them, released or not)."""
    digest = hashlib.sha256(metadata.version("nettungen").encode())
    for root in _CODE:
        for path in sorted(root.rglob("*")):
            if path.is_file() and not set(_BUILT) & set(path.parts):
                if path.suffix not in _MADE_FROM_OTHERS:
                    digest.update(f"|{path.relative_to(root)}|".encode())
                    digest.update(path.read_bytes())
    return f"{metadata.version('nettungen')}+{digest.hexdigest()[:12]}"


def _update(connection: Connection | Session, values: dict[str, Any]) -> None:
    result = connection.execute(update(IndexChanges).where(IndexChanges.id == 1).values(values))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise MissingCount


@event.listens_for(Session, "before_commit")
def _count_at_commit(session: Session) -> None:
    # Also called as a savepoint is released: only the outermost commit counts.
    if session.in_nested_transaction() or not session.info.get(_CHANGED):
        return
    session.flush()  # whatever the ORM still holds is written before the count's row is taken
    count_change(session)
    session.info.pop(_CHANGED, None)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: SessionTransaction) -> None:
    # A rolled back transaction counts nothing; the next one in the session starts unmarked.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
