from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.registry.base import Base
from shared.db import JSONType


class StatutoryDuty(Base):
    """A duty in law toward children, youth or families, with the kinds of body that carry it."""

    __tablename__ = "statutory_duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSONType)
    description: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    law_short: Mapped[str] = mapped_column(String(200))
    law_title: Mapped[str] = mapped_column(String(300))
    law_id: Mapped[str] = mapped_column(String(40))
    law_url: Mapped[str | None] = mapped_column(String(300))
    section: Mapped[str] = mapped_column(String(200))
    section_url: Mapped[str | None] = mapped_column(String(300))
    applies_to: Mapped[list[str]] = mapped_column(JSONType)
    # A retired duty stays for the offers and versions that cite it; new offers cannot.
    active: Mapped[bool] = mapped_column(default=True)
