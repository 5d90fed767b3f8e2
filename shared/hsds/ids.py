"""HSDS identifiers: every id a name-based UUID over a natural key, the same on every node and
in the national search (see the package's docstring)."""

from __future__ import annotations

import json
import uuid

from shared import vocab
from shared.vocab import Vocabulary

HSDS_VERSION = "3.1"
# uuid5(NAMESPACE_URL, "https://nettungen.no/ns/hsds"). Never change it: every id depends on it.
NAMESPACE = uuid.UUID("ac3113f6-8aa9-5ad4-aefd-b169b2838584")
LANGUAGE = vocab.DEFAULT_LANGUAGE


def stable_id(kind: str, *key: str) -> str:
    """The UUID of the ``kind`` of thing with natural ``key``, the same everywhere.

    The name hashed is the compact JSON array ``[kind, *key]``, so keys holding any character
    never collide, and anyone can recompute an id from the key.
    """
    name = json.dumps([kind, *key], ensure_ascii=False, separators=(",", ":"))
    return str(uuid.uuid5(NAMESPACE, name))


def service_id(offer_uri: str) -> str:
    """The offer's service id: a name-based UUID of its URI.

    Not the offer id the node chose: any node could choose another node's id, while the URI
    lies under the node's own base URL, which every event's signature and source vouch for.
    """
    return stable_id("service", offer_uri)


def organization_id(organisation_number: str) -> str:
    return stable_id("organization", organisation_number)


def taxonomy_id(vocabulary: Vocabulary) -> str:
    return stable_id("taxonomy", vocabulary.id)


def taxonomy_term_id(vocabulary: Vocabulary, code: str) -> str:
    return stable_id("taxonomy_term", vocabulary.id, code)
