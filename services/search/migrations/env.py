from __future__ import annotations

from services.search.models import METADATA, include_object
from shared.migrations import run_env

run_env(METADATA, include_object)
