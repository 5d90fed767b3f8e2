"""Edges of the node's own keys (shared/publication/keys.py) that a mutant could slip through."""
