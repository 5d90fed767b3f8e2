from __future__ import annotations

from services.registry.models import METADATA
from shared.migrations import run_env

run_env(METADATA)
