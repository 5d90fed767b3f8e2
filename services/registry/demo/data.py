"""How the demo data modules write an offer: the mapping form's fields, by name."""

from __future__ import annotations

from typing import Any


def offer(agency: str, name: str, description: str, **fields: Any) -> dict[str, Any]:
    return {"agency": agency, "name": name, "description": description, **fields}
