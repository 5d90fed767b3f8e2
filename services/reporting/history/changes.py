"""The history's count of changes (``history_changes``), of which the report answers make
their ETag: a :class:`shared.change_count.ChangeCount` (the count's rules are there).

Every transaction of the sink that changes what a report says (a version recorded, a
redaction) counts one as its last statement, the bulk loader its load.
"""

from __future__ import annotations

from pathlib import Path

from services.reporting.history.models import HistoryChanges
from shared.change_count import SHARED, ChangeCount

# The code that makes the reports: the reporting service and what it shares with the others.
COUNT = ChangeCount(HistoryChanges, "reporting", (Path(__file__).parents[1], SHARED))
