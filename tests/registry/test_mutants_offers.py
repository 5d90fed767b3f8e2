"""Edges of the offers services (services/registry/offers/services.py) that a mutant
could slip through."""
