"""The registry's declarative base; its tables live in the node database beside the
publication tables of :mod:`shared.publication.models`."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import DeclarativeBase

from shared.db import make_metadata


class Base(DeclarativeBase):
    metadata = make_metadata()


def new_public_id() -> str:
    return str(uuid.uuid4())
