"""Routes: filled in by the hsds work (placeholder while under construction)."""

from __future__ import annotations

import flask_smorest

blp = flask_smorest.Blueprint("hsds", __name__)
