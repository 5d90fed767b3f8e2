"""The node's public signing keys, at ``/.well-known/jwks.json``."""
