"""Alembic migrations of the node database, owned by the registry."""
