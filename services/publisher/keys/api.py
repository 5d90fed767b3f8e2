"""``/.well-known/jwks.json``: the node's public signing keys, rotated-out ones included.

A verifier accepts an event signed by key K when the event's sequence number is at most K's
``last_sequence`` (present once K was rotated out). Key ids are RFC 7638 thumbprints, so a
verifier can check that a key is the key its id names.
"""

from __future__ import annotations

import flask_smorest
from flask import Response, jsonify
from flask.views import MethodView

from shared.publication.keys import verification_keys
from shared.web import db_session

JWKS_PATH = "/.well-known/jwks.json"
JWKS_TYPE = "application/jwk-set+json"

blp = flask_smorest.Blueprint(
    "keys", __name__, description="The public keys that verify the node's signed events."
)


@blp.route(JWKS_PATH)
class Keys(MethodView):
    @blp.doc(responses={"200": {"description": "A JSON Web Key Set.", "content": {JWKS_TYPE: {}}}})
    def get(self) -> Response:
        """The node's Ed25519 public keys as a JSON Web Key Set (RFC 7517, RFC 8037)."""
        keys = [key.jwk() for key in verification_keys(db_session()).values()]
        response = jsonify({"keys": keys})
        response.content_type = JWKS_TYPE
        response.headers["Cache-Control"] = "public, max-age=300"
        return response
