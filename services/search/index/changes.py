"""The index's count of changes (``index_changes``), of which the search API makes its ETag:
a :class:`shared.change_count.ChangeCount` (the count's rules are there).

Every transaction of the sink that changes what search answers (publications, withdrawals,
redactions) counts one as its last statement, the bulk loader its load.
"""

from __future__ import annotations

from pathlib import Path

from services.search.index.models import IndexChanges
from shared.change_count import SHARED, ChangeCount, MissingCount, new_epoch

# The code that makes search's answers: the search service and what it shares with the others.
COUNT = ChangeCount(IndexChanges, "search", (Path(__file__).parents[1], SHARED))

mark_changed = COUNT.mark_changed
count_change = COUNT.count_change
renew_epoch = COUNT.renew_epoch
current = COUNT.current
build = COUNT.build

__all__ = [
    "COUNT",
    "MissingCount",
    "build",
    "count_change",
    "current",
    "mark_changed",
    "new_epoch",
    "renew_epoch",
]
