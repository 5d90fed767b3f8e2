"""The node's publication contract: what the registry writes and every consumer reads.

* :mod:`shared.publication.schema` — the canonical JSON of an offer version (versioned).
* :mod:`shared.publication.models` — the append-only event log and the published snapshot.
"""

EVENT_PUBLISHED = "no.nettungen.offer.published"
EVENT_WITHDRAWN = "no.nettungen.offer.withdrawn"
