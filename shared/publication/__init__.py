"""The node's publication contract: what the registry writes and every consumer reads.

* :mod:`shared.publication.schema` — the canonical JSON of an offer version (versioned).
* :mod:`shared.publication.models` — the append-only event log and the published snapshot.
"""

EVENT_PUBLISHED = "no.nettungen.offer.published"
EVENT_WITHDRAWN = "no.nettungen.offer.withdrawn"
# A node announces its new signing key, signed by the key it retires (see
# shared.publication.keys.rotate_key): what lets national services trust the new key.
EVENT_KEY_ROTATED = "no.nettungen.key.rotated"
# A node has removed the personal data (the contact's name, e-mail and phone) from every
# version of an offer up to a given one (see shared.publication.redaction): what makes every
# national copy purge them too.
EVENT_REDACTED = "no.nettungen.offer.redacted"
