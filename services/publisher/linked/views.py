"""Routes: filled in by the linked work (placeholder while under construction)."""

from __future__ import annotations

import flask_smorest

blp = flask_smorest.Blueprint("linked", __name__)
