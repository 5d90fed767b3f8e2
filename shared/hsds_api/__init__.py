"""The HSDS 3.1 API (Open Referral) that a node's publisher and the national search both serve.

One set of endpoints, parameters, pages, errors and OpenAPI documentation (:mod:`.api`,
:mod:`.schemas`, :mod:`.paging`), over a data source each service implements for its own
storage (:class:`.source.HsdsSource`): a node's published snapshots, or the national index.
What is the same everywhere (our vocabularies as taxonomies, see :mod:`.lookups`) needs no
source. The HSDS objects themselves come from the pure mapping in :mod:`shared.hsds`.
"""
