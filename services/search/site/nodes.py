"""``/noder``: the public list of the federation's nodes and their feeds, for people.

The same as ``/api/v1/nodes`` (JSON), with the national catalogue and tables beside it. The
national status of what each node sent is a page of its own; this one is the directory.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from services.search.index.nodes import public_nodes
from shared.web import db_session

bp = Blueprint("site_nodes", __name__, template_folder="templates")


@bp.get("/noder")
def nodes() -> str:
    """Every node of the federation, its organisations and the addresses of its feeds."""
    return render_template("site/nodes.html", nodes=public_nodes(db_session()))
