"""Routes: filled in by the ldes work (placeholder while under construction)."""

from __future__ import annotations

import flask_smorest

blp = flask_smorest.Blueprint("ldes", __name__)
