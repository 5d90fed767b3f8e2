"""The node's published offers as a table: ``/offers.csv`` and ``/offers.xlsx``."""
