"""Ingest from the federation: the node directory, verification, and the two roads in.

Every national service (search, reporting) keeps a copy of the federation's published offers
in its own database. It learns of changes two ways that converge on the same state
(ARCHITECTURE.md, principle 3): a bus consumer (:mod:`shared.ingest.consumer`) for sub-second
propagation and a feed harvester (:mod:`shared.ingest.harvester`) that catches up from each
node's LDES stream. Both verify every event against the node directory
(:mod:`shared.ingest.directory`) and apply it through :func:`shared.ingest.apply.apply_event`,
keyed by (offer URI, version), so duplicates, replays and out-of-order delivery are harmless.
What a service does with an applied event is its :class:`shared.ingest.apply.Sink`.
"""
