from __future__ import annotations

from services.reporting.models import METADATA
from shared.migrations import run_env

run_env(METADATA)
