"""Every table of the reporting database, for Alembic and for tests: the version history and
the ingest tables of :mod:`shared.ingest.models`."""

from __future__ import annotations

from sqlalchemy import MetaData

from services.reporting.history.models import HistoryBase
from shared.ingest.models import IngestBase

METADATA: list[MetaData] = [HistoryBase.metadata, IngestBase.metadata]
